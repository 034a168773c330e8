import { spawn } from 'node:child_process';
import { Duplex } from 'node:stream';
import { ErrorDomain, ErrorNumber } from '../../gen/errors.gen.js';
import { VirError } from '../../errors/vir-error.js';
import type { ConnectUri } from '../../uri/connect-uri.js';
import { farSideUri } from './far-side-uri.js';

/** A word for the far side's shell, quoted whatever it holds. */
const quote = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

/** libvirtd's socket on the far side: ?socket=, else the system daemon's. */
const libvirtSocket = (uri: ConnectUri, readOnly: boolean): string =>
  uri.query.get('socket') ?? `/run/libvirt/libvirt-sock${readOnly ? '-ro' : ''}`;

/**
 * What the far side runs, as `sh -c`: tsvirtd on its standard streams, or what carries
 * libvirt's own client to libvirtd: `virt-ssh-helper` (libvirt's `proxy=native`) or netcat
 * on libvirtd's socket (`proxy=netcat`; told to end when its input ends where it can be).
 * By default (`proxy=auto`) the first of those the far side has, tsvirtd first unless the
 * URI asks for libvirt's program.
 */
export function farSideCommand(uri: ConnectUri, readOnly: boolean): string {
  const given = uri.query.get('command');
  if (given) return given;
  const tsvirtd = `tsvirtd --stdio${readOnly ? ' --read-only' : ''}`;
  const helper = `virt-ssh-helper${readOnly ? ' -r' : ''} ${quote(farSideUri(uri))}`;
  const nc = quote(uri.query.get('netcat') ?? 'nc');
  const netcat = `if ${nc} -q 2>&1 | grep -q 'requires an argument'; then q=-q0; else q=; fi; exec ${nc} $q -U ${quote(libvirtSocket(uri, readOnly))}`;
  const proxy = uri.query.get('proxy') ?? 'auto';
  const program = uri.query.get('program');
  let script: string;
  if (proxy === 'native') script = `exec ${helper}`;
  else if (proxy === 'netcat') script = netcat;
  else if (proxy !== 'auto') throw VirError.of(ErrorNumber.INVALID_ARG, ErrorDomain.REMOTE, `proxy must be auto, netcat or native, not '${proxy}'`);
  else if (program === 'tsvirt') return tsvirtd;
  else {
    const has = (name: string) => `command -v ${name} >/dev/null 2>&1`;
    const tsvirtdFirst = program === 'remote' ? '' : `if ${has('tsvirtd')}; then exec ${tsvirtd}; fi; `;
    script = `${tsvirtdFirst}if ${has('virt-ssh-helper')}; then exec ${helper}; fi; ${netcat}`;
  }
  return `sh -c ${quote(script)}`;
}

/**
 * A stream to a daemon on the far side, through the system's ssh client (see
 * farSideCommand for what runs there). ?keyfile= picks the identity, ?no_verify=1
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
  args.push('--', uri.host ?? 'localhost', farSideCommand(uri, readOnly));
  const child = spawn(uri.query.get('ssh') ?? 'ssh', args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const stream = Duplex.from({ readable: child.stdout, writable: child.stdin });
  child.on('error', (e) => stream.destroy(e));
  child.on('exit', () => stream.destroy());
  stream.on('close', () => child.kill());
  return stream;
}
