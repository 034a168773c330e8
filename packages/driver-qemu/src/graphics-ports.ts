// The port QEMU chose for an autoport VNC display, written into the live definition
// as libvirt reports it (<graphics type='vnc' port='5900' autoport='yes'>), so that
// clients (virsh vncdisplay, a viewer reading the XML) can find the display.

import type { DomainDef } from '@tsvirt/core/xml';
import type { QmpClient } from './qmp/qmp-client.js';

interface VncInfo { enabled: boolean; service?: string; family?: string }

export async function recordVncPort(qmp: QmpClient, def: DomainDef): Promise<void> {
  const vnc = def.devices.find((d) => d.kind === 'other' && d.element.name === 'graphics' && d.element.attrs.type === 'vnc');
  if (vnc?.kind !== 'other' || vnc.element.attrs.autoport !== 'yes') return;
  const info = await qmp.execute<VncInfo>('query-vnc');
  // a display on a unix socket has no port
  if (info.enabled && info.family !== 'unix' && info.service !== undefined && /^\d+$/.test(info.service)) vnc.element.attrs.port = info.service;
}
