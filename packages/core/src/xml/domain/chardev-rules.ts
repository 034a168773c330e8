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
  // a wire protocol is a TCP backend's alone
  if (type !== 'tcp') removeChildren(holder, 'protocol');
  if (type === 'tcp') tcpSource(holder, sources[0]);
  else if (type === 'unix') unixSource(holder, sources[0], needsPath);
}

const copyOf = (el: XmlElement): XmlElement => ({ ...el, attrs: { ...el.attrs }, children: el.children.map((c) => (typeof c === 'string' ? c : copyOf(c))) });

/** Serial ports without a number take the one after the highest in use. */
export function fillSerials(serials: XmlElement[]): void {
  for (const s of serials) {
    let target = childElements(s, 'target')[0];
    if (!target) {
      target = element('target', {});
      s.children.push(target);
    }
    if (target.attrs.port !== undefined) continue;
    const used = serials.map((o) => childElements(o, 'target')[0]?.attrs.port).filter((p): p is string => p !== undefined).map(Number);
    target.attrs.port = String(used.length ? Math.max(...used) + 1 : 0);
  }
}

/** The parts of a character device that say where its data goes. */
const BACKEND_PARTS = new Set(['source', 'protocol', 'log']);

/** `to` with the backend (type, sources, protocol, log) of `from`. */
function copyBackend(from: XmlElement, to: XmlElement): void {
  to.attrs.type = from.attrs.type;
  const rest = to.children.filter((c) => typeof c === 'string' || !BACKEND_PARTS.has(c.name));
  to.children = [...from.children.filter((c): c is XmlElement => typeof c !== 'string' && BACKEND_PARTS.has(c.name)).map(copyOf), ...rest];
}

/**
 * Consoles: a pty unless they say otherwise, their tty only known while running. On a
 * full-virtualization guest the first console is the first serial port: a console is
 * added for a serial port, a serial port for a console, and the console takes the
 * serial port's backend.
 */
export function fillConsoles(consoles: XmlElement[], serials: XmlElement[], hvm: boolean): void {
  // a debug port is no console
  const debugPort = childElements(serials[0] ?? element('serial'), 'target')[0]?.attrs.type === 'isa-debug';
  if (hvm && consoles.length === 0 && serials.length > 0 && !debugPort) consoles.push(element('console', { type: serials[0].attrs.type ?? 'pty' }));
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
        const serial = element('serial', {}, [element('target', {})]);
        copyBackend(c, serial);
        serials.push(serial);
        fillSerials(serials);
      } else {
        copyBackend(serials[0], c);
      }
      target.attrs.port = childElements(serials[0], 'target')[0]?.attrs.port ?? '0';
    } else {
      target.attrs.type ??= 'serial';
      target.attrs.port ??= String(port);
    }
  });
}
