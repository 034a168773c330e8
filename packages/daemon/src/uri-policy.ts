import { realpath } from 'node:fs/promises';
import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import { fileNotAllowed, insideFolders, parseConnectUri } from '@tsvirt/core/driver';

/** A URI path that names an instance (/default, /system, /session), not a file. */
const INSTANCE_PATH = /^\/[A-Za-z0-9_-]+$/;

const denied = (message: string) => VirError.of(ErrorNumber.ACCESS_DENIED, ErrorDomain.RPC, message);

/** What the daemon opens for a client: the URI, and the folders the driver may read the files it names from (null: any). */
export interface UriToOpen {
  uri: string;
  fileDirs: readonly string[] | null;
}

/**
 * The URI the daemon opens for a client's open call. Only a local URI, without
 * parameters: a client names no host, transport or option for the daemon to use. A
 * path other than an instance name names a file (a test driver node file); the daemon
 * opens it for a client it trusts (its read-write socket, --stdio) and otherwise only
 * when it lies, symbolic links resolved, in a folder an administrator allowed
 * (`nodeFileDirs`, --allow-node-files), as must every file it names in turn (the driver
 * checks those, and this one again, on the files it opened).
 */
export async function uriToOpen(text: string, trusted: boolean, nodeFileDirs: readonly string[]): Promise<UriToOpen> {
  const uri = parseConnectUri(text);
  if (uri.transport !== null || uri.host !== null || uri.user !== null || uri.port !== null || uri.query.size > 0) {
    throw denied(`the daemon opens only local URIs without parameters (driver:///path), not '${text}'`);
  }
  if (INSTANCE_PATH.test(uri.path) || trusted) return { uri: `${uri.driver}://${uri.path}`, fileDirs: null };
  const real = await realpath(uri.path).catch(() => null);
  const allowedDirs = await Promise.all(nodeFileDirs.map((d) => realpath(d).catch(() => null)));
  if (real !== null && insideFolders(real, allowedDirs)) return { uri: `${uri.driver}://${real}`, fileDirs: nodeFileDirs };
  throw fileNotAllowed(uri.path, ErrorDomain.RPC);
}
