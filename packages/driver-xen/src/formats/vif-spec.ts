// One network interface of a config's `vif = [ ... ]`: "mac=...,bridge=...,script=..."
// as a domain XML <interface>. A bridge written as "br.42" or "br:42:43" is an Open vSwitch
// port with a VLAN tag or trunk; "rate=10MB/s" is an outbound bandwidth limit.

import { ErrorNumber } from '@tsvirt/core';
import { element, type XmlElement } from '@tsvirt/core/xml';
import type { ConfigReader } from './config-settings.js';

// what xl's vif parser knows (xl-network-configuration); anything else is a typo
const VIF_KEYS = new Set(['mac', 'bridge', 'ip', 'script', 'model', 'type', 'vifname', 'rate', 'backend', 'gatewaydev', 'accel', 'devid', 'mtu', 'forwarddev']);
const MAC = /^[0-9a-fA-F]{1,2}(?::[0-9a-fA-F]{1,2}){5}$/;
const RATE = /^([0-9]+)([GMK]?)([Bb])\/s(?:@.*)?$/;

/** The options of a comma-separated "key=value" list (spaces after a comma are skipped). */
export function keyValues(spec: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of spec.split(',')) {
    const p = part.replace(/^[ \t]+/, '');
    if (p === '') continue;
    const eq = p.indexOf('=');
    out.set(eq < 0 ? p : p.slice(0, eq), eq < 0 ? '' : p.slice(eq + 1));
  }
  return out;
}

/** kB/s from a rate ("10MB/s", "100Mb/s@20ms"), as libvirt reads it. */
export function rateKBytes(r: ConfigReader, rate: string): number {
  const m = RATE.exec(rate);
  if (!m) throw r.error(ErrorNumber.CONF_SYNTAX, `Invalid rate '${rate}' specified (expected N[GMK]B/s or N[GMK]b/s)`);
  let n = Number(m[1]) * ({ G: 1024 * 1024, M: 1024, K: 1, '': 1 } as Record<string, number>)[m[2]];
  if (m[3] === 'b') n = Math.floor(n / 8);
  return n;
}

function bridgeParts(bridge: string): XmlElement[] {
  const dot = bridge.indexOf('.');
  const colon = bridge.indexOf(':');
  if (dot < 0 && colon < 0) return [element('source', { bridge })];
  const ovs = element('virtualport', { type: 'openvswitch' });
  if (dot >= 0) {
    return [element('source', { bridge: bridge.slice(0, dot) }), element('vlan', {}, [element('tag', { id: String(Number(bridge.slice(dot + 1))) })]), ovs];
  }
  const [name, ...tags] = bridge.split(':');
  return [element('source', { bridge: name }), element('vlan', { trunk: 'yes' }, tags.map((t) => element('tag', { id: String(Number(t)) }))), ovs];
}

/** `typename`: the `type=` that means a paravirtual NIC ("vif" for xl, "netfront" for xm). */
export function parseVif(r: ConfigReader, spec: string, typename: string, index: number): XmlElement {
  const o = keyValues(spec);
  for (const [k, v] of o) {
    if (!VIF_KEYS.has(k)) throw r.error(ErrorNumber.CONF_SYNTAX, `vif ${index}: unrecognized argument '${k}${v ? `=${v}` : ''}' in '${spec}'`);
    if (/[\0-\x1f]/.test(v)) throw r.error(ErrorNumber.CONF_SYNTAX, `vif ${index}: control character in ${k}`);
  }
  const children: XmlElement[] = [];
  const mac = o.get('mac');
  if (mac) {
    if (!MAC.test(mac)) throw r.error(ErrorNumber.CONF_SYNTAX, `vif ${index}: malformed mac address '${mac}'`);
    children.push(element('mac', { address: mac.split(':').map((b) => b.padStart(2, '0').toLowerCase()).join(':') }));
  }
  const bridge = o.get('bridge');
  const script = o.get('script');
  const type = bridge || script === 'vif-bridge' || script === 'vif-vnic' ? 'bridge' : 'ethernet';
  if (type === 'bridge' && bridge) children.push(...bridgeParts(bridge));
  const rate = o.get('rate');
  if (rate) children.push(element('bandwidth', {}, [element('outbound', { average: String(rateKBytes(r, rate)) })]));
  for (const ip of (o.get('ip') ?? '').split(' ').filter(Boolean)) children.push(element('ip', { address: ip, family: ip.includes(':') ? 'ipv6' : 'ipv4' }));
  if (script) children.push(element('script', { path: script }));
  const vifname = o.get('vifname');
  if (vifname) children.push(element('target', { dev: vifname }));
  const model = o.get('model');
  if (model) children.push(element('model', { type: model }));
  else if (o.get('type') === typename) children.push(element('model', { type: 'netfront' }));
  return element('interface', { type }, children);
}
