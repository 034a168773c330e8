import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import t from 'tap';

import { fallbackReport } from './fixtures/native.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

t.test('a failed build leaves the package importable with its fallbacks', async (t) => {
  // A copy of the package, so that node-gyp's clean step never touches the real build.
  const copy = mkdtempSync(join(tmpdir(), 'hv-native-build-'));
  t.teardown(() => rmSync(copy, { recursive: true, force: true }));
  for (const entry of ['package.json', 'binding.gyp', 'native', 'scripts', 'src']) {
    cpSync(join(packageDir, entry), join(copy, entry), { recursive: true });
  }
  symlinkSync(join(packageDir, 'node_modules'), join(copy, 'node_modules'));

  // Headers that are not there: node-gyp fails as it would on a machine without them.
  const build = spawnSync(process.execPath, ['scripts/build-native.mjs'], {
    cwd: copy,
    encoding: 'utf8',
    env: { ...process.env, npm_config_nodedir: join(copy, 'no-node-headers') },
  });
  t.equal(build.status, 0, 'the build script still exits 0');
  t.match(build.stderr, /native addon not built \(node-gyp configure exited with 1\)/);
  t.match(build.stderr, /continuing with the JavaScript fallbacks/);
  t.notOk(existsSync(join(copy, 'build/Release/hv_native.node')), 'no addon');

  const report = await fallbackReport(join(copy, 'src/index.ts'), { TSVIRT_HV_NATIVE: undefined });
  t.match(report, {
    capabilities: {
      addon: { loaded: false, reason: /is not built/ },
      cpuProbe: { path: 'fallback' },
      kvmProbe: { path: 'fallback' },
      fdPassing: { path: 'unavailable', detail: /is not built/ },
      getAffinity: { path: 'fallback' },
      setAffinity: { path: 'unavailable' },
    },
    cpuSource: { ok: 'proc' },
    kvm: { ok: { source: 'fallback' } },
    getAffinity: { ok: true },
    setAffinity: { error: 'UNAVAILABLE', name: 'HvNativeError' },
    sendFds: { error: 'UNAVAILABLE', name: 'HvNativeError' },
    recvFds: { error: 'UNAVAILABLE', name: 'HvNativeError' },
  });
});
