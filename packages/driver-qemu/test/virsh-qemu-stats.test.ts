// Statistics of real guests through virsh -c qemu:///session, on both x86 machines (q35
// and pc): domstats with libvirt 9.0's groups and field names, dommemstat, a shut-off
// domain's statistics, and vCPU hot-plug (setvcpus --live, vcpucount, vcpuinfo). One virsh process per command; the tiny guest boots
// under TCG.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { GUEST_READY_LINE, tinyGuest, tinyGuestDomainXml } from './fixtures/guest/tiny-guest.js';
import { succeeds, until, virshQemu } from './fixtures/virsh-qemu.js';

t.setTimeout(600_000);
const dir = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-virsh-stats-'));
const { virsh } = virshQemu(dir);
const MACHINES = ['q35', 'pc'] as const;
t.teardown(async () => {
  for (const m of MACHINES) await virsh('destroy', `st-${m}`);
  rmSync(dir, { recursive: true, force: true });
});

const guest = await tinyGuest();

// The fields libvirt 9.0's QEMU driver reports, in its order, for a running TCG guest
// with one of two vCPUs online, a raw virtio disk and a user-mode NIC (which has no host
// device, so no net.0.*), as its session daemon printed them for the same domain.
const RUNNING_FIELDS = [
  'state.state', 'state.reason',
  'cpu.time', 'cpu.user', 'cpu.system', 'cpu.cache.monitor.count', 'cpu.haltpoll.success.time', 'cpu.haltpoll.fail.time',
  'balloon.current', 'balloon.maximum', 'balloon.last-update', 'balloon.rss',
  'vcpu.current', 'vcpu.maximum', 'vcpu.0.state', 'vcpu.0.time', 'vcpu.0.wait', 'vcpu.0.delay',
  'net.count',
  'block.count', 'block.0.name', 'block.0.path', 'block.0.backingIndex', 'block.0.rd.reqs', 'block.0.rd.bytes', 'block.0.rd.times',
  'block.0.wr.reqs', 'block.0.wr.bytes', 'block.0.wr.times', 'block.0.fl.reqs', 'block.0.fl.times', 'block.0.allocation',
  'block.0.capacity', 'block.0.physical',
  'dirtyrate.calc_status', 'dirtyrate.calc_start_time', 'dirtyrate.calc_period', 'dirtyrate.calc_mode',
];

/** virsh domstats' output for one domain as [name, value] pairs, in order. */
function parseDomstats(out: string, name: string): [string, string][] {
  const lines = out.split('\n');
  if (lines[0] !== `Domain: '${name}'`) throw new Error(`unexpected domstats output: ${out}`);
  return lines.slice(1).filter((l) => l.startsWith('  ')).map((l) => {
    const [k, ...v] = l.trim().split('=');
    return [k!, v.join('=')];
  });
}

