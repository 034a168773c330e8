// A pool of type 'fs' on a real file system, in a mount namespace this test makes (as
// root): pool-build --no-overwrite makes an ext4 file system on an image file (and will
// not make one over it again), pool-start mounts it on the pool's folder, volumes are
// files on it, pool-destroy unmounts it (the volumes stay on the file system), pool-delete
// removes the folder.

import { spawnSync } from 'node:child_process';
import { enterPrivateMountNs, mountNsUnavailable } from './fixtures/private-netns.js';

const has = (cmd: string, arg = '--version') => spawnSync(cmd, [arg]).status === 0;
const why = mountNsUnavailable() ?? (!has('mkfs.ext4', '-V') ? 'mkfs.ext4 is not installed' : undefined)
  ?? (!has('blkid', '-V') ? 'blkid is not installed' : undefined);
if (!why) enterPrivateMountNs(import.meta.url);

const { default: t } = await import('tap');
const { existsSync, readFileSync, writeFileSync } = await import('node:fs');
const path = await import('node:path');
const { ErrorNumber, StoragePoolBuildFlags, VirError } = await import('@tsvirt/core');
const { registerDriver } = await import('@tsvirt/core/driver');
const { driver } = await import('../src/driver.js');
const { privateSession } = await import('./fixtures/private-session.js');
const { rmSync } = await import('node:fs');

const mounted = (target: string) => readFileSync('/proc/self/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1] === target);

t.test('fs pools: build, mount, volumes, unmount, delete', { skip: why ?? false }, async (t) => {
  const dir = privateSession('tsvirt-fs-pool-');
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  registerDriver(driver);
  const { open } = await import('@tsvirt/core');
  const conn = await open('qemu:///session');
  t.teardown(() => conn.close());
  const image = path.join(dir, 'fs.img');
  writeFileSync(image, Buffer.alloc(0));
  spawnSync('truncate', ['-s', '64M', image]);
  const target = path.join(dir, 'mnt');
  const xml = `<pool type='fs'><name>fs1</name><source><device path='${image}'/><format type='ext4'/></source><target><path>${target}</path></target></pool>`;

  const failure = async (p: Promise<unknown>) => {
    const e = await p.then(() => undefined, (err: unknown) => err);
    if (!(e instanceof VirError)) throw new Error(`expected a VirError, got ${String(e)}`);
    return e;
  };
  const noDevice = await failure(conn.defineStoragePoolXML(`<pool type='fs'><name>x</name><target><path>${target}</path></target></pool>`));
  t.equal(noDevice.code, ErrorNumber.XML_ERROR);
  t.match(noDevice.message, 'missing storage pool source device path');

  const pool = await conn.defineStoragePoolXML(xml);
  t.match(await pool.getXMLDesc(), `<device path='${image}'/>`, 'the source device is kept');
  await pool.build(StoragePoolBuildFlags.NO_OVERWRITE);
  t.ok(existsSync(target), 'the folder is made');
  t.equal(spawnSync('blkid', ['-o', 'value', '-s', 'TYPE', '-p', image], { encoding: 'utf8' }).stdout.trim(), 'ext4', 'an ext4 file system on the device');
  const again = await failure(pool.build(StoragePoolBuildFlags.NO_OVERWRITE));
  t.equal(again.code, ErrorNumber.STORAGE_POOL_BUILT);
  t.equal(again.message, `Storage pool already built: Device '${image}' already formatted using 'ext4'`);

  await pool.create();
  t.ok(mounted(target), 'pool-start mounts the file system');
  const info = await pool.getInfo();
  t.ok(info.capacity > 50 * 2 ** 20 && info.capacity <= 64 * 2 ** 20, `the file system's capacity (${info.capacity})`);
  const vol = await pool.createVolumeXML("<volume><name>disk1.img</name><capacity unit='MiB'>8</capacity></volume>");
  t.equal(vol.path, path.join(target, 'disk1.img'));
  t.same((await pool.listAllVolumes()).length, 2, 'the new volume and ext4\'s lost+found');
  t.match((await failure(pool.create())).message, "storage pool 'fs1' is already active");

  await pool.destroy();
  t.notOk(mounted(target), 'pool-destroy unmounts it');
  t.notOk(existsSync(path.join(target, 'disk1.img')), 'the volume is on the file system, not in the folder');
  await pool.create();
  t.ok(existsSync(path.join(target, 'disk1.img')), 'mounted again, the volume is there');
  await pool.refresh();
  t.ok((await pool.listAllVolumes()).some((v) => v.name === 'disk1.img'));
  await pool.destroy();

  // --overwrite makes a new, empty file system
  await pool.build(StoragePoolBuildFlags.OVERWRITE);
  await pool.create();
  t.notOk((await pool.listAllVolumes()).some((v) => v.name === 'disk1.img'), 'a fresh file system');
  await pool.destroy();

  // a device that is not there: the pool stays inactive
  const missing = await conn.defineStoragePoolXML(xml.replace('fs1', 'fs2').replace(image, path.join(dir, 'none.img')).replace(target, `${target}2`));
  await missing.build();
  const e = await failure(missing.create());
  t.match(e.message, /cannot mount/);
  t.notOk(await missing.isActive());
  await missing.delete();
  await missing.undefine();

  await pool.delete();
  t.notOk(existsSync(target), 'pool-delete removes the folder');
  await pool.undefine();
});
