// Builds the optional native addon (build/Release/hv_native.node) with node-gyp.
// It never fails: `pnpm build` and `npm install` go on without the addon, and the
// package then uses its fallbacks (see src/capabilities.ts). Used by the "build" and
// "install" scripts.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));

function giveUp(why) {
  console.warn(`@tsvirt/hv-native: native addon not built (${why}).`);
  console.warn('@tsvirt/hv-native: continuing with the JavaScript fallbacks; capabilities() says what is missing.');
  process.exit(0);
}

let nodeGyp;
try {
  nodeGyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
} catch {
  giveUp('node-gyp is not installed');
}

const args = [nodeGyp, 'rebuild', '--loglevel=warn'];
// Build machines may have no internet: use the distribution's Node headers instead of
// letting node-gyp download them, unless the caller chose a nodedir already.
if (!process.env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) {
  args.push('--nodedir=/usr');
}

const run = spawnSync(process.execPath, args, { cwd: packageDir, stdio: 'inherit' });
if (run.error) giveUp(run.error.message);
if (run.status !== 0) giveUp(`node-gyp exited with ${run.status ?? run.signal}`);
