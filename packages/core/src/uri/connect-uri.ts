import { ErrorDomain, ErrorNumber } from '../gen/errors.gen.js';
import { VirError } from '../errors/vir-error.js';

/**
 * A libvirt connection URI: driver[+transport]://[user@][host][:port]/path[?query],
 * e.g. test:///default, qemu+ssh://root@host/system, test+unix:///default?socket=/x.
 */
export interface ConnectUri {
  /** the whole URI as given */
  text: string;
  /** the scheme as written, e.g. qemu+ssh */
  scheme: string;
  /** the driver part of the scheme, e.g. qemu */
  driver: string;
  /** the transport part of the scheme, e.g. ssh, or null */
  transport: string | null;
  user: string | null;
  host: string | null;
  port: number | null;
  path: string;
  query: Map<string, string>;
}

const URI_RE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(?:([^@/?#]*)@)?(\[[^\]]*\]|[^:/?#]*)(?::(\d*))?([^?#]*)(?:\?([^#]*))?(?:#.*)?$/;

function badUri(text: string): VirError {
  return VirError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.URI, `Unable to parse URI ${text}`);
}

export function parseConnectUri(text: string): ConnectUri {
  const m = URI_RE.exec(text);
  if (!m) throw badUri(text);
  const [, scheme, user, rawHost, port, path, query] = m;
  const plus = scheme.indexOf('+');
  const decode = (s: string) => {
    try { return decodeURIComponent(s); } catch { throw badUri(text); }
  };
  const q = new Map<string, string>();
  for (const part of (query ?? '').split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    q.set(decode(eq < 0 ? part : part.slice(0, eq)), eq < 0 ? '' : decode(part.slice(eq + 1).replace(/\+/g, ' ')));
  }
  const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
  const portNum = port ? Number(port) : null;
  if (portNum !== null && (portNum > 65535)) throw badUri(text);
  return {
    text,
    scheme: scheme.toLowerCase(),
    driver: (plus < 0 ? scheme : scheme.slice(0, plus)).toLowerCase(),
    transport: plus < 0 ? null : scheme.slice(plus + 1).toLowerCase(),
    user: user ? decode(user) : null,
    host: host ? decode(host) : null,
    port: portNum,
    path: decode(path),
    query: q,
  };
}
