import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { TSVIRTD, virsh, freePort } from './fixtures/daemon-harness.js';

const SSHD = '/usr/sbin/sshd';

/** An sshd of the test's own on loopback: generated host key, one authorized key, no PAM. */
async function startSshd(t: Tap.Test): Promise<{ port: number; key: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tsvirt-sshd-'));
  const keygen = (name: string) => spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, name)]);
  keygen('host_key');
  keygen('client_key');
  copyFileSync(join(dir, 'client_key.pub'), join(dir, 'authorized_keys'));
  const port = await freePort();
  writeFileSync(join(dir, 'sshd_config'), [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${join(dir, 'host_key')}`, `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    `PidFile ${join(dir, 'sshd.pid')}`, 'StrictModes no', 'UsePAM no', 'PasswordAuthentication no', 'PermitRootLogin prohibit-password',
    'PermitUserEnvironment no', '',
  ].join('\n'));
  mkdirSync('/run/sshd', { recursive: true }); // sshd's privilege separation folder
  const sshd = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  t.teardown(() => { sshd.kill(); });
  await new Promise<void>((resolve, reject) => {
    let err = '';
    sshd.stderr.on('data', (d: Buffer) => { err += d; if (err.includes('Server listening')) resolve(); });
    sshd.once('exit', (code) => reject(new Error(`sshd exited (${code}): ${err}`)));
  });
  return { port, key: join(dir, 'client_key') };
}

const noSshd = !existsSync(SSHD) && 'sshd is not installed (apt-get install openssh-server)';

t.test('test+ssh:// reaches tsvirtd --stdio through the system ssh client and a real sshd', { skip: noSshd }, async (t) => {
  const { port, key } = await startSshd(t);
  // The far side runs this checkout's daemon; a real install has tsvirtd on PATH (the default command).
  const command = `exec ${process.execPath} ${TSVIRTD} --stdio`;
  const uri = `test+ssh://root@127.0.0.1:${port}/default?keyfile=${key}&no_verify=1&known_hosts=/dev/null&command=${encodeURIComponent(command)}`;
  const local = virsh('-c', 'test:///default', 'list', '--all');
  t.equal(local.rc, 0);
  t.same(virsh('-c', uri, 'list', '--all'), local);
  // The far side is read-only: the refusal comes from the daemon, not from virsh.
  const ro = virsh('-c', uri.replace('--stdio', '--stdio --read-only'), 'destroy', 'test');
  t.equal(ro.rc, 1);
  t.match(ro.err, 'read only access prevents virDomainDestroy');
});
