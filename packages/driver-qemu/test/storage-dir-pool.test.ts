// The storage driver behind qemu:///session on real files: a folder pool, raw and
// qcow2 volumes made by the driver and by qemu-img, clones, backing chains, resize,
// wipe, upload and download, and hostile names and links. The XML is checked against
// libvirt's own schemas where libvirt is installed.

import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import {
  ErrorDomain, ErrorNumber, open, StoragePoolBuildFlags, StorageVolResizeFlags, VirError, type Connect,
} from '@tsvirt/core';
import { registerDriver } from '@tsvirt/core/driver';
import t from 'tap';
import { driver } from '../src/driver.js';

const hasQemuImg = (() => { try { execFileSync('qemu-img', ['--version']); return true; } catch { return false; } })();
const SCHEMAS = '/usr/share/libvirt/schemas';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-storage-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
process.env.XDG_CONFIG_HOME = path.join(dir, 'config');
process.env.XDG_RUNTIME_DIR = path.join(dir, 'run');
registerDriver(driver);
const poolDir = path.join(dir, 'images');

const poolXml = (name: string, target: string) => `<pool type='dir'><name>${name}</name><target><path>${target}</path></target></pool>`;
const volXml = (name: string, capacity: string, extra = '') => `<volume><name>${name}</name><capacity unit='MiB'>${capacity}</capacity>${extra}</volume>`;

async function failure(p: Promise<unknown>): Promise<VirError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  if (!(e instanceof VirError)) throw new Error(`expected a VirError, got ${String(e)}`);
  return e;
}

/** Validate against libvirt's schema when xmllint and the schemas are here. */
function validates(t: Tap.Test, xml: string, schema: string): void {
  if (!existsSync(path.join(SCHEMAS, schema))) return;
  const file = path.join(dir, `check-${schema}.xml`);
  writeFileSync(file, xml);
  t.doesNotThrow(() => execFileSync('xmllint', ['--noout', '--relaxng', path.join(SCHEMAS, schema), file], { stdio: 'pipe' }), `valid per libvirt's ${schema}`);
}

