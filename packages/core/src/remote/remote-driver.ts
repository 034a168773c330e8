import type { Driver } from '../drivers/driver.js';
import { HANDLE_ID_CALLS, takeHandleId } from '../drivers/domain-handles.js';
import type { ConnectDriver } from '../gen/driver.gen.js';
import type { ConnectUri } from '../uri/connect-uri.js';
import { procedures } from '../gen/procedures.gen.js';
import { argsToJson, carriesBytes, resultFromJson } from '../rpc/json-bytes.js';
import { RemoteConnection } from './remote-connection.js';
import { REMOTE_DRIVER } from './remote-marker.js';
import { remoteCall } from './remote-calls.js';
import { cpuMapCalls } from './remote-cpu-maps.js';

/** Calls that the connection answers itself rather than forwarding as they are. */
const LOCAL_CALLS = new Set(['connectDomainEventRegister', 'connectDomainEventDeregister', 'connectClose', 'connectGetURI']);

/**
 * The handle's id after a HANDLE_ID_CALLS call: what the reply says (tsvirt's program,
 * and libvirt's for a start); libvirt's program answers a stop with nothing, and the
 * handle's id is then -1, as in process.
 */
function handleIdReply(driverName: string, reply: unknown): unknown {
  return reply === undefined && driverName !== 'domainReboot' ? { id: -1 } : reply;
}

/**
 * A ConnectDriver over a daemon connection, one method per row of the procedure
 * table that the connection's program carries: the arguments travel in order, domains as
 * plain {name, uuid, id}.
 */
export function remoteConnectDriver(conn: RemoteConnection, uri: ConnectUri): ConnectDriver {
  const methods: Record<string, unknown> = {};
  for (const p of procedures) {
    if (LOCAL_CALLS.has(p.driverName)) continue;
    let call: ((...args: unknown[]) => Promise<unknown>) | null;
    if (conn.program.name === 'remote') call = remoteCall(p, conn);
    else if (p.returns === 'stream') call = (...args) => conn.openStream(p.proc, args);
    else if (carriesBytes(p)) call = async (...args) => resultFromJson(p, await conn.call(p.proc, argsToJson(p, args)));
    else call = (...args) => conn.call(p.proc, args);
    if (call === null) continue;
    const send = call;
    methods[p.driverName] = HANDLE_ID_CALLS.has(p.driverName)
      ? async (...args: unknown[]) => takeHandleId(args[0], handleIdReply(p.driverName, await send(...args)))
      : send;
  }
  if (conn.program.name === 'remote') Object.assign(methods, cpuMapCalls(conn));
  const local: ConnectDriver = {
    connectDomainEventRegister: (sink, filter) => conn.registerEvents(sink, filter),
    connectDomainEventDeregister: (id) => conn.deregisterEvents(id),
    connectClose: () => conn.close(),
    connectRegisterCloseCallback: (cb) => conn.closeCallbacks.register(cb),
    connectUnregisterCloseCallback: (cb) => conn.closeCallbacks.unregister(cb),
    connectIsAlive: () => conn.alive,
    // the URI this side opened, as libvirt's client answers it, not the daemon's own
    connectGetURI: () => uri.text,
  };
  return Object.assign(methods, local, { [REMOTE_DRIVER]: true }) as ConnectDriver;
}


/**
 * The remote driver: URIs that name a transport or host (test+unix:///default,
 * qemu+ssh://host/system), and local URIs whose driver is not in this process.
 */
export const remoteDriver: Driver = {
  name: 'remote',
  schemes: [],
  remote: true,
  async open(uri, options) {
    return remoteConnectDriver(await RemoteConnection.open(uri, options.readOnly === true, options.keepalive), uri);
  },
};
