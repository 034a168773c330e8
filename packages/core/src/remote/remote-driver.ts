import type { Driver } from '../drivers/driver.js';
import { HANDLE_ID_CALLS, takeHandleId } from '../drivers/domain-handles.js';
import type { ConnectDriver } from '../gen/driver.gen.js';
import { procedures } from '../gen/procedures.gen.js';
import { RemoteConnection } from './remote-connection.js';
import { REMOTE_DRIVER } from './remote-marker.js';
import { remoteProcedureOfCall } from './remote-wire-program.js';

/** Calls that the connection answers itself rather than forwarding as they are. */
const LOCAL_CALLS = new Set(['connectDomainEventRegister', 'connectDomainEventDeregister', 'connectClose']);

/**
 * The procedure that carries a call in the connection's program, or null where that
 * program has none (the entry layer then says VIR_ERR_NO_SUPPORT). In libvirt's program a
 * call's number may differ from tsvirt's (virDomainCreate travels as DOMAIN_CREATE_WITH_FLAGS).
 */
function procedureFor(conn: RemoteConnection, driverName: string, tsvirtProc: number, returns: string): number | null {
  if (conn.program.name === 'tsvirt') return tsvirtProc;
  // libvirt's streams are not spoken here yet
  if (returns === 'stream') return null;
  return remoteProcedureOfCall.get(driverName)?.number ?? null;
}

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
export function remoteConnectDriver(conn: RemoteConnection): ConnectDriver {
  const methods: Record<string, unknown> = {};
  for (const p of procedures) {
    if (LOCAL_CALLS.has(p.driverName)) continue;
    const proc = procedureFor(conn, p.driverName, p.proc, p.returns);
    if (proc === null) continue;
    if (p.returns === 'stream') methods[p.driverName] = (...args: unknown[]) => conn.openStream(proc, args);
    else if (HANDLE_ID_CALLS.has(p.driverName)) {
      methods[p.driverName] = async (...args: unknown[]) => takeHandleId(args[0], handleIdReply(p.driverName, await conn.call(proc, args)));
    } else methods[p.driverName] = (...args: unknown[]) => conn.call(proc, args);
  }
  const local: ConnectDriver = {
    connectDomainEventRegister: (sink, filter) => conn.registerEvents(sink, filter),
    connectDomainEventDeregister: (id) => conn.deregisterEvents(id),
    connectClose: () => conn.close(),
    connectIsAlive: () => conn.alive,
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
    return remoteConnectDriver(await RemoteConnection.open(uri, options.readOnly === true, options.keepalive));
  },
};
