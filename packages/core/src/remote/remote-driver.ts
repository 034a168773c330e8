import type { Driver } from '../drivers/driver.js';
import { HANDLE_ID_CALLS, takeHandleId } from '../drivers/domain-handles.js';
import type { ConnectDriver } from '../gen/driver.gen.js';
import { procedures } from '../gen/procedures.gen.js';
import { RemoteConnection } from './remote-connection.js';
import { REMOTE_DRIVER } from './remote-marker.js';

/** Calls that the connection answers itself rather than forwarding as they are. */
const LOCAL_CALLS = new Set(['connectDomainEventRegister', 'connectDomainEventDeregister', 'connectClose']);

/**
 * A ConnectDriver over a daemon connection, one method per row of the procedure
 * table: the arguments travel in order, domains as plain {name, uuid, id}.
 */
export function remoteConnectDriver(conn: RemoteConnection): ConnectDriver {
  const methods: Record<string, unknown> = {};
  for (const p of procedures) {
    if (LOCAL_CALLS.has(p.driverName)) continue;
    if (p.returns === 'stream') methods[p.driverName] = (...args: unknown[]) => conn.openStream(p.proc, args);
    else if (HANDLE_ID_CALLS.has(p.driverName)) {
      methods[p.driverName] = async (...args: unknown[]) => takeHandleId(args[0], await conn.call(p.proc, args));
    } else methods[p.driverName] = (...args: unknown[]) => conn.call(p.proc, args);
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
