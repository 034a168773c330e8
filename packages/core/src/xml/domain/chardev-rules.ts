// libvirt's rules for character devices (serial, parallel, console, channel) and the
// devices backed by one (smartcard passthrough, USB redirection, an egd RNG): how many
// <source> elements, which attributes a backend needs, the defaults it writes.

import { childElements, element, type XmlElement } from '../xml-element.js';
import { internalError, xmlError } from './conf-errors.js';
import { removeChildren } from './device-elements.js';

function checkReconnect(source: XmlElement, mode: string): void {
  const reconnect = childElements(source, 'reconnect')[0];
  if (!reconnect) return;
  if (reconnect.attrs.enabled === 'yes' && reconnect.attrs.timeout === undefined) throw xmlError("Missing required attribute 'timeout' in element 'reconnect'");
  if (mode !== 'connect') throw internalError('chardev reconnect is possible only for connect mode');
}

const missing = (attr: string) => internalError(`Missing source ${attr} attribute for char device`);

function tcpSource(holder: XmlElement, source: XmlElement | undefined): void {
  if (source?.attrs.host === undefined) throw missing('host');
  if (source.attrs.service === undefined) throw missing('service');
  source.attrs.mode ??= 'connect';
  checkReconnect(source, source.attrs.mode);
  if (childElements(holder, 'protocol').length === 0) holder.children.push(element('protocol', { type: 'raw' }));
}

/** UDP: a sending (connect) end that needs a service, and an optional receiving (bind) end, written first. */
function udpSources(holder: XmlElement, sources: XmlElement[]): void {
  const connect = sources.find((s) => s.attrs.mode !== 'bind');
  const bind = sources.find((s) => s.attrs.mode === 'bind');
  if (connect?.attrs.service === undefined) throw missing('service');
  connect.attrs.mode = 'connect';
  removeChildren(holder, 'source');
  const keep = bind && (bind.attrs.host !== undefined || bind.attrs.service !== undefined) ? [bind, connect] : [connect];
  holder.children.unshift(...keep);
}

/** UNIX: a socket path, chosen by the driver for channels and serial ports that give none. */
function unixSource(holder: XmlElement, source: XmlElement | undefined, needsPath: boolean): void {
  if (source?.attrs.path === undefined) {
    if (needsPath) throw missing('path');
    removeChildren(holder, 'source');
    return;
  }
  source.attrs.mode ??= 'connect';
  checkReconnect(source, source.attrs.mode);
}

/**
 * The backend of a character device, in place: `holder` is the element with the type=
 * attribute and the <source> children. `needsPath`: a UNIX socket must be named (no
 * driver makes one up for it).
 */
export function fillChardevSource(holder: XmlElement, needsPath: boolean): void {
  const type = holder.attrs.type;
  const sources = childElements(holder, 'source');
  if (type === 'udp') {
    if (sources.length > 2) throw xmlError('only two source elements are allowed for character device');
    udpSources(holder, sources);
    return;
  }
  if (sources.length > 1) throw xmlError('only one source element is allowed for character device');
  if (type === 'tcp') tcpSource(holder, sources[0]);
  else if (type === 'unix') unixSource(holder, sources[0], needsPath);
}

const copyOf = (el: XmlElement): XmlElement => ({ ...el, attrs: { ...el.attrs }, children: el.children.map((c) => (typeof c === 'string' ? c : copyOf(c))) });

/** Serial ports are numbered in order when their target does not say. */
export function fillSerials(serials: XmlElement[]): void {
  serials.forEach((s, i) => {
    const target = childElements(s, 'target')[0];
    if (target) target.attrs.port ??= String(i);
    else s.children.push(element('target', { port: String(i) }));
  });
}

/**
 * Consoles: a pty unless they say otherwise, their tty only known while running. On a
 * full-virtualization guest the first console is the first serial port, which is added
 * (a copy of the console) when there is none.
 */
export function fillConsoles(consoles: XmlElement[], serials: XmlElement[], hvm: boolean): void {
  consoles.forEach((c, port) => {
    delete c.attrs.tty;
    c.attrs.type ??= 'pty';
    let target = childElements(c, 'target')[0];
    if (!target) {
      target = element('target', {});
      c.children.push(target);
    }
    if (port === 0 && hvm && (target.attrs.type === undefined || target.attrs.type === 'serial')) {
      target.attrs.type = 'serial';
      if (serials.length === 0) {
        const serial = copyOf(c);
        serial.name = 'serial';
        removeChildren(serial, 'target');
        removeChildren(serial, 'alias');
        removeChildren(serial, 'address');
        serials.push(serial);
        fillSerials(serials);
      }
      target.attrs.port = childElements(serials[0], 'target')[0]?.attrs.port ?? '0';
    } else {
      target.attrs.type ??= 'serial';
      target.attrs.port ??= String(port);
    }
  });
}
