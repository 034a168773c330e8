// Commands that read where a domain's display and console are, and its interfaces' link
// state, from its XML: vncdisplay, ttyconsole, domif-getlink (libvirt's words).

import { DomainXMLFlags, ErrorDomain, type Domain } from '@tsvirt/core';
import { childElement, childElements, parseXmlDocument, type XmlElement } from '@tsvirt/core/xml';
import type { CommandDef } from '../cli/command-def.js';
import { domainCommand } from './domain-command.js';

/** The <devices> children of the domain's XML, of one element name. */
async function devices(dom: Domain, name: string, flags = 0): Promise<XmlElement[]> {
  const root = parseXmlDocument(await dom.getXMLDesc(flags), 'domain', ErrorDomain.DOMAIN);
  const devs = childElement(root, 'devices');
  return devs ? childElements(devs, name) : [];
}

const vncdisplay = domainCommand({
  name: 'vncdisplay', help: 'vnc display', description: 'Output the IP address and port number for the VNC display.',
}, async (ctx, dom) => {
  if (!(await dom.isActive())) {
    ctx.error('Domain is not running');
    return false;
  }
  const vnc = (await devices(dom, 'graphics')).find((g) => g.attrs.type === 'vnc');
  const port = Number(vnc?.attrs.port);
  if (!vnc || !Number.isInteger(port) || port <= 0) {
    ctx.error('Failed to get VNC port. Is this domain using VNC?');
    return false;
  }
  const listen = vnc.attrs.listen ?? childElement(vnc, 'listen')?.attrs.address;
  // listening on every address: the display alone, as libvirt's virsh prints it
  ctx.print(`${listen === undefined || listen === '0.0.0.0' || listen === '::' ? '' : listen.includes(':') ? `[${listen}]` : listen}:${port - 5900}\n`);
});

const ttyconsole = domainCommand({
  name: 'ttyconsole', help: 'tty console', description: 'Output the device for the TTY console.',
}, async (ctx, dom) => {
  // no console with a tty: a failure with nothing to say, as libvirt's virsh
  const tty = (await devices(dom, 'console')).find((c) => c.attrs.tty)?.attrs.tty;
  if (tty === undefined) return false;
  ctx.print(`${tty}\n`);
});

/** An interface named by its MAC address (any case) or its target device. */
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

const domifGetlink = domainCommand({
  name: 'domif-getlink', help: 'get link state of a virtual interface', description: 'Get link state of a domain\'s virtual interface.',
  options: [
    { name: 'interface', type: 'string', help: 'interface device (MAC Address)', required: true, positional: true },
    { name: 'config', type: 'bool', help: 'Get persistent interface state' },
  ],
}, async (ctx, dom, opts) => {
  const iface = opts.get('interface');
  const mac = MAC.test(iface) ? iface.toLowerCase() : null;
  const found = (await devices(dom, 'interface', opts.has('config') ? DomainXMLFlags.INACTIVE : 0))
    .filter((i) => childElement(i, 'mac')?.attrs.address === mac || childElement(i, 'target')?.attrs.dev === iface);
  if (found.length === 0) {
    ctx.error(mac ? `Interface (mac: ${mac}) not found.` : `Interface (dev: ${iface}) not found.`);
    return false;
  }
  if (found.length > 1) {
    ctx.error('multiple matching interfaces found');
    return false;
  }
  // no newline of its own: the empty line after every command ends it, as in libvirt's virsh
  ctx.print(`${iface} ${childElement(found[0], 'link')?.attrs.state ?? 'up'}`);
});

export const domainDisplayCommands: CommandDef[] = [vncdisplay, ttyconsole, domifGetlink];
