// A real guest's whole life through packages/virsh/bin/virsh -c qemu:///session,
// one virsh process per command (each reattaches to the running QEMU), with the
// XDG folders in a temporary directory. The tiny guest boots under TCG.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { QmpClient } from '../src/qmp/qmp-client.js';
import { GUEST_READY_LINE, tinyGuest, tinyGuestDomainXml } from './fixtures/guest/tiny-guest.js';
import { until, virshQemu } from './fixtures/virsh-qemu.js';

t.setTimeout(300_000);
const dir = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-virsh-qemu-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const { virsh, runDir } = virshQemu(dir);

const guest = await tinyGuest();

t.test('define → start → boots → suspend → resume → attach and detach disk and interface → reboot → shutdown → start → destroy → undefine', { skip: 'skip' in guest ? guest.skip : false }, async (t) => {
  if ('skip' in guest) return;
  const serialLog = path.join(dir, 'serial.log');
  const image = path.join(dir, 'data.img');
  writeFileSync(image, Buffer.alloc(4 << 20));
  const xml = path.join(dir, 'tiny.xml');
  writeFileSync(xml, tinyGuestDomainXml(guest, 'tiny', serialLog));
  const diskXml = path.join(dir, 'disk.xml');
  writeFileSync(diskXml, `<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${image}'/><target dev='vdb' bus='virtio'/></disk>\n`);
  const serial = () => (existsSync(serialLog) ? readFileSync(serialLog, 'latin1') : '');
  const state = async () => (await virsh('domstate', '--reason', 'tiny')).stdout.trim();

  t.same(await virsh('define', xml), { code: 0, stdout: `Domain 'tiny' defined from ${xml}\n\n`, stderr: '' });
  // The monitor socket is named by the domain's uuid.
  const uuid = (await virsh('domuuid', 'tiny')).stdout.trim();
  const monitor = () => path.join(runDir, `${uuid}.qmp`);
  t.same(await virsh('start', 'tiny'), { code: 0, stdout: "Domain 'tiny' started\n\n", stderr: '' });
  const second = await virsh('start', 'tiny');
  t.equal(second.code, 1);
  t.match(second.stderr, /Domain is already active|domain is already running/);

  const booted = performance.now();
  await until(`${GUEST_READY_LINE} on the serial console`, () => serial().includes(GUEST_READY_LINE), 120_000);
  t.comment(`guest ready ${(performance.now() - booted).toFixed(0)} ms after start returned`);

  t.equal((await virsh('suspend', 'tiny')).stdout, "Domain 'tiny' suspended\n\n");
  t.equal(await state(), 'paused (user)');
  t.equal((await virsh('resume', 'tiny')).stdout, "Domain 'tiny' resumed\n\n");
  t.equal(await state(), 'running (unpaused)');

  t.same(await virsh('attach-device', 'tiny', diskXml, '--live'), { code: 0, stdout: 'Device attached successfully\n\n', stderr: '' });
  t.match((await virsh('domblklist', 'tiny')).stdout, new RegExp(`^ vdb +${image}$`, 'm'));
  // Between virsh commands nobody holds the monitor: ask QEMU itself.
  const qmp = await QmpClient.connect({ socketPath: monitor() });
  const blocks = await qmp.execute<Array<{ qdev?: string; inserted?: { file: string } }>>('query-block');
  await qmp.close();
  t.ok(blocks.some((b) => b.qdev?.includes('virtio-disk1') && b.inserted?.file === image), 'query-block shows the attached disk');

  // Hot-unplug: device_del only asks the guest; its ACPI PCI hotplug ejects the card,
  // then QEMU reports DEVICE_DELETED, which detach waits for (and fails without).
  let unplugStart = performance.now();
  t.same(await virsh('detach-device', 'tiny', diskXml, '--live'), { code: 0, stdout: 'Device detached successfully\n\n', stderr: '' });
  t.comment(`disk detached (DEVICE_DELETED) in ${(performance.now() - unplugStart).toFixed(0)} ms`);
  t.notMatch((await virsh('domblklist', 'tiny')).stdout, /vdb/, 'gone from the live XML');
  const afterUnplug = await QmpClient.connect({ socketPath: monitor() });
  const [pci, nodes] = [await afterUnplug.execute<Array<{ devices: Array<{ qdev_id: string }> }>>('query-pci'),
    await afterUnplug.execute<Array<{ 'node-name': string }>>('query-named-block-nodes')];
  await afterUnplug.close();
  t.notOk(pci.some((bus) => bus.devices.some((d) => d.qdev_id === 'virtio-disk1')), 'the card is off the PCI bus');
  t.notOk(nodes.some((n) => n['node-name'].startsWith('hotplug-')), 'its block nodes are deleted');

  const nicXml = path.join(dir, 'nic.xml');
  writeFileSync(nicXml, "<interface type='user'><mac address='52:54:00:aa:bb:cc'/><model type='virtio'/></interface>\n");
  t.same(await virsh('attach-device', 'tiny', nicXml, '--live'), { code: 0, stdout: 'Device attached successfully\n\n', stderr: '' });
  t.match((await virsh('domiflist', 'tiny')).stdout, /52:54:00:aa:bb:cc/);
  unplugStart = performance.now();
  t.same(await virsh('detach-device', 'tiny', nicXml, '--live'), { code: 0, stdout: 'Device detached successfully\n\n', stderr: '' });
  t.comment(`interface detached (DEVICE_DELETED) in ${(performance.now() - unplugStart).toFixed(0)} ms`);
  t.notMatch((await virsh('dumpxml', 'tiny')).stdout, /52:54:00:aa:bb:cc/, 'gone from the live XML');

  // Reboot: the guest powers off, QEMU pauses instead of exiting, and whichever
  // connection sees it next (here, a later virsh) resets and resumes it.
  const readyLines = () => serial().split(GUEST_READY_LINE).length - 1;
  t.equal((await virsh('reboot', 'tiny')).stdout, "Domain 'tiny' is being rebooted\n\n");
  await until('the guest to come up again', async () => (await state()) === 'running (booted)' && readyLines() >= 2, 120_000);
  t.pass('rebooted: the ready line shows again');

  t.equal((await virsh('shutdown', 'tiny')).stdout, "Domain 'tiny' is being shutdown\n\n");
  await until('the guest to power off', async () => (await state()).startsWith('shut off'), 30_000);
  t.equal(await state(), 'shut off (shutdown)');
  t.notOk(existsSync(monitor()), 'no monitor socket after the guest powered off');
  t.notMatch((await virsh('domblklist', 'tiny')).stdout, /vdb/, 'a live-only disk is gone with the run');

  t.equal((await virsh('start', 'tiny')).code, 0);
  t.equal(await state(), 'running (booted)');
  const pid = Number(/pid='(\d+)'/.exec(readFileSync(path.join(runDir, 'tiny.xml'), 'utf8'))![1]);
  t.equal((await virsh('destroy', 'tiny')).stdout, "Domain 'tiny' destroyed\n\n");
  t.equal(await state(), 'shut off (destroyed)');
  t.notOk(existsSync(`/proc/${pid}/cmdline`) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('tiny'), 'QEMU is gone');
  t.equal((await virsh('undefine', 'tiny')).stdout, "Domain 'tiny' has been undefined\n\n");
  t.equal((await virsh('list', '--all', '--name')).stdout.trim(), '');
  t.notOk(existsSync(path.join(runDir, 'tiny.xml')), 'nothing left of it in the run folder');
});
