// A VNC display with a password: QEMU is told it over the monitor (not on its command
// line), and a VNC client is offered VNC authentication only; without one, no
// authentication. Checked with the RFB handshake against the real QEMU (TCG, paused).

import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { DomainCreateFlags, open } from '@tsvirt/core';
import { registerDriver } from '@tsvirt/core/driver';
import t from 'tap';
import { driver } from '../src/driver.js';
import { privateSession } from './fixtures/private-session.js';

const QEMU = process.env.TSVIRT_QEMU || 'qemu-system-x86_64';
const skip = spawnSync(QEMU, ['--version']).status === 0 ? false : 'QEMU is not installed';
t.setTimeout(120_000);

/** The security types a VNC server offers a client speaking RFB 3.8 (1: none, 2: VNC authentication). */
async function securityTypes(port: number): Promise<number[]> {
  const socket = net.connect(port, '127.0.0.1');
  let buf = Buffer.alloc(0);
  const need = async (n: number) => {
    while (buf.length < n) buf = Buffer.concat([buf, await new Promise<Buffer>((resolve, reject) => { socket.once('data', resolve); socket.once('error', reject); })]);
    const out = buf.subarray(0, n);
    buf = buf.subarray(n);
    return out;
  };
  try {
    const version = (await need(12)).toString('latin1');
    if (!version.startsWith('RFB 003.')) throw new Error(`not a VNC server: ${JSON.stringify(version)}`);
    socket.write('RFB 003.008\n');
    const count = (await need(1))[0]!;
    return [...(await need(count))];
  } finally {
    socket.destroy();
  }
}

const domainXml = (name: string, passwd: string) => `<domain type='qemu'><name>${name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices><graphics type='vnc' autoport='yes' listen='127.0.0.1'${passwd}/></devices></domain>`;

t.test('a VNC password is asked for, and only when there is one', { skip }, async (t) => {
  const dir = privateSession('tsvirt-vnc-password-');
  registerDriver(driver);
  const conn = await open('qemu:///session');
  t.teardown(async () => {
    for (const d of await conn.listAllDomains()) if (await d.isActive()) await d.destroy();
    await conn.close();
    rmSync(dir, { recursive: true, force: true });
  });
  for (const [name, passwd, types] of [['locked', " passwd='s3cret'", [2]], ['open', '', [1]]] as const) {
    const dom = await conn.createDomainXML(domainXml(name, passwd), DomainCreateFlags.START_PAUSED);
    const port = Number(/<graphics type='vnc' port='(\d+)'/.exec(await dom.getXMLDesc())?.[1]);
    t.ok(port >= 5900, `${name}: the display's port in the live XML (${port})`);
    t.same(await securityTypes(port), types, passwd ? 'VNC authentication only' : 'no authentication');
    const log = readFileSync(`${dir}/run/tsvirt/qemu/log/${name}.log`, 'utf8');
    t.match(log, /-vnc 127\.0\.0\.1:0,to=100/, 'the log has the command line');
    t.notMatch(log, 's3cret', 'the password is not on it');
  }
});
