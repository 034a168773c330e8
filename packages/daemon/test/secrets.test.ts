import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { DomainSnapshotXMLFlags, DomainXMLFlags, ErrorNumber, open, type Connect } from '@tsvirt/core';
import { startupUris } from '../src/driver-startup.js';
import { otherUserCannotRead } from '../../core/test/fixtures/other-user.js';
import { NODE, startDaemon, VIRSH } from './fixtures/daemon-harness.js';

const nobody = otherUserCannotRead(VIRSH);

// Secrets stay secret in every driver: a read-only client never sees a graphics password
// or a network disk's cookies, and may not ask for them; a read-write client sees them
// only when it asks with VIR_DOMAIN_XML_SECURE.

const FIXTURE = new URL('../../core/test/fixtures/domain-with-secrets.xml', import.meta.url).pathname;
const SECRETS = ['VNCPASS', 'SPICEPASS', 'SECRETCOOKIE', 'BACKINGCOOKIE'];
const daemon = await startDaemon();
t.teardown(() => daemon.stop());

const [qemuScheme, qemuPath] = startupUris()[0]!.split(':///');
/** Each driver, its URI, its domain type, and the secrets of the fixture it takes (QEMU's driver has no network disks and no SPICE). */
const DRIVERS: [string, string, string, string[]][] = [
  ['test', 'test+unix:///default', 'test', SECRETS],
  ['QEMU', `${qemuScheme}+unix:///${qemuPath}`, 'qemu', ['VNCPASS']],
];

for (const [driver, base, type, secrets] of DRIVERS) {
  const noSecrets = (t: Tap.Test, xml: string, what: string) => {
    for (const s of secrets) t.notMatch(xml, s, `${what}: no ${s}`);
  };
  t.test(`${driver} driver: dumpxml strips secrets unless asked with SECURE, which the read-only socket refuses`, async (t) => {
    const at = (sock: string) => `${base}?socket=${sock}`;
    const rw = await open(at(daemon.rw));
    const ro = await open(at(daemon.ro));
    const name = `secrets-${driver.toLowerCase()}`;
    const xml = readFileSync(FIXTURE, 'utf8').replace("type='test'", `type='${type}'`).replace('<name>sec</name>', `<name>${name}</name>`)
      .replace('<os><type>hvm</type></os>', "<os><type arch='x86_64' machine='pc'>hvm</type></os>")
      .replace(secrets.includes('SECRETCOOKIE') ? '' : /<disk[^]*<\/disk>/, '')
      .replace(secrets.includes('SPICEPASS') ? '' : /<graphics type='spice'[^>]*>/, '');
    await rw.defineDomainXML(xml);
    t.teardown(async () => {
      await (await rw.lookupDomainByName(name)).undefine().catch(() => undefined);
      await ro.close();
      await rw.close();
    });
    const mine = await rw.lookupDomainByName(name);
    const theirs = await ro.lookupDomainByName(name);
    for (const flags of [0, DomainXMLFlags.INACTIVE, DomainXMLFlags.MIGRATABLE]) {
      noSecrets(t, await theirs.getXMLDesc(flags), `read-only, flags ${flags}`);
      noSecrets(t, await mine.getXMLDesc(flags), `read-write without SECURE, flags ${flags}`);
    }
    await t.rejects(theirs.getXMLDesc(DomainXMLFlags.SECURE), { code: ErrorNumber.OPERATION_DENIED, message: 'operation forbidden: virDomainGetXMLDesc with secure flag' });
    const secure = await mine.getXMLDesc(DomainXMLFlags.SECURE | DomainXMLFlags.INACTIVE);
    for (const s of secrets) t.match(secure, s, `read-write with SECURE: ${s}`);
    // What the driver keeps loses nothing: a definition made from the secure XML keeps the password.
    await rw.defineDomainXML(secure);
    t.match(await mine.getXMLDesc(DomainXMLFlags.SECURE), 'VNCPASS', 'still there after a redefine');
    if (driver === 'test') await snapshots(t, rw, ro, name, noSecrets);
    if (nobody) t.skip(`virsh -r as another user: ${nobody}`);
    else asAnotherUser(t, at(daemon.ro), name, noSecrets);
  });
}

/** virsh run by an unprivileged user on the read-only socket, as the finding was made. */
function asAnotherUser(t: Tap.Test, uri: string, name: string, noSecrets: (t: Tap.Test, xml: string, what: string) => void): void {
  const virsh = (...args: string[]) => spawnSync('/usr/bin/env', [...NODE, VIRSH, '-r', '-c', uri, ...args], { uid: 65534, gid: 65534, encoding: 'utf8' });
  const plain = virsh('dumpxml', name);
  t.equal(plain.status, 0, plain.stderr);
  noSecrets(t, plain.stdout, 'virsh -r dumpxml as nobody');
  const secure = virsh('dumpxml', name, '--security-info');
  t.equal(secure.stderr, 'error: operation forbidden: virDomainGetXMLDesc with secure flag\n', 'virsh -r dumpxml --security-info as nobody is refused');
}

/** A snapshot's XML carries the domain's definition: the same rule holds there. */
async function snapshots(t: Tap.Test, rw: Connect, ro: Connect, name: string, noSecrets: (t: Tap.Test, xml: string, what: string) => void): Promise<void> {
  const snap = await (await rw.lookupDomainByName(name)).snapshotCreateXML('<domainsnapshot><name>s</name></domainsnapshot>');
  const theirs = await (await ro.lookupDomainByName(name)).snapshotLookupByName('s');
  noSecrets(t, await theirs.getXMLDesc(), 'read-only snapshot XML');
  noSecrets(t, await snap.getXMLDesc(), 'read-write snapshot XML without SECURE');
  await t.rejects(theirs.getXMLDesc(DomainSnapshotXMLFlags.SECURE), { code: ErrorNumber.OPERATION_DENIED, message: 'operation forbidden: virDomainSnapshotGetXMLDesc with secure flag' });
  t.match(await snap.getXMLDesc(DomainSnapshotXMLFlags.SECURE), 'VNCPASS', 'read-write snapshot XML with SECURE');
  await snap.delete();
}
