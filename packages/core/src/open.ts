import type { Connect } from './gen/api.gen.js';
import { ConnectEntry } from './gen/entry.gen.js';
import { openDriver } from './drivers/driver-registry.js';
import type { OpenOptions } from './drivers/driver.js';
import { parseConnectUri } from './uri/connect-uri.js';
import { toVirError } from './errors/vir-error.js';
import { ErrorDomain } from './gen/errors.gen.js';

/** The URI used when none is given: $LIBVIRT_DEFAULT_URI, else the test driver's default. */
export function defaultUri(): string {
  return process.env.LIBVIRT_DEFAULT_URI || 'test:///default';
}

/**
 * Open a connection to a hypervisor. The driver is chosen by the URI's scheme and
 * loaded on first use. With `readOnly`, every call that changes state is refused.
 */
export async function open(uri: string = defaultUri(), options: OpenOptions = {}): Promise<Connect> {
  try {
    const driver = await openDriver(parseConnectUri(uri), options);
    return new ConnectEntry(driver, options.readOnly === true);
  } catch (e) {
    throw toVirError(e, ErrorDomain.NONE);
  }
}