for (const machine of MACHINES) {
  t.test(`${machine}: domstats of a running guest as libvirt names them, dommemstat, a shut-off guest's, setvcpus --live`, { skip: 'skip' in guest ? guest.skip : false }, async (t) => {
    if ('skip' in guest) return;
    const name = `st-${machine}`;
    const serialLog = path.join(dir, `${name}.serial`);
    const image = path.join(dir, `${name}-data.img`);
    writeFileSync(image, Buffer.alloc(8 << 20));
    const disk = `\n    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${image}'/><target dev='vda' bus='virtio'/></disk>`
      + "\n    <interface type='user'><model type='virtio'/></interface>";
    const xml = path.join(dir, `${name}.xml`);
    writeFileSync(xml, tinyGuestDomainXml(guest, name, serialLog, disk)
      .replace("machine='pc'", `machine='${machine}'`).replace('<vcpu>1</vcpu>', "<vcpu placement='static' current='1'>2</vcpu>"));
    const serial = () => (existsSync(serialLog) ? readFileSync(serialLog, 'latin1') : '');
    const ok = succeeds(t, virsh);
    await ok('define', xml);

    const off = new Map(parseDomstats(await ok('domstats', name), name));
    t.same([...off.keys()], ['state.state', 'state.reason', 'balloon.current', 'balloon.maximum', 'vcpu.current', 'vcpu.maximum', 'net.count',
      'block.count', 'block.0.name', 'block.0.path', 'block.0.capacity', 'block.0.physical'], 'a shut-off guest: what its definition and images say');
    t.equal(off.get('block.0.capacity'), String(8 << 20));
    t.same(await virsh('schedinfo', name), { code: 1, stdout: 'Scheduler      : Unknown\n\n', stderr: 'error: Operation not supported: CPU tuning is not available in session mode\n' },
      'schedinfo: no CPU tuning in session mode, in libvirt\'s words');

    await ok('start', name);
    await until(`${GUEST_READY_LINE} on the serial console`, () => serial().includes(GUEST_READY_LINE), 180_000);
    const running = parseDomstats(await ok('domstats', name), name);
    t.same(running.map(([k]) => k), RUNNING_FIELDS, 'the fields and their order are libvirt\'s');
    const v = new Map(running);
    const num = (k: string) => Number(v.get(k));
    t.equal(v.get('state.state'), '1');
    t.equal(v.get('state.reason'), '1', 'running, booted');
    t.ok(num('cpu.time') > 0 && num('cpu.time') === num('cpu.user') + num('cpu.system'), `cpu.time ${v.get('cpu.time')} = user + system`);
    t.equal(v.get('balloon.current'), '131072');
    t.ok(num('balloon.rss') > 10_000, `QEMU's RSS ${v.get('balloon.rss')} KiB`);
    t.same([v.get('vcpu.current'), v.get('vcpu.maximum'), v.get('vcpu.0.state')], ['1', '2', '1']);
    t.ok(num('vcpu.0.time') > 0 && num('vcpu.0.time') <= num('cpu.time'), 'the vCPU thread\'s time is part of QEMU\'s');
    t.equal(v.get('block.0.path'), image);
    t.ok(num('block.0.rd.reqs') > 0 && num('block.0.rd.bytes') >= 512, `the guest's kernel read the disk's partition table (${v.get('block.0.rd.reqs')} reads)`);
    t.equal(v.get('block.0.capacity'), String(8 << 20));
    t.equal(v.get('block.0.physical'), String(8 << 20));

    // Groups chosen, the state filters, and --enforce with a group QEMU has.
    t.same(parseDomstats(await ok('domstats', '--vcpu', '--enforce', name), name).map(([k]) => k),
      ['vcpu.current', 'vcpu.maximum', 'vcpu.0.state', 'vcpu.0.time', 'vcpu.0.wait', 'vcpu.0.delay']);
    t.equal(await ok('domstats', '--list-shutoff', '--state'), '\n', 'a running guest is not shut off');
    t.match(await ok('domstats', '--list-running', '--state'), `Domain: '${name}'\n  state.state=1\n  state.reason=1\n`);

    const memstat = await ok('dommemstat', name);
    t.match(memstat, /^actual 131072\nlast_update 0\nrss \d+\n\n$/, 'dommemstat: the balloon, its last update (no stats period set), QEMU\'s RSS');

    // vCPU hot-plug: a second vCPU into QEMU's free slot, seen by vcpucount, vcpuinfo and domstats.
    const fails = async (...args: string[]) => (await virsh(...args)).stderr;
    t.equal(await fails('setvcpus', name, '3', '--live'), 'error: invalid argument: requested vcpus is greater than max allowable vcpus for the live domain: 3 > 2\n');
    t.equal(await fails('setvcpus', name, '0', '--live'), "error: Can't set 0 processors for a VM\n");
    await ok('setvcpus', name, '2', '--live');
    t.match(await ok('vcpucount', name, '--live', '--active'), /^2\n/);
    t.equal((await ok('vcpuinfo', name)).match(/^VCPU:/gm)?.length, 2, 'vcpuinfo lists both vCPUs');
    t.match(await ok('domstats', '--vcpu', name), /vcpu\.current=2\n[^]*vcpu\.1\.state=1\n/);
    t.match(await ok('vcpucount', name, '--config', '--active'), /^1\n/, 'the persistent definition keeps one');
    // Unplug asks the guest, which may take longer than libvirt's 5 s wait; either way that slot stays empty.
    const unplug = await virsh('setvcpus', name, '1', '--live');
    t.ok(unplug.code === 0 || /vcpu unplug request timed out/.test(unplug.stderr), `unplug: ${unplug.stderr.trim() || 'done'}`);
    t.match(await fails('setvcpus', name, '2', '--live'), /QEMU cannot plug a vCPU back into a slot it unplugged/, 'no re-plug into the same QEMU (it would exit)');
    t.equal((await ok('domstate', name)).trim(), 'running');

    await ok('destroy', name);
    await ok('undefine', name);
  });
}
