import { defaultSocketDir } from '@tsvirt/core/protocol';
import { DEFAULT_LIMITS, type DaemonLimits } from './daemon-limits.js';
import { isLoopback, type TlsPolicy } from './network-access.js';
import type { TlsFiles } from './tcp-listener.js';
import { checkXenApiUri } from './uri-policy.js';

export interface DaemonOptions {
  socketDir: string;
  /** tcp://HOST:PORT or tls://HOST:PORT listeners */
  listen: { host: string; port: number; tls: boolean }[];
  tls: Partial<TlsFiles>;
  tlsPolicy: TlsPolicy;
  /** folders whose test driver node files any client may open */
  nodeFileDirs: string[];
  /** xenapi:// URIs clients may have the daemon connect to */
  xenapiUris: string[];
  /** plain TCP listeners may be on addresses other than loopback */
  tcpAnyAddress: boolean;
  stdio: boolean;
  /** --relay URI: carry one client on stdin/stdout to the daemon URI names */
  relay: string | null;
  /** with --stdio: the client is read-only (with --relay: it reaches the read-only socket) */
  readOnly: boolean;
  limits: DaemonLimits;
  /** --timeout: exit after this many seconds with no clients and no running guests (0: never) */
  timeout: number;
}

export const USAGE = `Usage: tsvirtd [OPTIONS]
  --socket-dir DIR       folder of tsvirt-sock (0600) and tsvirt-sock-ro (0666)
  --listen URL           also listen on tcp://HOST:PORT or tls://HOST:PORT (repeatable);
                         plain TCP clients are read-only (no authentication), on loopback only
  --tcp-any-address      let a tcp:// listener be on an address other than loopback
  --tls-cert FILE        server certificate (TLS)
  --tls-key FILE         server private key (TLS)
  --tls-ca FILE          CA that client certificates must be signed by (required for tls://)
  --tls-allowed-dn PAT   only clients whose certificate name matches PAT (* and ? wildcards,
                         e.g. 'CN=admin,O=Example') may connect (repeatable; default: any)
  --tls-others-read-only clients not on that list are served read-only instead of refused
  --tls-no-verify-client client certificates are not checked: every TLS client is read-only
  --allow-node-files DIR read-only and network clients may open node files (test:///DIR/node.xml)
                         in DIR (repeatable); by default only the read-write socket's may
  --timeout S            exit after S seconds with no clients and no running guests
                         (clients that start the user's session daemon pass it; default: never)
  --allow-xenapi URI     clients may have the daemon connect to the XenAPI host URI names
                         (xenapi://[user@]HOST[:PORT]/[?tls=0&...], with root's credentials from
                         its auth file); only to the same host, port, user and parameters
                         (repeatable); by default to none
  --stdio                serve one client on stdin/stdout, exit when it closes
  --relay URI            carry one client on stdin/stdout to the daemon URI names (tsvirt's
                         transports: TLS with libvirt's certificate files, TCP, unix, ssh), for
                         clients that cannot speak the transport themselves; exit when it closes
  --read-only            with --stdio: refuse calls that change state; with --relay: the
                         read-only socket of a unix URI
  --max-clients N        clients connected at once (default ${DEFAULT_LIMITS.maxClients})
  --max-requests N       calls in flight per client (default ${DEFAULT_LIMITS.maxRequestsPerClient})
  --max-message BYTES    largest frame (default ${DEFAULT_LIMITS.maxMessage})
  --max-queued BYTES     replies and events a client may leave unread; past it, it is dropped (default ${DEFAULT_LIMITS.maxQueuedBytes})
  --max-queued-total BYTES  replies and events all clients together may leave unread; past it, the
                         clients holding the most are dropped (default ${DEFAULT_LIMITS.maxQueuedBytesTotal})
  --max-event-callbacks N  event callbacks per client (default ${DEFAULT_LIMITS.maxEventCallbacks})
  --keepalive-interval S ping a client silent for S seconds; 0: never (default ${DEFAULT_LIMITS.keepaliveInterval})
  --keepalive-count N    drop it after N pings met with silence (default ${DEFAULT_LIMITS.keepaliveCount})
`;

export class OptionError extends Error {}

function positive(name: string, text: string | undefined): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new OptionError(`${name} needs a positive integer, got '${text ?? ''}'`);
  return n;
}

