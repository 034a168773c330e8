import type { DomainInterfaceStats } from '../gen/api.gen.js';

/**
 * A guest interface's traffic counters from the host's /proc/net/dev table, seen
 * from the guest's side as libvirt reports them: what the host's device (a tap, a
 * Xen vif) sends is what the guest receives. Undefined when the device is not listed.
 */
export function guestSideCounters(procNetDev: string, hostDev: string): DomainInterfaceStats | undefined {
  const row = procNetDev.split('\n').find((l) => l.trim().startsWith(`${hostDev}:`));
  if (!row) return undefined;
  // Receive: bytes packets errs drop fifo frame compressed multicast; then transmit: bytes packets errs drop ...
  const n = row.slice(row.indexOf(':') + 1).trim().split(/\s+/).map((x) => (/^\d+$/.test(x) ? Number(x) : -1));
  if (n.length < 12) return undefined;
  return {
    rxBytes: n[8], rxPackets: n[9], rxErrs: n[10], rxDrop: n[11],
    txBytes: n[0], txPackets: n[1], txErrs: n[2], txDrop: n[3],
  };
}
