// Snapshots of a real guest with a qcow2 disk (q35, TCG), one virsh process per
// command: internal snapshots of the running and the shut-off guest, the tree, revert
// (disk contents checked with qemu-io, the restored memory by a guest that answers the
// power button at once instead of booting), an external disk-only snapshot that moves
// the disk onto a new image, delete, and undefine with snapshot metadata.

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { GUEST_READY_LINE, tinyGuest, tinyGuestDomainXml } from './fixtures/guest/tiny-guest.js';
import { succeeds, until, virshQemu } from './fixtures/virsh-qemu.js';

const run = promisify(execFile);
t.setTimeout(600_000);
const dir = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-virsh-snap-'));
const { virsh } = virshQemu(dir);
t.teardown(async () => {
  await virsh('destroy', 'snap');
  rmSync(dir, { recursive: true, force: true });
});

const guest = await tinyGuest();
const haveTools = await run('qemu-io', ['--version']).then(() => true, () => false);

/** Write a byte pattern at the start of an image (the guest is off), or check that it is there. */
const writePattern = (image: string, byte: number) => run('qemu-io', ['-f', 'qcow2', '-c', `write -P ${byte} 0 64k`, image]);
const hasPattern = (image: string, byte: number) =>
  run('qemu-io', ['-f', 'qcow2', '-c', `read -P ${byte} 0 64k`, image]).then((r) => !/Pattern verification failed/.test(r.stdout + r.stderr));

t.test('internal and external snapshots, tree, revert, delete', { skip: 'skip' in guest ? guest.skip : !haveTools ? 'qemu-io is not installed' : false }, async (t) => {
  if ('skip' in guest) return;
  const serialLog = path.join(dir, 'serial.log');
  const image = path.join(dir, 'disk.qcow2');
  await run('qemu-img', ['create', '-f', 'qcow2', image, '16M']);
  const xml = tinyGuestDomainXml(guest, 'snap', serialLog, `
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${image}'/><target dev='vda' bus='virtio'/></disk>`)
    .replace("machine='pc'", "machine='q35'");
  writeFileSync(path.join(dir, 'snap.xml'), xml);
  const ok = succeeds(t, virsh);
  const fails = async (pattern: RegExp, ...args: string[]) => {
    const r = await virsh(...args);
    t.equal(r.code, 1, `virsh ${args.join(' ')} fails`);
    t.match(r.stderr, pattern);
  };
  const readyLines = () => (existsSync(serialLog) ? readFileSync(serialLog, 'latin1').split(GUEST_READY_LINE).length - 1 : 0);
  const state = async () => (await ok('domstate', '--reason', 'snap')).trim();

  await ok('define', path.join(dir, 'snap.xml'));
  // Shut off: qemu-img snapshots the image.
  await writePattern(image, 0x11);
  t.match(await ok('snapshot-create-as', 'snap', 'off1', 'before boot'), /Domain snapshot off1 created/);
  await writePattern(image, 0x22);

  await ok('start', 'snap');
  await until('the guest to boot', () => readyLines() === 1, 180_000);
  // Running: QEMU's snapshot-save job takes memory and disk.
  t.match(await ok('snapshot-create-as', 'snap', 'run1'), /Domain snapshot run1 created/);
  t.match(await ok('snapshot-list', 'snap', '--tree'), /off1\n  \|\n  \+- run1\n/);
  const info = await ok('snapshot-info', 'snap', 'run1');
  t.match(info, /State: +running/);
  t.match(info, /Location: +internal/);
  t.match(info, /Parent: +off1/);
  const runXml = await ok('snapshot-dumpxml', 'snap', 'run1');
  t.match(runXml, "<memory snapshot='internal'/>");
  t.match(runXml, "<disk name='vda' snapshot='internal'/>");
  t.match(runXml, /<inactiveDomain type='qemu'>/, 'the persistent definition beside the running one');
  await fails(/domain snapshot run1 already exists/, 'snapshot-create-as', 'snap', 'run1');
  await fails(/no domain snapshot with matching name 'nope'/, 'snapshot-revert', 'snap', 'nope');

  // Revert to the running snapshot from a shut-off guest whose disk changed meanwhile.
  await ok('destroy', 'snap');
  await writePattern(image, 0x33);
  t.match(await ok('snapshot-revert', 'snap', 'run1'), /reverted/);
  t.equal(await state(), 'running (from snapshot)');
  // Its memory came back: acpid is already listening, no boot happened.
  const revertedAt = Date.now();
  await ok('shutdown', 'snap');
  await until('the restored guest to power off', async () => (await state()).startsWith('shut off'), 60_000);
  t.comment(`restored guest powered off ${Date.now() - revertedAt} ms after the revert`);
  // The new QEMU started the console file afresh: a boot would have printed the ready line into it.
  t.equal(readyLines(), 0, 'it never booted again');
  t.ok(await hasPattern(image, 0x22), 'the disk is as it was at the running snapshot');

  // Revert to the shut-off snapshot: the disk as it was before the first boot.
  await ok('snapshot-revert', 'snap', 'off1');
  t.equal(await state(), 'shut off (from snapshot)');
  t.ok(await hasPattern(image, 0x11), 'the disk is as it was at the shut-off snapshot');
  t.equal((await ok('snapshot-current', 'snap', '--name')).trim(), 'off1');

  // External, disk-only, while running: the disk moves onto a new qcow2 image backed by the old one.
  await ok('start', 'snap');
  t.match(await ok('snapshot-create-as', 'snap', 'ext1', '--disk-only'), /Domain snapshot ext1 created/);
  const overlay = path.join(dir, 'disk.ext1');
  t.match(await ok('domblklist', 'snap'), new RegExp(`^ vda +${overlay}$`, 'm'));
  t.match(await ok('dumpxml', '--inactive', 'snap'), `<source file='${overlay}'/>`, 'in the persistent definition too');
  const { stdout: chain } = await run('qemu-img', ['info', '-U', '--output=json', overlay]);
  t.equal(JSON.parse(chain)['backing-filename'], image, 'backed by the old image');
  t.match(await ok('snapshot-info', 'snap', 'ext1'), /State: +disk-snapshot\n[^]*Location: +external/);
  t.same((await ok('snapshot-list', 'snap', '--external', '--name')).trim().split('\n'), ['ext1']);
  t.same((await ok('snapshot-list', 'snap', '--internal', '--name')).trim().split('\n').sort(), ['off1', 'run1']);
  await fails(/revert to external snapshot not supported yet/, 'snapshot-revert', 'snap', 'ext1');
  await fails(/deletion of 1 external disk snapshots not supported yet/, 'snapshot-delete', 'snap', 'ext1');
  await ok('snapshot-delete', 'snap', 'ext1', '--metadata');
  await ok('destroy', 'snap');

  // Delete: from the image (qemu-img while shut off) and from the tree; children move up.
  t.match(await ok('snapshot-delete', 'snap', 'off1'), /Domain snapshot off1 deleted/);
  t.same((await ok('snapshot-list', 'snap', '--roots', '--name')).trim(), 'run1');
  const { stdout: tags } = await run('qemu-img', ['snapshot', '-l', image]);
  t.notMatch(tags, /off1/, 'gone from the image');
  t.match(tags, /run1/);

  await fails(/cannot delete inactive domain with 1 snapshots/, 'undefine', 'snap');
  await ok('undefine', 'snap', '--snapshots-metadata');
  t.notOk(existsSync(path.join(dir, 'config', 'tsvirt', 'qemu', 'snapshot', 'snap')), 'no snapshot records left');
});
