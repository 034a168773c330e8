import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { open } from '@tsvirt/core';
import { socketDir, startDaemon } from './fixtures/daemon-harness.js';

// Drivers are found where packages are installed (beside the application or beside
// core), never in the folder the daemon was started from: whoever can write there
// would otherwise run code in a root daemon by naming a scheme in a URI.

/** A folder holding driver packages that record being loaded, for schemes this install lacks. */
function plantedFolder(): { dir: string; loaded: string } {
  const dir = socketDir();
  const loaded = join(dir, 'PLANTED-DRIVER-LOADED');
  for (const [pkg, scheme] of [['driver-xen', 'xen'], ['driver-xyz', 'xyz']]) {
    const at = join(dir, 'node_modules', '@tsvirt', pkg);
    mkdirSync(at, { recursive: true });
    writeFileSync(join(at, 'package.json'), JSON.stringify({ name: `@tsvirt/${pkg}`, version: '0.1.0', type: 'module', main: 'index.js' }));
    writeFileSync(join(at, 'index.js'), `import { appendFileSync } from 'node:fs';
appendFileSync(${JSON.stringify(loaded)}, '${pkg}\\n');
export const driver = { name: 'planted', schemes: ['${scheme}'], open: () => ({ connectGetType: () => 'PLANTED' }) };
`);
  }
  return { dir, loaded };
}

t.test(`a daemon${process.getuid?.() === 0 ? ' running as root' : ''} started in a folder with planted driver packages does not load them`, async (t) => {
  const { dir, loaded } = plantedFolder();
  const daemon = await startDaemon([], socketDir(), { cwd: dir });
  t.teardown(() => daemon.stop());
  for (const scheme of ['xen', 'xyz']) {
    const outcome = await open(`${scheme}+unix:///system?socket=${daemon.rw}`).then((c) => c.getType(), (e: Error) => e.message);
    t.not(outcome, 'PLANTED', `${scheme}: ${outcome}`);
  }
  t.notOk(existsSync(loaded), 'no planted module ran');
  const installed = await open(`test+unix:///default?socket=${daemon.rw}`);
  t.equal(await installed.getType(), 'TEST', 'a driver installed beside the daemon still loads');
  await installed.close();
});
