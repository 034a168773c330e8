import type { Server, Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { DaemonServer } from './daemon-server.js';
import { startDrivers } from './driver-startup.js';
import { OptionError, USAGE, parseDaemonOptions, type DaemonOptions } from './daemon-options.js';
import { listenTcp, type TlsFiles } from './tcp-listener.js';
import { lockSocketFolder } from './instance-lock.js';
import { prepareSocketFolder } from './safe-folder.js';
import { relayStdio } from './stdio-relay.js';
import { checkFolderFree, listenUnixSockets } from './unix-listener.js';
import { loadPeerReader, peerName, unixAccess } from './unix-peer.js';

/** --stdio: one client on stdin/stdout; the daemon ends with it. */
function serveStdio(daemon: DaemonServer, readOnly: boolean): void {
  const stream = Duplex.from({ readable: process.stdin, writable: process.stdout });
  daemon.serve(stream, { readOnly, refusal: null, trusted: true }, 'stdio', () => void daemon.stop().then(() => process.exit(0)));
}

async function startListeners(daemon: DaemonServer, o: DaemonOptions): Promise<void> {
  const peers = await loadPeerReader();
  if (peers.unavailable) process.stderr.write(`tsvirtd: unix clients are known only by the socket they come through (no peer credentials: ${peers.unavailable})\n`);
  const uid = process.getuid?.() ?? 0;
  const accept = (socket: Socket, readOnly: boolean) => {
    const cred = peers.read(socket);
    daemon.serve(socket, unixAccess(readOnly, cred, uid), peerName(readOnly ? 'read-only socket' : 'read-write socket', cred));
  };
  for (const server of await listenUnixSockets(o.socketDir, accept)) daemon.addListener(server);
  for (const l of o.listen) {
    const tls = l.tls ? { files: o.tls as TlsFiles, policy: o.tlsPolicy } : null;
    const server = await listenTcp(l.host, l.port, tls, (s, access) => daemon.serve(s, access, `${s.remoteAddress}:${s.remotePort}`));
    daemon.addListener(server);
  }
  // Tests and service managers wait for this line.
  const where = [o.socketDir, ...o.listen.map((l) => `${l.tls ? 'tls' : 'tcp'}://${l.host}:${l.port}`)].join(', ');
  process.stderr.write(`tsvirtd: listening on ${where}\n`);
}

/** The socket folder's lock, held for the life of the process. */
let heldLock: Server | null = null;

async function main(argv: string[]): Promise<number | null> {
  let o;
  try {
    o = parseDaemonOptions(argv);
  } catch (e) {
    if (!(e instanceof OptionError)) throw e;
    process.stderr.write(`tsvirtd: ${e.message}\n${USAGE}`);
    return 2;
  }
  if (o === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (o.relay !== null) {
    await relayStdio(o.relay, o.readOnly);
    // stdin may still be open: the relay is over all the same (writes to a pipe are synchronous).
    process.exit(0);
  }
  if (!o.stdio) {
    prepareSocketFolder(o.socketDir);
    await checkFolderFree(o.socketDir);
    // held until exit; another daemon that started at the same moment has it
    heldLock = await lockSocketFolder(o.socketDir);
    if (!heldLock) throw new Error(`another tsvirtd is starting in ${o.socketDir}`);
  }
  const daemon = new DaemonServer(o.limits, o.nodeFileDirs, o.xenapiUris);
  const stop = () => void daemon.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (o.stdio) serveStdio(daemon, o.readOnly);
  else {
    await startListeners(daemon, o);
    // A --stdio daemon lives for one client (ssh): its drivers open when that client asks.
    startDrivers(daemon.pool);
    daemon.exitWhenIdle(o.timeout, () => {
      process.stderr.write(`tsvirtd: idle for ${o.timeout} s with no guests running: exiting\n`);
      stop();
    });
  }
  return null;
}

main(process.argv.slice(2)).then(
  (code) => { if (code !== null) process.exitCode = code; },
  (e) => { process.stderr.write(`tsvirtd: ${(e as Error).message}\n`); process.exit(1); },
);
