import type { ConnectUri } from '../../uri/connect-uri.js';

/** The URI the far side opens: the driver and path, without transport, host or transport options. */
export function farSideUri(uri: ConnectUri): string {
  return `${uri.driver}://${uri.path || '/'}`;
}
