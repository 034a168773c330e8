// tsvirt's client reaches a real libvirtd the ways libvirt's own client does: TCP, and SSH
// with virt-ssh-helper or netcat on the far side (an sshd of the test's own, running in the
// private libvirtd's mount namespace, so that the far side finds libvirtd's socket where
// libvirt's tools look for it).
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { ErrorNumber, open, type Connect } from '../../src/index.js';
import { farSideCommand } from '../../src/remote/transports/ssh-transport.js';
import { parseConnectUri as parseUri } from '../../src/uri/connect-uri.js';
import { libvirtdMissing, startPrivateLibvirtd, type PrivateLibvirtd } from '../fixtures/private-libvirtd.js';
import { sshdMissing, startSshd, type PrivateSshd } from '../fixtures/private-sshd.js';

const VIRSH = new URL('../../../virsh/bin/virsh', import.meta.url).pathname;
const virsh = (...args: string[]) => spawnSync('/usr/bin/env', ['-u', 'NODE_OPTIONS', '-u', 'NODE_PATH', process.execPath, VIRSH, ...args], { encoding: 'utf8' });

const missing = libvirtdMissing() || sshdMissing();
let daemon: PrivateLibvirtd;
let sshd: PrivateSshd;
if (missing) t.comment(`skipped: ${missing}`);
else {
  t.before(async () => {
    daemon = await startPrivateLibvirtd({ tcp: true });
    sshd = await startSshd({ mountNamespaceOf: daemon.pid() });
  });
  t.teardown(async () => { sshd?.stop(); await daemon?.stop(); });
}

/** One connection's round: a lookup, a change the next read sees, an error of libvirt's. */
async function round(t: Tap.Test, conn: Connect): Promise<void> {
  const dom = await conn.lookupDomainByName('test');
  t.equal((await dom.getInfo()).state, 1);
  await dom.suspend();
  t.equal((await dom.getInfo()).state, 3);
  await dom.resume();
  await t.rejects(conn.lookupDomainByName('nosuch'), { code: ErrorNumber.NO_DOMAIN, message: /^Domain not found/ });
}

/** A client process inside libvirtd's mount namespace, where /run holds libvirtd's sockets and no tsvirtd's: what it prints of each URI. */
function clientOnTheHost(...uris: string[]): string {
  const dist = new URL('../../dist/index.js', import.meta.url).pathname;
  const script = `const { open } = await import(${JSON.stringify(dist)});
for (const uri of process.argv.slice(1)) {
  try { const c = await open(uri); console.log(uri, await c.getType(), await c.getURI()); await c.close(); }
  catch (e) { console.log(uri, e.code, e.message); }
}`;
  const r = spawnSync('nsenter', [`--mount=/proc/${daemon.pid()}/ns/mnt`, '/usr/bin/env', '-u', 'NODE_OPTIONS', process.execPath, '--input-type=module', '-e', script, ...uris], { encoding: 'utf8' });
  return r.stdout + r.stderr;
}

const sshUri = (query: string) => `test+ssh://root@127.0.0.1:${sshd.port}/default?keyfile=${sshd.key}&no_verify=1&known_hosts=/dev/null${query}`;

t.test('qemu+unix:///system and test+unix:///default with no socket named reach libvirtd where only libvirtd runs', { skip: missing }, async (t) => {
  t.equal(clientOnTheHost('test+unix:///default', 'test+unix:///default?program=remote', 'qemu+unix:///system', 'test+unix:///default?program=tsvirt'), [
    // getURI answers the URI this side opened, as libvirt's client does
    'test+unix:///default TEST test+unix:///default',
    'test+unix:///default?program=remote TEST test+unix:///default?program=remote',
    // libvirtd's own answer: this one runs no QEMU driver
    'qemu+unix:///system 5 no connection driver available for qemu:///system',
    "test+unix:///default?program=tsvirt 38 Failed to connect socket to '/run/tsvirt/tsvirt-sock': No such file or directory",
    '',
  ].join('\n'));
});

t.test('test+tcp://host:port/default: libvirtd\'s TCP listener', { skip: missing }, async (t) => {
  const conn = await open(`test+tcp://127.0.0.1:${daemon.tcpPort}/default`);
  t.teardown(() => conn.close());
  await round(t, conn);
});

for (const [name, query] of [['virt-ssh-helper (proxy=native)', '&proxy=native'], ['netcat (proxy=netcat)', '&proxy=netcat'], ['whichever the far side has (proxy=auto)', '']] as const) {
  t.test(`test+ssh://: ${name} on the far side`, { skip: missing }, async (t) => {
    const conn = await open(sshUri(query));
    t.teardown(() => conn.close());
    await round(t, conn);
  });
}

t.test('virsh over ssh to libvirtd, read-only through the helper: reads work, writes get libvirtd\'s refusal', { skip: missing }, async (t) => {
  const list = virsh('-c', sshUri('&proxy=native'), 'list');
  t.equal(list.stdout, ' Id   Name   State\n----------------------\n 1    test   running\n\n');
  const ro = virsh('-r', '-c', sshUri('&proxy=native'), 'suspend test');
  t.equal(ro.status, 1);
  t.match(ro.stderr, /read only access prevents virDomainSuspend/);
});

t.test('the far side\'s command: each word quoted, libvirt\'s proxies as libvirt names them, a bad proxy refused', async (t) => {
  const cmd = (q: string, ro = false) => farSideCommand(parseUri(`qemu+ssh://h/system${q}`), ro);
  t.equal(cmd('&command=x'.replace('&', '?')), 'x');
  t.equal(cmd('?program=tsvirt', true), 'tsvirtd --stdio --read-only');
  t.equal(cmd('?proxy=native', true), `sh -c 'exec virt-ssh-helper -r '\\''qemu:///system'\\'''`);
  t.match(cmd('?proxy=netcat&socket=/run/x%27y'), /-U '\\''\/run\/x'\\''\\'\\'''\\''y'\\'''$/);
  t.match(cmd(''), /^sh -c 'if command -v tsvirtd .* then exec tsvirtd --stdio; fi; if command -v virt-ssh-helper/);
  t.notMatch(cmd('?program=remote'), /tsvirtd/);
  t.throws(() => cmd('?proxy=telnet'), { code: ErrorNumber.INVALID_ARG, message: /proxy must be auto, netcat or native, not 'telnet'/ });
});
