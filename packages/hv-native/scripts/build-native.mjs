// Builds the optional native addon (build/Release/hv_native.node) with node-gyp.
// It never fails: `pnpm build` and `npm install` go on without the addon, and the
// package then uses its fallbacks (see src/capabilities.ts). Used by the "build" and
// "install" scripts.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const addon = join(packageDir, 'build/Release/hv_native.node');

function giveUp(why) {
  // A stale addon from older sources must not be loaded beside newer TypeScript.
  rmSync(addon, { force: true });
  console.warn(`@tsvirt/hv-native: native addon not built (${why}).`);
  console.warn('@tsvirt/hv-native: continuing with the JavaScript fallbacks; capabilities() says what is missing.');
  process.exit(0);
}

// Node-API addons do not depend on the Node version, so an addon newer than its
// sources is current. Skipping keeps it in place for processes using it meanwhile.
const sources = ['binding.gyp', 'scripts/build-native.mjs', ...readdirSync(join(packageDir, 'native')).map((f) => `native/${f}`)];
if (existsSync(addon)) {
  const built = statSync(addon).mtimeMs;
  if (sources.every((f) => statSync(join(packageDir, f)).mtimeMs <= built)) process.exit(0);
}

let nodeGyp;
try {
  nodeGyp = createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
} catch {
  giveUp('node-gyp is not installed');
}

// A machine may have no internet: use the distribution's Node headers instead of
// letting node-gyp download them, unless the caller chose a nodedir already.
const options = ['--loglevel=warn'];
if (!process.env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) {
  options.push('--nodedir=/usr');
}

// configure + build, not rebuild: rebuild starts by deleting build/, which would take
// the addon away from running processes for the whole compile.
for (const step of ['configure', 'build']) {
  const run = spawnSync(process.execPath, [nodeGyp, step, ...options], { cwd: packageDir, stdio: 'inherit' });
  if (run.error) giveUp(run.error.message);
  if (run.status !== 0) giveUp(`node-gyp ${step} exited with ${run.status ?? run.signal}`);
}
if (!existsSync(addon)) giveUp('node-gyp reported success but produced no addon');
// make leaves the addon alone when only unrelated bytes changed; mark it current.
const now = new Date();
utimesSync(addon, now, now);
