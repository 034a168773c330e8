// Temporary files that a crash left between write and rename (".NAME.xml.HEX.tmp")
// are removed when a connection loads its folders; a write under way is spared.

import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { open } from '@tsvirt/core';
import { registerDriver, removeStaleTempFiles } from '@tsvirt/core/driver';
import t from 'tap';
import { driver } from '../src/driver.js';
import { qemuDirs } from '../src/qemu-dirs.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-qemu-stale-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** A file in `folder` whose last change was `ageMs` ago. */
function leave(folder: string, name: string, ageMs: number): string {
  mkdirSync(folder, { recursive: true });
  const file = path.join(folder, name);
  writeFileSync(file, '<domain/>');
  const when = (Date.now() - ageMs) / 1000;
  utimesSync(file, when, when);
  return file;
}

t.test('removeStaleTempFiles removes what a crash left and spares the rest', async (t) => {
  const folder = path.join(dir, 'unit');
  const stale = leave(folder, '.web 1.xml.0123456789ab.tmp', 120_000);
  const fresh = leave(folder, '.db.xml.abcdef012345.tmp', 0);
  const config = leave(folder, 'web 1.xml', 120_000);
  const other = leave(folder, '.notes.tmp', 120_000);
  await removeStaleTempFiles(folder);
  t.notOk(existsSync(stale), 'a stale temporary file is removed');
  t.ok(existsSync(fresh), 'one written just now (a write under way) stays');
  t.ok(existsSync(config), 'configs stay');
  t.ok(existsSync(other), 'files of other names stay');
});

t.test('a qemu:///session connection clears its config and run folders of them as it loads', async (t) => {
  process.env.XDG_CONFIG_HOME = path.join(dir, 'config');
  process.env.XDG_RUNTIME_DIR = path.join(dir, 'run');
  registerDriver(driver);
  const dirs = qemuDirs('session');
  const left = [leave(dirs.configDir, '.crashed.xml.00112233aabb.tmp', 120_000), leave(dirs.runDir, '.crashed.xml.ffeeddccbbaa.tmp', 120_000)];
  const conn = await open('qemu:///session');
  t.teardown(() => conn.close());
  for (const file of left) t.notOk(existsSync(file), `${path.relative(dir, file)} is gone`);
});
