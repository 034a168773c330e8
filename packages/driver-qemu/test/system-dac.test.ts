// qemu:///system as root: QEMU runs as the user qemu.conf names (a user this test
// creates and removes), and the files a guest uses are that user's while it runs
// and their owner's again once it stops, however it stops (libvirt's DAC driver).
// The guest is the tiny real Linux guest under TCG, named with a comma, a space
// and a quote, which must work end to end.

import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DomainCreateFlags, DomainShutoffReason, DomainState, DomainXMLFlags, ErrorNumber, open, registerDriver, VirError, type Connect, type Domain,
} from '@tsvirt/core';
import t from 'tap';
import { driver } from '../src/driver.js';
import { tinyGuest } from './fixtures/guest/tiny-guest.js';

const has = (cmd: string, ...args: string[]) => spawnSync(cmd, args).error === undefined;
const skip = process.getuid?.() !== 0 ? 'needs root (qemu:///system)'
  : !has('qemu-system-x86_64', '--version') ? 'no qemu-system-x86_64'
  : !has('setpriv', '--version') || !has('useradd', '--help') ? 'no setpriv or useradd' : false;
t.setTimeout(300_000);

const guest = skip ? undefined : await tinyGuest();
const reason = skip || (guest && 'skip' in guest ? guest.skip : false);
if (reason) {
  t.skip(`QEMU as an unprivileged user: ${reason}`);
} else {
  await suite(guest as { kernel: string; initrd: string });
}

