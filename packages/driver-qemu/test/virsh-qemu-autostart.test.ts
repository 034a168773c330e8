// Autostart: the first open of the QEMU driver since the run folder appeared (a
// host boot, a new session) starts the domains marked autostart that are not
// running, each virsh command being a fresh process. Diskless guests: nothing
// needs to boot for a domain to be running.

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { AUTOSTART_MARKER } from '@tsvirt/core/driver';
import { virshQemu } from './fixtures/virsh-qemu.js';

t.setTimeout(60_000);
const dir = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-virsh-autostart-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const { virsh, runDir } = virshQemu(dir);
const marker = path.join(runDir, AUTOSTART_MARKER);
const running = async () => (await virsh('list', '--name')).stdout.trim();

t.test('autostart domains start at the driver\'s first open, once; others do not', async (t) => {
  for (const name of ['auto', 'manual']) {
    const xml = path.join(dir, `${name}.xml`);
    writeFileSync(xml, `<domain type='qemu'><name>${name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os><devices/></domain>\n`);
    t.equal((await virsh('define', xml)).code, 0);
  }
  t.teardown(async () => { for (const name of ['auto', 'manual']) await virsh('destroy', name); });
  t.equal((await virsh('autostart', 'auto')).stdout, 'Domain \'auto\' marked as autostarted\n\n');
  t.ok(existsSync(marker), 'the first open left its marker');
  t.equal(await running(), '', 'nothing started by opens after the first');

  rmSync(marker); // as after a host reboot: the run folder is new
  const started = performance.now();
  t.equal(await running(), 'auto', 'a fresh process\'s open started the autostart domain only');
  t.comment(`virsh list with one autostart: ${(performance.now() - started).toFixed(0)} ms`);
  t.equal((await virsh('domstate', '--reason', 'auto')).stdout, 'running (booted)\n\n');

  t.equal((await virsh('destroy', 'auto')).code, 0);
  t.equal(await running(), '', 'a destroyed autostart domain stays off until the next boot');

  t.equal((await virsh('autostart', '--disable', 'auto')).code, 0);
  rmSync(marker);
  t.equal(await running(), '', 'autostart off: not started');
});
