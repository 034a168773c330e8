// The QEMU driver keeps configs and live state only in folders no other user can
// change: one that another user owns, can write, or can rename away is refused.

import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ErrorNumber, open } from '@tsvirt/core';
import { registerDriver } from '@tsvirt/core/driver';
import t from 'tap';
import { driver } from '../src/driver.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-qemu-folders-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
registerDriver(driver);
const NOBODY = 65534;

/** qemu:///session with its folders under `base`. */
async function openUnder(base: string) {
  process.env.XDG_CONFIG_HOME = path.join(base, 'config');
  process.env.XDG_RUNTIME_DIR = path.join(base, 'run');
  return open('qemu:///session');
}

t.test('state folders of another user, or that others may write, are refused', { skip: process.getuid?.() !== 0 && 'needs root, to give a folder to another user' }, async (t) => {
  const theirs = path.join(dir, 'theirs');
  mkdirSync(path.join(theirs, 'run', 'tsvirt', 'qemu'), { recursive: true });
  chownSync(path.join(theirs, 'run', 'tsvirt', 'qemu'), NOBODY, NOBODY);
  await t.rejects(openUnder(theirs), {
    code: ErrorNumber.OPERATION_FAILED, message: new RegExp(`refusing state folder ${theirs}/run/tsvirt/qemu: it belongs to user ${NOBODY}, not to user 0`),
  });

  const open_ = path.join(dir, 'open');
  mkdirSync(path.join(open_, 'config'), { recursive: true });
  chmodSync(path.join(open_, 'config'), 0o777);
  await t.rejects(openUnder(open_), { message: /refusing state folder .*config\/tsvirt\/qemu: its parent .*config is not safe: group or others may write to it \(mode 0777\)/ });

  const ours = path.join(dir, 'ours');
  const conn = await openUnder(ours);
  t.ok(conn, 'folders of our own, made by the driver, are used');
  await conn.close();
});
