import { isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';

/**
 * What a client may do: read and write, only read, or nothing (and why); `trusted`: it
 * may open files by their URI (the read-write socket, --stdio), else only in the folders
 * an administrator allowed.
 */
export type ClientAccess = { readOnly: boolean; refusal: null; trusted: boolean } | { readOnly: true; refusal: VirError; trusted: false };

/** How TLS clients are let in, as libvirtd's tls_no_verify_certificate and tls_allowed_dn_list say. */
export interface TlsPolicy {
  /** client certificates are not checked (libvirt's tls_no_verify_certificate): every client is read-only */
  noVerifyClient: boolean;
  /** patterns (`*` and `?` as wildcards) of the certificate names that may write; empty: every verified client may */
  allowedDn: string[];
  /** a verified client whose name is not on the list is served read-only rather than refused */
  othersReadOnly: boolean;
}

/** Whether a listener's address is on this machine only. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

const authFailed = (message: string) => VirError.of(ErrorNumber.AUTH_FAILED, ErrorDomain.RPC, message);

/** A plain TCP client has not authenticated: it may read, never write. */
export const TCP_ACCESS: ClientAccess = { readOnly: true, refusal: null, trusted: false };

/**
 * The certificate's subject as libvirt matches it against tls_allowed_dn_list: the
 * RDNs from the last to the first, comma-separated ("CN=client,O=Example,C=GB").
 */
export function distinguishedName(socket: TLSSocket): string | null {
  const raw = socket.getPeerX509Certificate?.() as X509Certificate | undefined;
  return raw ? raw.subject.split('\n').reverse().join(',') : null;
}

/** A libvirt tls_allowed_dn_list pattern as a whole-string match: `*` any run, `?` one character. */
function dnMatches(pattern: string, dn: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 's').test(dn);
}

/** Why Node refused a client's certificate, in words a person can act on. */
function certificateProblem(code: string): string {
  switch (code) {
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return "it is not signed by the daemon's CA (--tls-ca)";
    case 'CERT_HAS_EXPIRED':
      return 'it has expired';
    case 'CERT_NOT_YET_VALID':
      return 'it is not valid yet';
    default:
      return code;
  }
}

/** What a TLS client may do, once its handshake is done. */
export function tlsAccess(socket: TLSSocket, policy: TlsPolicy): ClientAccess {
  if (policy.noVerifyClient) return { readOnly: true, refusal: null, trusted: false };
  const dn = distinguishedName(socket);
  if (dn === null) return { readOnly: true, refusal: authFailed('the daemon requires a client certificate and none was given'), trusted: false };
  if (!socket.authorized) {
    const problem = certificateProblem(String(socket.authorizationError));
    return { readOnly: true, refusal: authFailed(`the client certificate '${dn}' was refused: ${problem}`), trusted: false };
  }
  if (policy.allowedDn.length === 0 || policy.allowedDn.some((p) => dnMatches(p, dn))) return { readOnly: false, refusal: null, trusted: false };
  if (policy.othersReadOnly) return { readOnly: true, refusal: null, trusted: false };
  return { readOnly: true, refusal: authFailed(`the client certificate's name '${dn}' is not on the list of allowed clients (--tls-allowed-dn)`), trusted: false };
}
