// qemu:///system as root: QEMU runs as the user qemu.conf names (a user this test
// creates and removes), and the files a guest uses are that user's while it runs
// and their owner's again once it stops, however it stops (libvirt's DAC driver).
// The guest is the tiny real Linux guest under TCG, named with a comma, a space
// and a quote, which must work end to end.

import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DomainCreateFlags, DomainShutoffReason, DomainState, DomainXMLFlags, ErrorNumber, open, VirError, type Connect, type Domain,
} from '@tsvirt/core';
import { registerDriver } from '@tsvirt/core/driver';
import t from 'tap';
import { driver } from '../src/driver.js';
import { ensureSystemUser } from '../src/system-user.js';
import { otherUserCannotRead } from '../../core/test/fixtures/other-user.js';
import { GUEST_READY_LINE, tinyGuest } from './fixtures/guest/tiny-guest.js';

const VIRSH = fileURLToPath(new URL('../../virsh/bin/virsh', import.meta.url));
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
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }));
  t.teardown(async () => {
    // Whatever fails below: no guest outlives the test, then its user and folder go.
    const c = await open('qemu:///system').catch(() => undefined);
    for (const d of (await c?.listAllDomains(1)) ?? []) await d.destroy().catch(() => {});
    await c?.close();
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      const status = (() => { try { return readFileSync(`/proc/${pid}/status`, 'utf8'); } catch { return ''; } })();
      if (new RegExp(`^Uid:\\s+${uid}\\s`, 'm').test(status)) process.kill(Number(pid), 'SIGKILL');
    }
    spawnSync('userdel', [user]);
    spawnSync('groupdel', [user]);
    rmSync(dir, { recursive: true, force: true });
  });
  const conf = path.join(dir, 'qemu.conf');
  writeFileSync(conf, `# as /etc/tsvirt/qemu.conf\nuser = "${user}"\n`);
  process.env.TSVIRT_QEMU_CONFIG_DIR = path.join(dir, 'config');
  // As /run/tsvirt/qemu: the folders above the driver's own are not there yet.
  process.env.TSVIRT_QEMU_RUN_DIR = path.join(dir, 'run', 'tsvirt', 'qemu');
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
  // The guest's serial output: a file the driver makes for QEMU, as QEMU cannot in root's folder.
  const consoleLog = path.join(images, 'console.log');
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
    <serial type='file'><source path='${consoleLog}'/></serial>
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
  async function until(what: string, check: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(20);
    }
  }

  let conn: Connect = await open('qemu:///system');

  await t.test('the run folder has its own mode; the folders made above it stay open to every user', async (t) => {
    t.equal((statSync(runDir).mode & 0o777).toString(8), '711', 'QEMU\'s user may pass through to its own folder, and see nothing');
    t.equal((statSync(path.dirname(runDir)).mode & 0o777).toString(8), '755', 'as /run/tsvirt, where the read-only socket is');
    t.equal((statSync(path.join(dir, 'run')).mode & 0o777).toString(8), '755');
  });

  await t.test('the guest runs as the configured user, on root\'s files given to it for its lifetime', async (t) => {
    t.same(rootOwned(), before);
    const dom = await conn.defineDomainXML(xml(name));
    await dom.create();
    const pid = qemuPid(name);
    t.same(ids(pid), { uid: [uid, uid, uid, uid], gid: [gid, gid, gid, gid] }, `QEMU's real, effective, saved and fs ids are ${user}'s`);
    t.same(rootOwned(), theirs, 'image, kernel and initrd are its user\'s, modes unchanged; the relabel=\'no\' disk is left alone');
    t.equal(owner(consoleLog), `${uid}:${gid} 600`, 'the serial output file was made for it');
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

  await t.test('a disk attached live is given to QEMU\'s user, and back when it is detached or the guest stops', async (t) => {
    const dom = await conn.lookupDomainByName(name);
    await dom.create();
    // A detach completes when the guest's kernel lets go of the device: let it boot first.
    await until('the guest to be up', () => readFileSync(consoleLog, 'latin1').includes(GUEST_READY_LINE), 120_000);
    const spareXml = `<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${spare}'/><target dev='vdc' bus='virtio'/></disk>`;
    await dom.attachDevice(spareXml, 1);
    t.equal(owner(spare), `${uid}:${gid} 600`, 'attached: its user\'s');
    await dom.detachDevice(spareXml, 1);
    t.equal(owner(spare), '0:0 600', 'detached: root\'s again, the guest still running');
    t.equal(owner(disk), `${uid}:${gid} 600`, 'its other disk is left as it is');
    await dom.attachDevice(spareXml, 1);
    await dom.destroy();
    t.same({ ...rootOwned(), spare: owner(spare) }, { ...before, spare: '0:0 600' }, 'attached again, then destroyed: everything root\'s');
    t.equal(owner(consoleLog), '0:0 600', 'the serial output file too');
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

  await t.test('a static label with relabel=\'yes\' gives the files to that uid:gid; a file two guests use goes back when the last stops', async (t) => {
    const serialLog = path.join(images, 'serial.log');
    const other = await conn.createDomainXML(`<domain type='qemu'><name>other</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>${kernel}</kernel><initrd>${initrd}</initrd></os>
  <devices><disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='${spare}'/><target dev='vda' bus='virtio'/></disk>
  <serial type='file'><source path='${serialLog}'/></serial></devices>
  <seclabel type='static' model='dac' relabel='yes'><label>+65534:+65534</label></seclabel></domain>`, DomainCreateFlags.START_PAUSED);
    t.same(ids(qemuPid('other')).uid, [65534, 65534, 65534, 65534]);
    t.equal(owner(spare), '65534:65534 600', 'its disk is nobody\'s');
    t.equal(owner(serialLog), '65534:65534 600', 'its serial output file was made for it');
    t.equal(owner(kernel), '65534:65534 600', 'so is the kernel');
    const dom = await conn.lookupDomainByName(name);
    await dom.create(DomainCreateFlags.START_PAUSED);
    t.equal(owner(kernel), `${uid}:${gid} 600`, 'a second guest on the same kernel takes it for its own user');
    await other.destroy();
    t.equal(owner(spare), '0:0 600');
    t.equal(owner(serialLog), '0:0 600', 'the output file is root\'s, as the driver made it');
    t.equal(owner(kernel), `${uid}:${gid} 600`, 'the first guest to stop leaves the kernel to the one still running');
    await dom.destroy();
    t.equal(owner(kernel), '0:0 600', 'the last guest on it gives it back to its first owner');
  });

  await t.test('with dynamic_ownership = 0 nothing is chowned, and root\'s 0600 image stays out of reach', async (t) => {
    writeFileSync(conf, `user = "${user}"\ndynamic_ownership = 0\n`);
    const plain = await open('qemu:///system');
    t.teardown(() => plain.close());
    const dom = await plain.lookupDomainByName(name);
    const err = await dom.create(DomainCreateFlags.START_PAUSED).then(() => undefined, (e: unknown) => e);
    t.ok(err instanceof VirError && err.code === ErrorNumber.INTERNAL_ERROR, String(err));
    t.match((err as Error).message, /Permission denied/, 'QEMU, as its user, cannot open root\'s files');
    t.same(rootOwned(), before);
    writeFileSync(conf, `user = "${user}"\n`);
  });

  // virsh runs as the test's user: a clone that other users cannot enter keeps it out
  await t.test('qemu:///session runs QEMU as the calling user, and changes no owner', { skip: otherUserCannotRead(VIRSH) }, async (t) => {
    // The user's own XDG folders, as a login would give them.
    const home = path.join(dir, 'session');
    mkdirSync(home, { mode: 0o700 });
    chownSync(home, uid, gid);
    const env = {
      PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: path.join(home, 'config'), XDG_RUNTIME_DIR: path.join(home, 'run'),
      XDG_CACHE_HOME: path.join(home, 'cache'), ...(process.env.TSVIRT_QEMU ? { TSVIRT_QEMU_BINARY: process.env.TSVIRT_QEMU } : {}),
      // virsh starts the user's tsvirtd, as for any user: it goes a second after the last command
      TSVIRTD_IDLE_TIMEOUT: '1',
    };
    const domainXml = path.join(home, 'mine.xml');
    writeFileSync(domainXml, `<domain type='qemu'><name>mine</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os><devices/></domain>\n`);
    chownSync(domainXml, uid, gid);
    const virsh = (...args: string[]) => spawnSync('/usr/bin/env', ['-u', 'NODE_OPTIONS', process.execPath, VIRSH, '-c', 'qemu:///session', ...args],
      { uid, gid, env, cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8' });
    t.equal(virsh('create', domainXml, '--paused').status, 0);
    const state = readFileSync(path.join(home, 'run', 'tsvirt', 'qemu', 'mine.xml'), 'utf8');
    t.same(ids(Number(/pid='(\d+)'/.exec(state)![1])).uid, [uid, uid, uid, uid], 'QEMU runs as the user who started it');
    t.notMatch(virsh('dumpxml', 'mine').stdout, /<seclabel/, 'no DAC label: nothing is relabelled');
    t.equal(virsh('destroy', 'mine').status, 0);
  });

  await t.test('a seclabel libvirt would refuse is refused when defined', async (t) => {
    const base = (seclabel: string) => `<domain type='qemu'><name>bad</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os><devices/>${seclabel}</domain>`;
    for (const [seclabel, message] of [
      ["<seclabel type='dynamic' model='dac' relabel='no'/>", 'dynamic label type must use resource relabeling'],
      ["<seclabel type='static' model='dac'/>", 'security label is missing'],
      ["<seclabel type='other' model='dac'/>", "invalid security type 'other'"],
      ["<seclabel type='none' model='dac' relabel='maybe'/>", "invalid security relabel value 'maybe'"],
    ]) {
      t.match(await conn.defineDomainXML(base(seclabel!)).then(() => undefined, (e: unknown) => e), { code: ErrorNumber.XML_ERROR, message: new RegExp(message!) }, message);
    }
    const err = await conn.createDomainXML(base("<seclabel type='static' model='dac'><label>nosuchuser:nosuchgroup</label></seclabel>"))
      .then(() => undefined, (e: unknown) => e);
    t.match(err, { code: ErrorNumber.INVALID_ARG, message: /Failed to parse user and group from 'nosuchuser:nosuchgroup'/ });
  });

  await t.test('the dedicated user is created when missing, once, however many ask at once', async (t) => {
    const fresh = `tsvt${randomBytes(4).toString('hex')}`;
    t.teardown(() => { spawnSync('userdel', [fresh]); spawnSync('groupdel', [fresh]); });
    const [a, b] = await Promise.all([ensureSystemUser(fresh), ensureSystemUser(fresh)]);
    t.same(a, b, 'both callers get the same user');
    const entry = execFileSync('getent', ['passwd', fresh], { encoding: 'utf8' }).trim().split(':');
    t.same([Number(entry[2]), Number(entry[3]), entry[5], entry[6]], [a.uid, a.gid, '/nonexistent', '/usr/sbin/nologin'], 'a system user: no home, no login');
    t.ok(a.uid < 1000, `a system uid (${a.uid})`);
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

  await t.test("a listening chardev socket in root's folder: bound by the driver, QEMU given its descriptor, removed when the guest stops", async (t) => {
    const sock = path.join(images, 'serial, one.sock');
    const dom = await conn.defineDomainXML(`<domain type='qemu'><name>listener</name><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64' machine='pc'>hvm</type></os>
      <devices><serial type='unix'><source mode='bind' path='${sock}'/><target port='0'/></serial></devices></domain>`);
    t.teardown(() => dom.undefine().catch(() => {}));
    await dom.create(DomainCreateFlags.START_PAUSED);
    const pid = qemuPid('listener');
    t.same(ids(pid).uid, [uid, uid, uid, uid], `QEMU runs as ${user}, who may not create files in ${images}`);
    t.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /-chardev\0socket,id=charserial0,fd=\d+,server=on,wait=off\0/, 'QEMU is given the socket, not its name');
    t.equal(owner(sock), '0:0 600', "the socket is root's, for root to connect to");
    const client = net.connect(sock);
    await t.resolves(once(client, 'connect'), 'QEMU accepts on it');
    client.destroy();
    await dom.destroy();
    t.notOk(existsSync(sock), 'gone with the guest');
  });

  await t.test('undefined at the end, nothing of it left', async (t) => {
    const dom = await conn.lookupDomainByName(name);
    await dom.undefine();
    await conn.close();
    t.same(readdirSync(runDir).filter((f) => !f.startsWith('capabilities-') && f !== 'log' && f !== 'cache' && f !== 'autostarted'), []);
  });
}
