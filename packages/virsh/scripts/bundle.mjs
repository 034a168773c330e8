// virsh starts once per command line, so its start-up time is most of a short command's
// time. It is built into one CommonJS file (virsh, core, the built-in test driver) that
// bin/virsh runs through a V8 code cache, made here by one warm-up run: V8 then skips
// compiling it at every start. Other drivers are still found at run time.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const outdir = new URL('../dist/bundle', import.meta.url).pathname;
rmSync(outdir, { recursive: true, force: true });

await build({
  entryPoints: [new URL('../dist/main.js', import.meta.url).pathname],
  outfile: `${outdir}/virsh.cjs`,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['libxml2-wasm'],
  // core finds libxml2-wasm (for RelaxNG validation) and driver packages relative to its own file
  define: { 'import.meta.url': '__virsh_bundle_url' },
  banner: { js: 'var __virsh_bundle_url = require("node:url").pathToFileURL(__filename).href;' },
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});

// The warm-up: a run on the mock hypervisor compiles what a typical command needs,
// and bin/virsh saves V8's cache of it beside the bundle.
execFileSync(process.execPath, [new URL('../bin/virsh', import.meta.url).pathname, '-c', 'test:///default', 'list --all; dominfo test; dumpxml test'], {
  env: { ...process.env, TSVIRT_VIRSH_WRITE_CODE_CACHE: '1', NODE_OPTIONS: '' },
  stdio: 'ignore',
});