t.test('folder pools and their volumes', { skip: !hasQemuImg && 'qemu-img is not installed' }, async (t) => {
  const conn: Connect = await open('qemu:///session');
  t.teardown(() => conn.close());

  const pool = await conn.defineStoragePoolXML(poolXml('images', `${poolDir}//`));
  t.equal(await pool.isActive(), false);
  let e = await failure(pool.create());
  t.equal(e.code, ErrorNumber.SYSTEM_ERROR, 'starting before the folder exists');
  t.equal(e.domain, ErrorDomain.STORAGE);
  t.equal(e.message, `cannot open directory '${poolDir}': No such file or directory`);
  e = await failure(pool.build(StoragePoolBuildFlags.OVERWRITE | StoragePoolBuildFlags.NO_OVERWRITE));
  t.equal(e.message, 'Requested operation is not valid: Overwrite and no overwrite flags are mutually exclusive');
  await pool.build();
  t.equal(statSync(poolDir).mode & 0o777, 0o711, 'pool-build makes the folder 0711, as libvirt does');
  await pool.create();
  t.equal(await pool.isActive(), true);
  e = await failure(conn.defineStoragePoolXML(poolXml('twin', poolDir)));
  t.equal(e.message, "operation failed: Storage source conflict with pool: 'images'");

  const xml = await pool.getXMLDesc();
  t.match(xml, new RegExp(`^<pool type='dir'>\\n  <name>images</name>\\n  <uuid>[0-9a-f-]{36}</uuid>\\n  <capacity unit='bytes'>[1-9]\\d*</capacity>`));
  t.match(xml, `  <source>\n  </source>\n  <target>\n    <path>${poolDir}</path>\n    <permissions>\n      <mode>0711</mode>\n      <owner>${process.getuid!()}</owner>`);
  validates(t, xml, 'storagepool.rng');
  const info = await pool.getInfo();
  t.ok(info.capacity > 0 && info.available > 0 && info.available <= info.capacity, 'sizes from the file system');

  // raw: preallocated as asked, sparse beyond that
  const raw = await pool.createVolumeXML(volXml('disk.img', '4', "<allocation unit='MiB'>1</allocation>"));
  t.equal(raw.path, path.join(poolDir, 'disk.img'));
  t.equal(raw.key, raw.path);
  t.equal(statSync(raw.path).size, 4 << 20);
  t.equal(statSync(raw.path).mode & 0o777, 0o600);
  let vinfo = await raw.getInfo();
  t.equal(vinfo.capacity, 4 << 20);
  t.ok(vinfo.allocation >= 1 << 20 && vinfo.allocation < 4 << 20, `allocation ${vinfo.allocation}: the asked MiB, not more`);

  // qcow2 through qemu-img, and one layered on it
  const base = await pool.createVolumeXML(volXml('base.qcow2', '16', "<target><format type='qcow2'/></target>"));
  const top = await pool.createVolumeXML(volXml('top.qcow2', '32',
    `<target><format type='qcow2'/></target><backingStore><path>${base.path}</path><format type='qcow2'/></backingStore>`));
  const topXml = await top.getXMLDesc();
  t.match(topXml, `<volume type='file'>\n  <name>top.qcow2</name>\n  <key>${top.path}</key>\n  <capacity unit='bytes'>${32 << 20}</capacity>\n`);
  t.match(topXml, /<physical unit='bytes'>\d+<\/physical>/);
  t.match(topXml, `    <format type='qcow2'/>\n    <permissions>\n      <mode>0600</mode>`);
  t.match(topXml, /<timestamps>\n {6}<atime>\d+(\.\d{9})?<\/atime>\n {6}<mtime>[\d.]+<\/mtime>\n {6}<ctime>[\d.]+<\/ctime>\n {6}<btime>0<\/btime>/);
  t.match(topXml, `  <backingStore>\n    <path>${base.path}</path>\n    <format type='qcow2'/>\n`);
  validates(t, topXml, 'storagevol.rng');
  const imgInfo = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', '-U', top.path], { encoding: 'utf8' }));
  t.equal(imgInfo['backing-filename'], base.path, 'qemu-img sees the backing file');
  t.equal(imgInfo['virtual-size'], 32 << 20);

  // clone keeps format and backing chain, as libvirt's vol-clone does
  const cloneXml = topXml.replace('<name>top.qcow2</name>', '<name>copy.qcow2</name>').replace(/<key>.*<\/key>\n/, '').replace(/<path>[^<]*top.qcow2<\/path>/, '');
  const copy = await pool.createVolumeXMLFrom(cloneXml, top);
  const copyXml = await copy.getXMLDesc();
  t.match(copyXml, `<capacity unit='bytes'>${32 << 20}</capacity>`);
  t.match(copyXml, `<backingStore>\n    <path>${base.path}</path>`);
  const rawCopy = await pool.createVolumeXMLFrom(volXml('disk-copy.img', '4'), raw);
  t.equal((await rawCopy.getInfo()).capacity, 4 << 20);

  // resize: libvirt's rules and words
  e = await failure(top.resize(16 << 20));
  t.equal(e.code, ErrorNumber.INVALID_ARG);
  t.equal(e.message, "invalid argument: Can't shrink capacity below current capacity unless shrink flag explicitly specified");
  e = await failure(raw.resize(512 << 10, StorageVolResizeFlags.SHRINK));
  t.equal(e.message, "invalid argument: can't shrink capacity below existing allocation");
  await top.resize(64 << 20);
  t.equal((await top.getInfo()).capacity, 64 << 20, 'qcow2 grown by qemu-img');
  await raw.resize(2 << 20, StorageVolResizeFlags.DELTA);
  t.equal(statSync(raw.path).size, 6 << 20, 'raw grown by a delta');

  // upload and download through streams
  const payload = Buffer.alloc(3 * 65536 + 17, 0);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
  await pipeline(Readable.from([payload]), await raw.upload(4096, 0));
  const back = await buffer(await raw.download(4096, payload.length));
  t.ok(back.equals(payload), 'the uploaded bytes come back');
  t.equal((await buffer(await raw.download(0, 4096))).every((b) => b === 0), true, 'bytes before the offset untouched');

  // wipe: zeros, length kept
  await raw.wipe();
  t.equal(statSync(raw.path).size, 6 << 20);
  t.ok(readFileSync(raw.path).every((b) => b === 0), 'wiped to zeros');

  // hostile names and links
  e = await failure(pool.createVolumeXML(volXml('a/b', '1')));
  t.equal(e.code, ErrorNumber.OPERATION_INVALID);
  t.equal(e.message, "Requested operation is not valid: volume name 'a/b' cannot contain '/'");
  e = await failure(pool.createVolumeXML(volXml('..', '1')));
  t.equal(e.message, `Requested operation is not valid: volume target path '${path.join(poolDir, '..')}' already exists`);
  e = await failure(pool.createVolumeXML(volXml('base.qcow2', '1')));
  t.equal(e.code, ErrorNumber.STORAGE_VOL_EXIST);
  t.equal(e.message, "storage volume 'base.qcow2' exists already");
  const secret = path.join(dir, 'secret');
  writeFileSync(secret, 'not for guests');
  symlinkSync(secret, path.join(poolDir, 'escape'));
  symlinkSync('disk.img', path.join(poolDir, 'alias'));
  mkdirSync(path.join(poolDir, 'sub'));
  await pool.refresh();
  const names = (await pool.listAllVolumes()).map((v) => v.name);
  t.same(names, ['alias', 'base.qcow2', 'copy.qcow2', 'disk-copy.img', 'disk.img', 'sub', 'top.qcow2'], 'a link out of the pool is no volume');
  t.match(await (await pool.lookupVolumeByName('sub')).getXMLDesc(), "<volume type='dir'>");
  e = await failure(conn.lookupStorageVolByPath(path.join(poolDir, 'escape')));
  t.equal(e.code, ErrorNumber.NO_STORAGE_VOL);
  t.equal(e.message, `Storage volume not found: no storage vol with matching path '${path.join(poolDir, 'escape')}'`);
  // a volume swapped for a link after the refresh is not written through
  const victim = await pool.lookupVolumeByName('disk-copy.img');
  rmSync(victim.path);
  symlinkSync(secret, victim.path);
  e = await failure(victim.wipe());
  t.equal(e.code, ErrorNumber.OPERATION_INVALID);
  e = await failure(victim.upload(0, 0));
  t.equal(readFileSync(secret, 'utf8'), 'not for guests', 'the file outside the pool is untouched');

  // autostart: once per boot (the run folder's marker), on the first connection after it
  await pool.setAutostart(true);
  t.equal(await pool.getAutostart(), true);
  t.ok(existsSync(path.join(dir, 'config', 'tsvirt', 'storage', 'autostart', 'images.xml')), 'an autostart link, as libvirt keeps one');

  // lookups across the connection, and a second connection sees the same pool
  t.equal((await conn.lookupStorageVolByKey(top.key)).name, 'top.qcow2');
  const other = await open('qemu:///session');
  t.equal(await (await other.lookupStoragePoolByName('images')).isActive(), true);
  t.same((await (await other.lookupStoragePoolByName('images')).listAllVolumes()).map((v) => v.name),
    names.filter((n) => n !== 'disk-copy.img'), 'its fresh scan leaves out the volume that became a link out of the pool');
  await other.close();

  // delete, then the pool itself
  for (const v of await pool.listAllVolumes()) await v.delete();
  t.ok(existsSync(secret), 'deleting a link removes the link only');
  t.same(await pool.listAllVolumes(), []);
  e = await failure(pool.delete());
  t.equal(e.message, "Requested operation is not valid: storage pool 'images' is still active");
  e = await failure(pool.undefine());
  t.equal(e.message, "Requested operation is not valid: storage pool 'images' is still active");
  await pool.destroy();
  e = await failure(pool.listAllVolumes());
  t.equal(e.message, "Requested operation is not valid: storage pool 'images' is not active");
  e = await failure(pool.delete());
  t.equal(e.code, ErrorNumber.SYSTEM_ERROR);
  t.equal(e.message, `failed to remove pool '${poolDir}': Directory not empty`, 'the link out of the pool is still there');
  rmSync(path.join(poolDir, 'escape'));
  await pool.delete();
  t.notOk(existsSync(poolDir), 'pool-delete removed the folder');
  await pool.build();
  rmSync(path.join(dir, 'run', 'tsvirt', 'storage'), { recursive: true });
  const afterBoot = await open('qemu:///session');
  const started = await afterBoot.lookupStoragePoolByName('images');
  t.equal(await started.isActive(), true, 'started by the first connection after a boot');
  await started.destroy();
  await started.setAutostart(false);
  await started.delete();
  await afterBoot.close();
  await pool.undefine();
  e = await failure(conn.lookupStoragePoolByName('images'));
  t.equal(e.code, ErrorNumber.NO_STORAGE_POOL);
  t.equal(e.message, "Storage pool not found: no storage pool with matching name 'images'");
  t.notOk(lstatSync(path.join(dir, 'config', 'tsvirt', 'storage')).isFile());
});
