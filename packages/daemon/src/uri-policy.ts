import { realpath } from 'node:fs/promises';
import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import { fileNotAllowed, insideFolders, parseConnectUri, type ConnectUri } from '@tsvirt/core/driver';

/** A URI path that names an instance (/default, /system, /session), not a file. */
const INSTANCE_PATH = /^\/[A-Za-z0-9_-]+$/;

const denied = (message: string) => VirError.of(ErrorNumber.ACCESS_DENIED, ErrorDomain.RPC, message);

/** What an administrator let clients open beyond the daemon's own instances. */
export interface OpenPolicy {
  /** folders whose node files any client may open (--allow-node-files) */
  nodeFileDirs: readonly string[];
  /** the xenapi:// URIs clients may have the daemon connect to (--allow-xenapi) */
  xenapiUris: readonly string[];
}

/** The parts of a xenapi:// URI that choose where and how the daemon connects, for comparing two. */
function xenapiTarget(uri: ConnectUri): string {
  const tls = uri.query.get('tls') !== '0';
  const query = [...uri.query].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([uri.user, uri.host?.toLowerCase(), uri.port ?? (tls ? 443 : 80), uri.path === '' ? '/' : uri.path, query]);
}

/**
 * A xenapi://[user@]HOST[:PORT]/ URI makes the daemon, as root, connect to that host
 * with root's XenAPI credentials: only to what an administrator listed (the same host,
 * port, user and parameters), decided before any network traffic.
 */
function allowedXenApi(uri: ConnectUri, allowed: readonly string[]): UriToOpen {
  const wanted = xenapiTarget(uri);
  const match = allowed.find((a) => xenapiTarget(parseConnectUri(a)) === wanted);
  if (match === undefined) {
    throw VirError.of(ErrorNumber.OPERATION_DENIED, ErrorDomain.RPC,
      `this daemon connects only to the XenAPI hosts its administrator allowed (tsvirtd --allow-xenapi URI), not '${uri.text.slice(0, 200)}'`);
  }
  return { uri: match, fileDirs: null };
}

/** A --allow-xenapi value: a xenapi:// URI naming a host, without transport. */
export function checkXenApiUri(text: string): string | null {
  let uri: ConnectUri;
  try {
    uri = parseConnectUri(text);
  } catch {
    return `'${text}' is not a URI`;
  }
  if (uri.driver !== 'xenapi' || uri.transport !== null || !uri.host) return `'${text}' is not a xenapi://[user@]HOST[:PORT]/ URI`;
  return null;
}

/** What the daemon opens for a client: the URI, and the folders the driver may read the files it names from (null: any). */
export interface UriToOpen {
  uri: string;
  fileDirs: readonly string[] | null;
}

/**
 * The URI the daemon opens for a client's open call. Only a local URI, without
 * parameters: a client names no host, transport or option for the daemon to use, but
 * for a XenAPI host an administrator allowed (`xenapiUris`, --allow-xenapi). A
 * path other than an instance name names a file (a test driver node file); the daemon
 * opens it for a client it trusts (its read-write socket, --stdio) and otherwise only
 * when it lies, symbolic links resolved, in a folder an administrator allowed
 * (`nodeFileDirs`, --allow-node-files), as must every file it names in turn (the driver
 * checks those, and this one again, on the files it opened).
 */
export async function uriToOpen(text: string, trusted: boolean, { nodeFileDirs, xenapiUris }: OpenPolicy): Promise<UriToOpen> {
  const uri = parseConnectUri(text);
  if (uri.driver === 'xenapi' && uri.transport === null) return allowedXenApi(uri, xenapiUris);
  if (uri.transport !== null || uri.host !== null || uri.user !== null || uri.port !== null || uri.query.size > 0) {
    throw denied(`the daemon opens only local URIs without parameters (driver:///path), not '${text}'`);
  }
  if (INSTANCE_PATH.test(uri.path) || trusted) return { uri: `${uri.driver}://${uri.path}`, fileDirs: null };
  const real = await realpath(uri.path).catch(() => null);
  const allowedDirs = await Promise.all(nodeFileDirs.map((d) => realpath(d).catch(() => null)));
  if (real !== null && insideFolders(real, allowedDirs)) return { uri: `${uri.driver}://${real}`, fileDirs: nodeFileDirs };
  throw fileNotAllowed(uri.path, ErrorDomain.RPC);
}
