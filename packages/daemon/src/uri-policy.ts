import { realpath } from 'node:fs/promises';
import { sep } from 'node:path';
import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import { parseConnectUri } from '@tsvirt/core/driver';

/** A URI path that names an instance (/default, /system, /session), not a file. */
const INSTANCE_PATH = /^\/[A-Za-z0-9_-]+$/;

const denied = (message: string) => VirError.of(ErrorNumber.ACCESS_DENIED, ErrorDomain.RPC, message);

/**
 * The URI the daemon opens for a client's open call. Only a local URI, without
 * parameters: a client names no host, transport or option for the daemon to use. A
 * path other than an instance name names a file (a test driver node file); the daemon
 * opens it for a client it trusts (its read-write socket, --stdio) and otherwise only
 * when it lies, symbolic links resolved, in a folder an administrator allowed
 * (`nodeFileDirs`, --allow-node-files).
 */
export async function uriToOpen(text: string, trusted: boolean, nodeFileDirs: readonly string[]): Promise<string> {
  const uri = parseConnectUri(text);
  if (uri.transport !== null || uri.host !== null || uri.user !== null || uri.port !== null || uri.query.size > 0) {
    throw denied(`the daemon opens only local URIs without parameters (driver:///path), not '${text}'`);
  }
  if (INSTANCE_PATH.test(uri.path) || trusted) return `${uri.driver}://${uri.path}`;
  const real = await realpath(uri.path).catch(() => null);
  const allowedDirs = await Promise.all(nodeFileDirs.map((d) => realpath(d).catch(() => null)));
  if (real !== null && allowedDirs.some((d) => d !== null && real.startsWith(d.endsWith(sep) ? d : d + sep))) return `${uri.driver}://${real}`;
  throw denied(`this client may not open '${uri.path}': files are opened only in the folders an administrator allowed (tsvirtd --allow-node-files)`);
}
