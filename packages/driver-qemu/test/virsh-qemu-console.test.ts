// virsh console on a real guest's serial pty: the QEMU driver records the pty in
// the live XML, virsh opens it and relays a real terminal (a pty of the test's
// own) until Ctrl+]. The tiny guest boots under TCG; the console is attached
// while the guest is still paused, so that its ready line comes through it.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { consoleHeader, consoleRoundTrip, tinyGuest } from './fixtures/guest/tiny-guest.js';
import { virshQemu } from './fixtures/virsh-qemu.js';

t.setTimeout(300_000);
const dir = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-virsh-console-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const { virsh, virshOnPty } = virshQemu(dir);
const HEADER = consoleHeader('tiny');

const domainXml = (name: string, os: string, devices: string) => `<domain type='qemu'>
  <name>${name}</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>${os}
  </os>
  <features><acpi/></features>
  <devices>${devices}</devices>
</domain>
`;

const guest = await tinyGuest();

t.test('console relays the serial pty both ways until Ctrl+], then exits 0; also from the interactive shell', { skip: 'skip' in guest ? guest.skip : false }, async (t) => {
  if ('skip' in guest) return;
  const xml = path.join(dir, 'tiny.xml');
  writeFileSync(xml, domainXml('tiny', `
    <kernel>${guest.kernel}</kernel>
    <initrd>${guest.initrd}</initrd>
    <cmdline>console=ttyS0 quiet</cmdline>`, "<serial type='pty'><target port='0'/></serial><console type='pty'><target type='serial' port='0'/></console>"));
  t.equal((await virsh('define', xml)).code, 0);
  const inactive = await virshOnPty([{ expect: 'error' }], 'console', 'tiny');
  t.match(inactive.screen, 'error: The domain is not running');
  t.equal(inactive.status, 1);

  t.equal((await virsh('start', '--paused', 'tiny')).code, 0);
  t.teardown(() => virsh('destroy', 'tiny'));
  const live = (await virsh('dumpxml', 'tiny')).stdout;
  const pty = /<serial type='pty'>\s*<source path='(\/dev\/pts\/\d+)'\/>/.exec(live)?.[1];
  t.ok(pty, `the live XML names the serial pty (${pty})`);
  t.match(live, new RegExp(`<console type='pty' tty='${pty}'>\\s*<source path='${pty}'/>`), 'and the console mirroring it');
  t.notMatch((await virsh('dumpxml', '--inactive', 'tiny')).stdout, /\/dev\/pts/, 'not the persistent definition');

  // Resumed once virsh has the pty open; the guest's boot then shows on the console.
  const started = performance.now();
  const resumed = sleep(1500).then(() => virsh('resume', 'tiny'));
  const session = await virshOnPty(consoleRoundTrip('tiny'), 'console', 'tiny');
  t.equal((await resumed).code, 0);
  t.comment(`console: ready line ${(performance.now() - started).toFixed(0)} ms after attaching`);
  t.equal(session.missed, null, `every expected output came (screen: ${JSON.stringify(session.screen.slice(-300))})`);
  t.ok(session.screen.startsWith(HEADER), 'libvirt\'s header first');
  t.equal(session.status, 0, 'virsh exits 0 on Ctrl+]');
  t.equal((await virsh('domstate', 'tiny')).stdout, 'running\n\n', 'the guest runs on');

  // In the interactive shell, keys typed on the console are the guest's, not commands;
  // after Ctrl+] the shell reads on, and reconnects for its next command.
  const prompt = '\x1b[1G\x1b[0Jvirsh # ';
  const shell = await virshOnPty([
    { expect: prompt },
    { send: 'console tiny\r' },
    { expect: HEADER },
    { send: 'tsvirt-typed\r' },
    { expect: 'tsvirt-typed\r\r\n' },
    { send: '\x1d' },
    { expect: `tsvirt-typed\r\r\n\r\n${prompt}` },
    { send: 'domstate tiny\r' },
    { expect: 'running' },
    { send: 'quit\r' },
  ]);
  t.equal(shell.missed, null, `the shell session went as expected (screen: ${JSON.stringify(shell.screen.slice(-300))})`);
  t.notMatch(shell.screen, /unknown command/, 'no typed key was taken for a command');
  t.equal(shell.status, 0);
});

t.test('console refuses a domain without a pty, as libvirt words it', async (t) => {
  const xml = path.join(dir, 'filecon.xml');
  const log = path.join(dir, 'filecon.log');
  writeFileSync(xml, domainXml('filecon', '', `<serial type='file'><source path='${log}'/><target port='0'/></serial><console type='file'><source path='${log}'/><target type='serial' port='0'/></console>`));
  t.equal((await virsh('create', '--paused', xml)).code, 0);
  t.teardown(() => virsh('destroy', 'filecon'));
  const noPty = await virshOnPty([{ expect: 'error' }], 'console', 'filecon');
  t.match(noPty.screen, 'error: internal error: character device serial0 is not using a PTY');
  t.equal(noPty.status, 1);
  const noDevice = await virshOnPty([{ expect: 'error' }], 'console', 'filecon', '--devname', 'serial7');
  t.match(noDevice.screen, 'error: internal error: cannot find character device serial7');
  t.equal(noDevice.status, 1);
});