function wholeNumber(name: string, text: string | undefined): number {
  const n = Number(text);
  if (!/^\d+$/.test(text ?? '') || !Number.isSafeInteger(n)) throw new OptionError(`${name} needs a whole number, got '${text ?? ''}'`);
  return n;
}

function listenUrl(text: string | undefined): DaemonOptions['listen'][number] {
  const m = /^(tcp|tls):\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(text ?? '');
  if (!m) throw new OptionError(`--listen needs tcp://HOST:PORT or tls://HOST:PORT, got '${text ?? ''}'`);
  return { tls: m[1] === 'tls', host: m[2]!.replace(/^\[|\]$/g, ''), port: Number(m[3]) };
}

export function parseDaemonOptions(argv: readonly string[]): DaemonOptions | 'help' {
  const o: DaemonOptions = {
    socketDir: defaultSocketDir(), listen: [], tls: {}, tlsPolicy: { noVerifyClient: false, allowedDn: [], othersReadOnly: false },
    tcpAnyAddress: false, nodeFileDirs: [], xenapiUris: [], stdio: false, relay: null, readOnly: false, limits: { ...DEFAULT_LIMITS }, timeout: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      if (i + 1 >= argv.length) throw new OptionError(`${arg} needs a value`);
      return argv[++i]!;
    };
    switch (arg) {
      case '--help': case '-h': return 'help';
      case '--socket-dir': o.socketDir = value(); break;
      case '--listen': o.listen.push(listenUrl(value())); break;
      case '--tls-cert': o.tls.cert = value(); break;
      case '--tls-key': o.tls.key = value(); break;
      case '--tls-ca': o.tls.ca = value(); break;
      case '--tls-allowed-dn': o.tlsPolicy.allowedDn.push(value()); break;
      case '--tls-others-read-only': o.tlsPolicy.othersReadOnly = true; break;
      case '--tls-no-verify-client': o.tlsPolicy.noVerifyClient = true; break;
      case '--tcp-any-address': o.tcpAnyAddress = true; break;
      case '--allow-node-files': o.nodeFileDirs.push(value()); break;
      case '--timeout': o.timeout = wholeNumber(arg, value()); break;
      case '--allow-xenapi': {
        const uri = value();
        const bad = checkXenApiUri(uri);
        if (bad) throw new OptionError(`--allow-xenapi: ${bad}`);
        o.xenapiUris.push(uri);
        break;
      }
      case '--stdio': o.stdio = true; break;
      case '--relay': o.relay = value(); break;
      case '--read-only': o.readOnly = true; break;
      case '--max-clients': o.limits.maxClients = positive(arg, value()); break;
      case '--max-requests': o.limits.maxRequestsPerClient = positive(arg, value()); break;
      case '--max-message': o.limits.maxMessage = positive(arg, value()); break;
      case '--max-queued': o.limits.maxQueuedBytes = positive(arg, value()); break;
      case '--max-queued-total': o.limits.maxQueuedBytesTotal = positive(arg, value()); break;
      case '--max-event-callbacks': o.limits.maxEventCallbacks = positive(arg, value()); break;
      case '--keepalive-interval': o.limits.keepaliveInterval = wholeNumber(arg, value()); break;
      case '--keepalive-count': o.limits.keepaliveCount = wholeNumber(arg, value()); break;
      default: throw new OptionError(`unknown option '${arg}'`);
    }
  }
  if (o.limits.maxQueuedBytesTotal < o.limits.maxMessage) {
    throw new OptionError(`--max-queued-total (${o.limits.maxQueuedBytesTotal}) must be at least --max-message (${o.limits.maxMessage}): one frame must fit`);
  }
  if (o.relay !== null && o.stdio) throw new OptionError('--relay and --stdio both serve stdin/stdout: give one');
  const tlsWanted = o.listen.some((l) => l.tls);
  if (tlsWanted && (!o.tls.cert || !o.tls.key)) throw new OptionError('a tls:// listener needs --tls-cert and --tls-key');
  if (tlsWanted && !o.tls.ca && !o.tlsPolicy.noVerifyClient) {
    throw new OptionError('a tls:// listener needs --tls-ca to check client certificates (or --tls-no-verify-client, which makes every TLS client read-only)');
  }
  const open = o.listen.find((l) => !l.tls && !isLoopback(l.host));
  if (open && !o.tcpAnyAddress) {
    throw new OptionError(`tcp://${open.host}:${open.port} is not a loopback address: plain TCP has no authentication (use tls://, or --tcp-any-address to serve read-only clients there)`);
  }
  return o;
}
