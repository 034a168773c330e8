import type { Connect } from './gen/api.gen.js';
import { ConnectEntry } from './gen/entry.gen.js';
import { openDriver } from './drivers/driver-registry.js';
import type { OpenOptions } from './drivers/driver.js';
import { parseConnectUri } from './uri/connect-uri.js';
import { defaultUri } from './uri/default-uri.js';
import { toVirError } from './errors/vir-error.js';
import { ErrorDomain } from './gen/errors.gen.js';

/**
 * Open a connection to a hypervisor. The driver is chosen by the URI's scheme and
 * loaded on first use; with no URI, as libvirt chooses (see default-uri.ts). With
 * `readOnly`, every call that changes state is refused.
 */
export async function open(uri?: string, options: OpenOptions = {}): Promise<Connect> {
  try {
    const driver = await openDriver(parseConnectUri(uri ?? (await defaultUri())), options);
    return new ConnectEntry(driver, options.readOnly === true);
  } catch (e) {
    throw toVirError(e, ErrorDomain.NONE);
  }
}
