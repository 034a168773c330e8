import { callNative, requireNative } from './native-loader.js';
import { HvNativeError } from './hv-native-error.js';

export interface OpenedTap {
  /** a descriptor of /dev/net/tun attached to the tap, close-on-exec; the caller closes it */
  fd: number;
  /** the tap's name (the kernel's, when `name` was a pattern such as "vnet%d") */
  name: string;
}

/**
 * Opens the tap `name` (made if it does not exist; "vnet%d" lets the kernel number it),
 * with virtio-net headers when `vnetHdr`. The tap goes away when its last descriptor
 * closes: a hypervisor driver hands the descriptor to QEMU and closes its own copy.
 * Needs the addon (no JavaScript way to issue TUNSETIFF): UNAVAILABLE without it.
 */
export function openTap(name: string, vnetHdr = true): OpenedTap {
  if (typeof name !== 'string' || name.length === 0 || Buffer.byteLength(name) > 15 || name.includes('/')) {
    throw new HvNativeError('EINVAL', `openTap: '${String(name)}' is not an interface name (1 to 15 bytes, no '/')`);
  }
  const native = requireNative('Opening a tap device');
  return callNative(`openTap(${name})`, () => native.openTap(name, vnetHdr));
}
