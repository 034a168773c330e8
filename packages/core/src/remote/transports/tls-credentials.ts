import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { connectFailed } from './transport-error.js';

/**
 * The client's TLS files where libvirt looks for them: ?pkipath=DIR holding
 * cacert.pem, clientcert.pem and clientkey.pem, else /etc/pki. A missing client
 * certificate is allowed (the server decides); ?no_verify=1 skips the server check.
 */
export function tlsClientOptions(query: ReadonlyMap<string, string>): ConnectionOptions {
  const dir = query.get('pkipath');
  const ca = dir ? join(dir, 'cacert.pem') : '/etc/pki/CA/cacert.pem';
  const cert = dir ? join(dir, 'clientcert.pem') : '/etc/pki/libvirt/clientcert.pem';
  const key = dir ? join(dir, 'clientkey.pem') : '/etc/pki/libvirt/private/clientkey.pem';
  const read = (path: string, required: boolean): Buffer | undefined => {
    try {
      return readFileSync(path);
    } catch (e) {
      if (required) throw connectFailed(`Cannot read CA certificate '${path}'`, e);
      return undefined;
    }
  };
  const noVerify = query.get('no_verify') === '1';
  return { ca: read(ca, !noVerify), cert: read(cert, false), key: read(key, false), rejectUnauthorized: !noVerify };
}
