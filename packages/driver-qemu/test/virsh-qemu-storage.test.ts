// virsh's storage commands on qemu:///session as separate processes, on real files:
// pool-define, pool-build, pool-start, vol-create-as, vol-clone, vol-resize,
// vol-upload, vol-download, vol-wipe, vol-delete, pool-destroy, pool-delete, with the
// words libvirt 9.0's virsh prints for the same commands on its own storage driver.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { virshQemu } from './fixtures/virsh-qemu.js';

const hasQemuImg = (() => { try { execFileSync('qemu-img', ['--version']); return true; } catch { return false; } })();

t.test('virsh storage commands', { skip: !hasQemuImg && 'qemu-img is not installed' }, async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-virsh-storage-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { virsh } = virshQemu(dir);
  const pool = path.join(dir, 'pool');
  const ok = async (stdout: string, ...args: string[]) => t.same(await virsh(...args), { code: 0, stdout, stderr: '' }, args.join(' '));

  const poolXml = path.join(dir, 'p1.xml');
  writeFileSync(poolXml, `<pool type='dir'><name>p1</name><target><path>${pool}</path></target></pool>\n`);
  await ok(`Pool p1 defined from ${poolXml}\n\n`, 'pool-define', poolXml);
  await ok('Pool p1 built\n\n', 'pool-build', 'p1');
  t.ok(statSync(pool).isDirectory());
  await ok('Pool p1 started\n\n', 'pool-start', 'p1');
  await ok('Vol base.qcow2 created\n\n', 'vol-create-as', 'p1', 'base.qcow2', '10M', '--format', 'qcow2');
  await ok('Vol r.img created\n\n', 'vol-create-as', 'p1', 'r.img', '1M', '--format', 'raw');
  await ok('Vol c.qcow2 cloned from base.qcow2\n\n', 'vol-clone', '--pool', 'p1', 'base.qcow2', 'c.qcow2');
  t.equal(JSON.parse(execFileSync('qemu-img', ['info', '--output=json', '-U', path.join(pool, 'c.qcow2')], { encoding: 'utf8' })).format, 'qcow2');

  let r = await virsh('vol-resize', '--pool', 'p1', 'c.qcow2', '5M');
  t.equal(r.code, 1);
  t.equal(r.stderr, "error: Failed to change size of volume 'c.qcow2' to 5M\nerror: invalid argument: Can't shrink capacity below current capacity unless shrink flag explicitly specified\n");
  r = await virsh('vol-resize', '--pool', 'p1', 'r.img', '-512K');
  t.equal(r.stderr, 'error: negative size requires --shrink\n');
  await ok("Size of volume 'c.qcow2' successfully changed to 30M\n\n", 'vol-resize', '--pool', 'p1', 'c.qcow2', '30M');
  await ok("Size of volume 'r.img' successfully changed to 2M\n\n", 'vol-resize', '--pool', 'p1', 'r.img', '2M');
  t.match((await virsh('vol-info', '--pool', 'p1', 'c.qcow2')).stdout, 'Capacity:       30.00 MiB');

  const payload = Buffer.from('tsvirt upload '.repeat(5000));
  writeFileSync(path.join(dir, 'in.bin'), payload);
  await ok('\n', 'vol-upload', '--pool', 'p1', 'r.img', path.join(dir, 'in.bin'), '--offset', '1024');
  await ok('\n', 'vol-download', '--pool', 'p1', 'r.img', path.join(dir, 'out.bin'), '--offset', '1024', '--length', String(payload.length));
  t.ok(readFileSync(path.join(dir, 'out.bin')).equals(payload), 'downloaded what was uploaded');
  await ok('Vol r.img wiped\n\n', 'vol-wipe', '--pool', 'p1', 'r.img');
  t.ok(readFileSync(path.join(pool, 'r.img')).every((b) => b === 0));

  r = await virsh('vol-create-as', 'p1', 'a/b', '1M');
  t.equal(r.stderr, "error: Failed to create vol a/b\nerror: Requested operation is not valid: volume name 'a/b' cannot contain '/'\n");
  r = await virsh('pool-build', 'p1');
  t.equal(r.stderr, "error: Failed to build pool p1\nerror: Requested operation is not valid: storage pool 'p1' is already active\n");

  for (const v of ['base.qcow2', 'c.qcow2', 'r.img']) await ok(`Vol ${v} deleted\n\n`, 'vol-delete', '--pool', 'p1', v);
  await ok('Pool p1 destroyed\n\n', 'pool-destroy', 'p1');
  await ok('Pool p1 deleted\n\n', 'pool-delete', 'p1');
  t.notOk(existsSync(pool));
  await ok('Pool p1 has been undefined\n\n', 'pool-undefine', 'p1');
});
