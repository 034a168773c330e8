import type { Duplex } from 'node:stream';
import { ErrorDomain, ErrorNumber } from '../../gen/errors.gen.js';
import { VirError } from '../../errors/vir-error.js';
import type { ConnectUri } from '../../uri/connect-uri.js';
import { existsSync } from 'node:fs';
import { DEFAULT_TCP_PORT, DEFAULT_TLS_PORT, defaultSocketPath, libvirtSocketPath } from '../socket-paths.js';
import { connectTcp, connectTls, connectUnix } from './socket-transport.js';
import { tlsClientOptions } from './tls-credentials.js';

/**
 * The local daemon's socket when the URI names none: tsvirtd's, or libvirtd's when the URI
 * asks for libvirt's program or only libvirtd runs here.
 */
function localSocket(uri: ConnectUri, readOnly: boolean): string {
  const ours = defaultSocketPath(readOnly);
  const libvirt = libvirtSocketPath(readOnly);
  const program = uri.query.get('program');
  if (program === 'remote') return libvirt;
  return program !== 'tsvirt' && !existsSync(ours) && existsSync(libvirt) ? libvirt : ours;
}

/**
 * Open the stream a URI's transport names. As in libvirt, no transport means unix
 * for a local URI and tls for one that names a host.
 */
export function connectTransport(uri: ConnectUri, readOnly: boolean): Promise<Duplex> {
  const transport = uri.transport ?? (uri.host === null ? 'unix' : 'tls');
  const host = uri.host ?? 'localhost';
  switch (transport) {
    case 'unix':
      return connectUnix(uri.query.get('socket') ?? localSocket(uri, readOnly));
    case 'tcp':
      return connectTcp(host, uri.port ?? DEFAULT_TCP_PORT);
    case 'tls':
      return connectTls(host, uri.port ?? DEFAULT_TLS_PORT, tlsClientOptions(uri.query));
    case 'ssh':
      // loaded here: child_process costs start-up time that a unix socket's client need not pay
      return import('./ssh-transport.js').then((m) => m.connectSsh(uri, readOnly));
    default:
      throw VirError.of(ErrorNumber.INVALID_ARG, ErrorDomain.REMOTE, `transport in URL not recognised (should be tls|unix|ssh|tcp)`);
  }
}
