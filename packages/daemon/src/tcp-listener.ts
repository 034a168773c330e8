import { readFileSync } from 'node:fs';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

export interface TlsFiles {
  cert: string;
  key: string;
  /** when given, clients must present a certificate signed by this CA */
  ca?: string;
}

/**
 * A TCP listener at tcp://HOST:PORT; with TLS files, a TLS one (a client whose
 * certificate is missing or not signed by the CA fails the handshake).
 */
export function listenTcp(host: string, port: number, tls: TlsFiles | null, acceptClient: (socket: Socket) => void): Promise<Server> {
  // Replies, events and console data are small writes that must not wait for the last one's ACK (Nagle).
  const accept = (socket: Socket) => {
    socket.setNoDelay(true);
    acceptClient(socket);
  };
  const server = tls
    ? createTlsServer(
        {
          cert: readFileSync(tls.cert),
          key: readFileSync(tls.key),
          ca: tls.ca ? readFileSync(tls.ca) : undefined,
          requestCert: tls.ca !== undefined,
          rejectUnauthorized: tls.ca !== undefined,
        },
        accept,
      )
    : createTcpServer(accept);
  // A failed handshake is that client's problem only.
  server.on('tlsClientError', (_e, socket) => socket.destroy());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
