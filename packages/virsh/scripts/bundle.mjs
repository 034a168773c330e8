// virsh starts once per command line, so its start-up time is most of a short command's
// time: one bundled file (virsh, core, the built-in test driver) loads far faster than
// some forty modules. Code behind dynamic imports (the interactive shell, the remote
// transports) goes into chunks loaded only when used. Other drivers are found at run time.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const outdir = new URL('../dist/bundle', import.meta.url).pathname;
rmSync(outdir, { recursive: true, force: true }); // chunk names change with their contents

await build({
  entryPoints: { virsh: new URL('../dist/main.js', import.meta.url).pathname },
  outdir,
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  external: ['libxmljs2'],
  // less source to compile at every start; names are kept for readable stack traces
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});