async function suite(fixture: { kernel: string; initrd: string }): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-system-dac-'));
  // QEMU's user must get through to the images and to its own folder under run/.
  chmodSync(dir, 0o711);
  const user = `tsvt${randomBytes(4).toString('hex')}`;
  execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', user]);
  t.teardown(() => {
    spawnSync('userdel', [user]);
    spawnSync('groupdel', [user]);
    rmSync(dir, { recursive: true, force: true });
  });
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }));
  const conf = path.join(dir, 'qemu.conf');
  writeFileSync(conf, `# as /etc/tsvirt/qemu.conf\nuser = "${user}"\n`);
  process.env.TSVIRT_QEMU_CONFIG_DIR = path.join(dir, 'config');
  process.env.TSVIRT_QEMU_RUN_DIR = path.join(dir, 'run');
  if (process.env.TSVIRT_QEMU) process.env.TSVIRT_QEMU_BINARY = process.env.TSVIRT_QEMU;
  registerDriver(driver);
  const runDir = process.env.TSVIRT_QEMU_RUN_DIR;

  // Root's files, as an administrator leaves them: QEMU's user can open none of them as they are.
  const images = path.join(dir, 'images');
  mkdirSync(images, { mode: 0o755 });
  const disk = path.join(images, 'disk.img');
  const spare = path.join(images, 'spare.img');
  const shared = path.join(images, 'shared.iso');
  const kernel = path.join(images, 'vmlinuz');
  const initrd = path.join(images, 'initrd');
  writeFileSync(disk, Buffer.alloc(1 << 20), { mode: 0o600 });
  writeFileSync(spare, Buffer.alloc(1 << 20), { mode: 0o600 });
  writeFileSync(shared, Buffer.alloc(1 << 20), { mode: 0o644 });
  copyFileSync(fixture.kernel, kernel);
  copyFileSync(fixture.initrd, initrd);
  for (const f of [kernel, initrd]) chmodSync(f, 0o600);

  const name = "a,b c'd";
  const xml = (domainName: string, extra = '') => `<domain type='qemu'>
  <name>${domainName.replace(/'/g, '&apos;')}</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>${kernel}</kernel><initrd>${initrd}</initrd><cmdline>console=ttyS0 quiet</cmdline></os>
  <features><acpi/></features>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${disk}'/><target dev='vda' bus='virtio'/></disk>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${shared}'><seclabel model='dac' relabel='no'/></source><target dev='vdb' bus='virtio'/><readonly/></disk>
    <serial type='pty'/>
    ${extra}
  </devices>
</domain>`;

  const owner = (file: string) => {
    const st = statSync(file);
    return `${st.uid}:${st.gid} ${(st.mode & 0o777).toString(8)}`;
  };
  const rootOwned = () => ({ disk: owner(disk), kernel: owner(kernel), initrd: owner(initrd), shared: owner(shared) });
  const before = { disk: '0:0 600', kernel: '0:0 600', initrd: '0:0 600', shared: '0:0 644' };
  const theirs = { disk: `${uid}:${gid} 600`, kernel: `${uid}:${gid} 600`, initrd: `${uid}:${gid} 600`, shared: '0:0 644' };
  const qemuPid = (domainName: string) => Number(/pid='(\d+)'/.exec(readFileSync(path.join(runDir, `${domainName}.xml`), 'utf8'))![1]);
  const ids = (pid: number) => {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (f: string) => new RegExp(`^${f}:\\s+(.*)$`, 'm').exec(status)![1]!.split(/\s+/).map(Number);
    return { uid: field('Uid'), gid: field('Gid') };
  };
  const gone = (pid: number) => !existsSync(`/proc/${pid}`) || /\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  /** What a stopped guest must not leave in the run folder: monitor, pidfile, own folder, ownership record. */
  const leftovers = (dom: Domain) => readdirSync(runDir).filter((f) => f.includes(dom.uuid) || f === `${name}.pid`);
  async function until(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(20);
    }
  }

  let conn: Connect = await open('qemu:///system');
  t.teardown(async () => {
    // Whatever failed above: no guest outlives the test.
    const c = await open('qemu:///system');
    for (const d of await c.listAllDomains(1)) await d.destroy().catch(() => {});
    await c.close();
  });

  await t.test('the guest runs as the configured user, on root\'s files given to it for its lifetime', async (t) => {
    t.same(rootOwned(), before);
    const dom = await conn.defineDomainXML(xml(name));
    await dom.create();
    const pid = qemuPid(name);
    t.same(ids(pid), { uid: [uid, uid, uid, uid], gid: [gid, gid, gid, gid] }, `QEMU's real, effective, saved and fs ids are ${user}'s`);
    t.same(rootOwned(), theirs, 'image, kernel and initrd are its user\'s, modes unchanged; the relabel=\'no\' disk is left alone');
    t.match(await dom.getXMLDesc(), `  <seclabel type='dynamic' model='dac' relabel='yes'>
    <label>+${uid}:+${gid}</label>
    <imagelabel>+${uid}:+${gid}</imagelabel>
  </seclabel>`, 'the live XML shows the label as libvirt does');
    t.notMatch(await dom.getXMLDesc(DomainXMLFlags.INACTIVE), /<seclabel type='dynamic'/, 'the persistent definition has none');
    t.match(await dom.getXMLDesc(DomainXMLFlags.INACTIVE), new RegExp(`<source file='${shared}'>\\s*<seclabel model='dac' relabel='no'/>\\s*</source>`), 'a disk\'s own seclabel is kept');
    // The guest's kernel reads its disks while it boots: through QEMU, as QEMU's user.
    await until('the guest to read its disk', async () => (await dom.blockStats('vda')).rdReq > 0, 120_000);
    t.ok((await dom.blockStats('vda')).rdReq > 0, 'the guest reads the image QEMU opened read-write as its user');
    t.same((await conn.listAllDomains(1)).map((d) => d.name), [name], 'listed by its name');

    // A new connection (a restarted daemon does the same) finds the guest by its state file.
    await conn.close();
    conn = await open('qemu:///system');
    const again = await conn.lookupDomainByName(name);
    t.same(await again.getState(), { state: DomainState.RUNNING, reason: 1 }, 'found again, running');
    t.same(rootOwned(), theirs, 'its files stay its user\'s');
    await again.destroy();
    t.ok(gone(pid));
    t.same(rootOwned(), before, 'destroyed: every file is root\'s again, modes unchanged');
    t.same(leftovers(again), [], 'no monitor, pidfile, own folder or ownership record left');
  });

  await t.test('a crash gives the files back too, seen live or found after a restart', async (t) => {
    const dom = await conn.lookupDomainByName(name);
    await dom.create(DomainCreateFlags.START_PAUSED);
    t.same(rootOwned(), theirs);
    process.kill(qemuPid(name), 'SIGKILL');
    await until('the crash to be seen', async () => (await dom.getState()).state === DomainState.SHUTOFF);
    t.same(await dom.getState(), { state: DomainState.SHUTOFF, reason: DomainShutoffReason.CRASHED });
    t.same(rootOwned(), before, 'SIGKILL: files back to root');
    t.same(leftovers(dom), [], 'and no stale monitor socket or pidfile');

    await dom.create(DomainCreateFlags.START_PAUSED);
    const pid = qemuPid(name);
    await conn.close();
    process.kill(pid, 'SIGKILL');
    await until('QEMU to die', () => gone(pid));
    t.same(rootOwned(), theirs, 'nobody watched it die');
    conn = await open('qemu:///system');
    const found = await conn.lookupDomainByName(name);
    t.equal((await found.getState()).state, DomainState.SHUTOFF);
    t.same(rootOwned(), before, 'the next connection gives them back');
    t.same(leftovers(found), [], 'and removes what the dead QEMU left');
  });

  await t.test('save and restore through QEMU\'s own folder, as its user', async (t) => {
    const dom = await conn.lookupDomainByName(name);
    await dom.create(DomainCreateFlags.START_PAUSED);
    const saved = path.join(dir, 'saved.img');
    await dom.save(saved);
    t.same(rootOwned(), before, 'saved (shut off): files back to root');
    t.equal(owner(saved), '0:0 600', 'the save file is root\'s: the daemon writes it');
    await conn.restoreDomain(saved);
    t.same(ids(qemuPid(name)).uid, [uid, uid, uid, uid], 'restored QEMU runs as the user');
    t.same(rootOwned(), theirs);
    await dom.destroy();
    t.same(rootOwned(), before);
  });

  await t.test('a disk attached live is given to QEMU\'s user, and back when the guest stops', async (t) => {
    const dom = await conn.lookupDomainByName(name);
    await dom.create(DomainCreateFlags.START_PAUSED);
    await dom.attachDevice(`<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${spare}'/><target dev='vdc' bus='virtio'/></disk>`, 1);
    t.equal(owner(spare), `${uid}:${gid} 600`);
    await dom.destroy();
    t.equal(owner(spare), '0:0 600');
  });

  await t.test('a static label runs QEMU as that uid:gid and changes no file', async (t) => {
    // Diskless: no file of root's would be open to nobody.
    const dom = await conn.createDomainXML(`<domain type='qemu'><name>static</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os><devices/>
  <seclabel type='static' model='dac' relabel='no'><label>+65534:+65534</label></seclabel></domain>`, DomainCreateFlags.START_PAUSED);
    t.same(ids(qemuPid('static')), { uid: [65534, 65534, 65534, 65534], gid: [65534, 65534, 65534, 65534] });
    t.match(await dom.getXMLDesc(), "<seclabel type='static' model='dac' relabel='no'>\n    <label>+65534:+65534</label>");
    t.same(rootOwned(), before, 'relabel=\'no\': nothing chowned');
    await dom.destroy();
  });

  await t.test('with dynamic_ownership = 0 nothing is chowned, and root\'s 0600 image stays out of reach', async (t) => {
    writeFileSync(conf, `user = "${user}"\ndynamic_ownership = 0\n`);
    const plain = await open('qemu:///system');
    t.teardown(() => plain.close());
    const dom = await plain.lookupDomainByName(name);
    const err = await dom.create(DomainCreateFlags.START_PAUSED).then(() => undefined, (e: unknown) => e);
    t.ok(err instanceof VirError && err.code === ErrorNumber.INTERNAL_ERROR, String(err));
    t.match((err as Error).message, /Permission denied/, 'QEMU, as its user, cannot open root\'s image');
    t.same(rootOwned(), before);
    writeFileSync(conf, `user = "${user}"\n`);
  });

  await t.test('qemu.conf errors say where', async (t) => {
    writeFileSync(conf, 'user = tsvirt\n');
    const err = await open('qemu:///system').then(() => undefined, (e: unknown) => e);
    t.match(err, { code: ErrorNumber.CONF_SYNTAX, message: /qemu\.conf:1: user: expecting a quoted string, a number or a list, got 'tsvirt'/ });
    writeFileSync(conf, 'cgroup_device_acl = [\n  "/dev/null", # a comment\n  "/dev/full"\n]\nuser = 7\n');
    t.match(await open('qemu:///system').then(() => undefined, (e: unknown) => e), { message: /qemu\.conf:5: user must be a string/ }, 'lists may span lines');
    writeFileSync(conf, 'user = "no-such-user-here"\n');
    t.match(await open('qemu:///system').then(() => undefined, (e: unknown) => e), { message: /Failed to parse user 'no-such-user-here'/ });
    writeFileSync(conf, `user = "${user}"\n`);
  });

  await t.test('the longest name that file names allow works; a longer one is refused as such', async (t) => {
    const long = 'é'.repeat(116) + 'x';
    const dom = await conn.defineDomainXML(`<domain type='qemu'><name>${long}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os><devices/></domain>`);
    await dom.create(DomainCreateFlags.START_PAUSED);
    t.same((await conn.listAllDomains(1)).map((d) => d.name), [long]);
    await dom.destroy();
    await dom.undefine();
    const err = await conn.defineDomainXML(`<domain type='qemu'><name>${long}x</name><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os><devices/></domain>`)
      .then(() => undefined, (e: unknown) => e);
    t.match(err, { code: ErrorNumber.XML_ERROR, message: /is longer than 233 bytes, the most that file names made from it allow/ });
  });

  await t.test('undefined at the end, nothing of it left', async (t) => {
    const dom = await conn.lookupDomainByName(name);
    await dom.undefine();
    await conn.close();
    t.same(readdirSync(runDir).filter((f) => !f.startsWith('capabilities-') && f !== 'log' && f !== 'cache' && f !== 'autostarted'), []);
  });
}
