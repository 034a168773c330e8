import { spawn } from 'node:child_process';
import { Duplex } from 'node:stream';
import type { ConnectUri } from '../../uri/connect-uri.js';

/**
 * A stream to `tsvirtd --stdio` on the far side, through the system's ssh client.
 * ?command= replaces the remote command, ?keyfile= picks the identity, ?no_verify=1
 * accepts an unknown host key, ?known_hosts= names the known-hosts file.
 */
export function connectSsh(uri: ConnectUri, readOnly: boolean): Duplex {
  const args = ['-T', '-o', 'BatchMode=yes', '-e', 'none'];
  if (uri.port !== null) args.push('-p', String(uri.port));
  if (uri.user !== null) args.push('-l', uri.user);
  const keyfile = uri.query.get('keyfile');
  if (keyfile) args.push('-i', keyfile);
  const knownHosts = uri.query.get('known_hosts');
  if (knownHosts) args.push('-o', `UserKnownHostsFile=${knownHosts}`);
  // Accepting an unknown host key, ssh would warn on every connect.
  if (uri.query.get('no_verify') === '1') args.push('-o', 'StrictHostKeyChecking=no', '-o', 'LogLevel=ERROR');
  const command = uri.query.get('command') ?? `tsvirtd --stdio${readOnly ? ' --read-only' : ''}`;
  args.push('--', uri.host ?? 'localhost', command);
  const child = spawn(uri.query.get('ssh') ?? 'ssh', args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const stream = Duplex.from({ readable: child.stdout, writable: child.stdin });
  child.on('error', (e) => stream.destroy(e));
  child.on('exit', () => stream.destroy());
  stream.on('close', () => child.kill());
  return stream;
}
