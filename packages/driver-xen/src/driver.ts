// The Xen driver's entry: xen:///system (the local host, through the xl toolstack)
// and xenapi://[user@]HOST[:PORT]/ (a XenServer or XCP-ng host, through XenAPI).

import { ErrorNumber } from '@tsvirt/core';
import type { ConnectUri, Driver } from '@tsvirt/core/driver';
import { credentialsFor } from './auth-config.js';
import { XenApiConnection, noServer } from './xenapi-connection.js';
import { xenapiError } from './xenapi/xenapi-errors.js';
import { xenDirs } from './xen-dirs.js';
import { XENSTORED_SOCKET } from './xenstore/xs-client.js';
import { XenConnection } from './xen-connection.js';
import { xenError } from './xen-errors.js';

/** The xl binary: TSVIRT_XEN_XL (an administrator's setting, never a client's), else xl on PATH. */
const xlBinary = () => process.env.TSVIRT_XEN_XL || 'xl';

/**
 * xenapi://[user@]HOST[:PORT]/: HTTPS (port 443) unless ?tls=0 (HTTP, port 80);
 * ?no_verify=1 accepts a certificate that does not verify (libvirt's parameter);
 * ?protocol=jsonrpc|xmlrpc fixes the wire protocol (found out otherwise);
 * ?keepalive=1|0: calls on one kept-alive connection, or a connection per call. Kept
 * alive by default over HTTPS, where it saves a TLS handshake per call; a connection
 * per call by default over plain HTTP, where a server that writes its answer in two
 * pieces without TCP_NODELAY makes each call on a kept connection wait out the
 * client's delayed acknowledgement (about 40 ms). The
 * password comes from the auth file (libvirt's auth.conf format), never from the URI.
 */
async function openXenApi(uri: ConnectUri): Promise<XenApiConnection> {
  if (!uri.host) throw noServer();
  const tls = uri.query.get('tls') !== '0';
  const protocol = uri.query.get('protocol');
  if (protocol !== undefined && protocol !== 'jsonrpc' && protocol !== 'xmlrpc') {
    throw xenapiError(ErrorNumber.INVALID_ARG, `unknown XenAPI protocol '${protocol.slice(0, 40)}', try jsonrpc or xmlrpc`);
  }
  const keepAlive = uri.query.get('keepalive');
  if (keepAlive !== undefined && keepAlive !== '0' && keepAlive !== '1') {
    throw xenapiError(ErrorNumber.INVALID_ARG, `keepalive must be 0 or 1, not '${keepAlive.slice(0, 40)}'`);
  }
  const creds = credentialsFor('xenapi', uri.host);
  const user = uri.user ?? creds.username ?? 'root';
  if (creds.password === undefined) {
    throw xenapiError(ErrorNumber.AUTH_FAILED, `no password for ${user} on ${uri.host}: add it to the auth file (an [auth-xenapi-${uri.host}] entry)`);
  }
  return XenApiConnection.open({
    uri: uri.text, user, password: creds.password, ...(protocol ? { protocol } : {}), keepAlive: keepAlive === undefined ? tls : keepAlive === '1',
    endpoint: { host: uri.host, port: uri.port ?? (tls ? 443 : 80), tls, noVerify: uri.query.get('no_verify') === '1' },
  });
}

export const driver: Driver = {
  name: 'Xen',
  schemes: ['xen', 'xenapi'],
  async open(uri) {
    if (uri.transport !== null) return 'declined';
    if (uri.driver === 'xenapi') return openXenApi(uri);
    // xen://host/system belongs to the remote driver.
    if (uri.host !== null) return 'declined';
    // as libvirt's libxl driver: xen:/// and xen:///system
    if (uri.path !== '/system' && uri.path !== '/' && uri.path !== '') {
      throw xenError(ErrorNumber.INTERNAL_ERROR, `unexpected Xen URI path '${uri.path}', try xen:///system`);
    }
    const env = process.env;
    return XenConnection.open({
      uri: uri.text, dirs: xenDirs(), xl: { binary: xlBinary() },
      xenstoreSocket: env.TSVIRT_XENSTORE_SOCKET || XENSTORED_SOCKET, sysRoot: env.TSVIRT_XEN_SYS_ROOT || '/',
    });
  },
};
