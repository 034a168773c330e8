import { isIP } from 'node:net';
import { ErrorDomain, ErrorNumber } from '../../gen/errors.gen.js';
import { VirError } from '../../errors/vir-error.js';
import { childElement, childElements } from '../xml-element.js';
import type { NetworkDef } from './network-def.js';

/** One <ip> of a network, typed: what a network driver configures on its bridge and serves by DHCP. */
export interface NetworkIpDef {
  family: 'ipv4' | 'ipv6';
  address: string;
  prefix: number;
  dhcpRanges: Array<{ start: string; end: string }>;
  hosts: Array<{ mac?: string; name?: string; ip?: string }>;
}

const xmlError = (info: string) => VirError.of(ErrorNumber.XML_ERROR, ErrorDomain.NETWORK, info);

/** The prefix length of a dotted IPv4 netmask, or -1 when the mask is not contiguous. */
function maskPrefix(mask: string): number {
  if (isIP(mask) !== 4) return -1;
  const bits = mask.split('.').map((o) => Number(o).toString(2).padStart(8, '0')).join('');
  return /^1*0*$/.test(bits) ? bits.indexOf('0') === -1 ? 32 : bits.indexOf('0') : -1;
}

/** The network's <ip> elements, checked as libvirt's parser checks them (virNetworkIPDefParseXML). */
export function networkIps(def: NetworkDef): NetworkIpDef[] {
  return def.extra.filter((e) => e.name === 'ip').map((ip) => {
    const { address, netmask, prefix } = ip.attrs;
    const version = address ? isIP(address) : 0;
    if (!version) throw xmlError(`Invalid ip address in network '${def.name}'`);
    const family: NetworkIpDef['family'] = ip.attrs.family === 'ipv6' || (!ip.attrs.family && version === 6) ? 'ipv6' : 'ipv4';
    if ((family === 'ipv6') !== (version === 6)) throw xmlError(`Invalid ip address in network '${def.name}'`);
    let bits: number;
    if (netmask !== undefined) {
      if (family === 'ipv6') throw xmlError(`netmask not supported for address '${address}' in network '${def.name}' (IPv6 uses prefix)`);
      bits = maskPrefix(netmask);
      if (bits < 0) throw xmlError(`Invalid netmask '${netmask}' for address '${address}' in network '${def.name}'`);
    } else {
      bits = prefix === undefined ? (family === 'ipv6' ? 64 : 24) : /^\d{1,3}$/.test(prefix) ? Number(prefix) : -1;
      if (bits < 0 || bits > (family === 'ipv6' ? 128 : 32)) throw xmlError(`Invalid prefix '${prefix}' in network '${def.name}'`);
    }
    const dhcp = childElement(ip, 'dhcp');
    const ranges = dhcp ? childElements(dhcp, 'range').map((r) => ({ start: r.attrs.start ?? '', end: r.attrs.end ?? '' })) : [];
    for (const r of ranges) {
      if (isIP(r.start) !== version || isIP(r.end) !== version) throw xmlError(`Invalid dhcp range '${r.start}' to '${r.end}' in network '${def.name}'`);
    }
    const hosts = dhcp ? childElements(dhcp, 'host').map((h) => ({ mac: h.attrs.mac, name: h.attrs.name, ip: h.attrs.ip })) : [];
    return { family, address: address!, prefix: bits, dhcpRanges: ranges, hosts };
  });
}
