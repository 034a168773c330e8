import type { Duplex } from 'node:stream';
import { ErrorDomain, ErrorNumber } from '../../gen/errors.gen.js';
import { VirError } from '../../errors/vir-error.js';
import type { ConnectUri } from '../../uri/connect-uri.js';
import { DEFAULT_TCP_PORT, DEFAULT_TLS_PORT, defaultSocketPath } from '../socket-paths.js';
import { connectTcp, connectTls, connectUnix } from './socket-transport.js';
import { connectSsh } from './ssh-transport.js';
import { tlsClientOptions } from './tls-credentials.js';

/**
 * Open the stream a URI's transport names. As in libvirt, no transport means unix
 * for a local URI and tls for one that names a host.
 */
export function connectTransport(uri: ConnectUri, readOnly: boolean): Promise<Duplex> {
  const transport = uri.transport ?? (uri.host === null ? 'unix' : 'tls');
  const host = uri.host ?? 'localhost';
  switch (transport) {
    case 'unix':
      return connectUnix(uri.query.get('socket') ?? defaultSocketPath(readOnly));
    case 'tcp':
      return connectTcp(host, uri.port ?? DEFAULT_TCP_PORT);
    case 'tls':
      return connectTls(host, uri.port ?? DEFAULT_TLS_PORT, tlsClientOptions(uri.query));
    case 'ssh':
      return Promise.resolve(connectSsh(uri, readOnly));
    default:
      throw VirError.of(ErrorNumber.INVALID_ARG, ErrorDomain.REMOTE, `transport in URL not recognised (should be tls|unix|ssh|tcp)`);
  }
}
