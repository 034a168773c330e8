import type { ConnectUri } from '../../uri/connect-uri.js';

/**
 * The URI the far side opens: the driver and path, without transport, host or transport
 * options; or, as in libvirt, the one the `name` parameter gives (for a URI the far side
 * must see whole, such as a xenapi://HOST/ that the daemon connects to).
 */
export function farSideUri(uri: ConnectUri): string {
  return uri.query.get('name') || `${uri.driver}://${uri.path || '/'}`;
}
