// virsh starts once per command line, so its start-up time is most of a short command's
// time: one bundled file (virsh, core, the built-in test driver) loads far faster than
// some forty modules. Other drivers are still found at run time.
import { build } from 'esbuild';

await build({
  entryPoints: [new URL('../dist/main.js', import.meta.url).pathname],
  outfile: new URL('../dist/virsh.bundle.mjs', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['libxmljs2'],
  logLevel: 'warning',
});
