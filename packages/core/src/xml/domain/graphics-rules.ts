// libvirt's rules for <graphics>: where it listens (the legacy listen= and socket=
// attributes against the <listen> elements) and VNC's port choice.

import { childElements, element, type XmlElement } from '../xml-element.js';
import { unsupportedConfig, xmlError } from './conf-errors.js';
import { removeChildren } from './device-elements.js';

const LISTENING = new Set(['vnc', 'spice', 'rdp']);

function checkListens(listens: XmlElement[]): void {
  for (const l of listens) {
    if (l.attrs.type === 'network' && l.attrs.network === undefined) throw xmlError("'network' attribute is required for listen type 'network'");
  }
}

/** The listen= attribute and the first <listen> say the same address; an element says it when the attribute alone is given. */
function reconcileAddress(g: XmlElement, listens: XmlElement[]): void {
  const attr = g.attrs.listen;
  const first = listens[0];
  if (attr !== undefined && first?.attrs.type === 'address') {
    if (first.attrs.address === undefined) first.attrs.address = attr;
    else if (first.attrs.address !== attr) {
      throw unsupportedConfig(`graphics 'listen' attribute '${attr}' must match 'address' attribute of first listen element (found '${first.attrs.address}')`);
    }
  }
  if (attr !== undefined && first === undefined) g.children.push(element('listen', { type: 'address', address: attr }));
  const now = childElements(g, 'listen')[0];
  if (now?.attrs.type === 'address' && now.attrs.address !== undefined) g.attrs.listen = now.attrs.address;
  else delete g.attrs.listen;
}

/** VNC's socket= attribute and a socket <listen> say the same path; the socket replaces address listens. */
function reconcileSocket(g: XmlElement, listens: XmlElement[]): void {
  const attr = g.attrs.socket;
  const first = listens[0];
  if (attr !== undefined) {
    if (first?.attrs.type === 'socket') {
      if (first.attrs.socket === undefined) first.attrs.socket = attr;
      else if (first.attrs.socket !== attr) {
        throw unsupportedConfig(`graphics 'socket' attribute '${attr}' must match 'socket' attribute of first listen element (found '${first.attrs.socket}')`);
      }
    } else {
      removeChildren(g, 'listen');
      g.children.push(element('listen', { type: 'socket', socket: attr }));
      delete g.attrs.listen;
    }
  } else if (first?.attrs.type === 'socket' && first.attrs.socket !== undefined) {
    g.attrs.socket = first.attrs.socket;
  }
}

/** A VNC display without a fixed port gets one when it starts: port -1, autoport yes. */
function vncPort(g: XmlElement): void {
  const first = childElements(g, 'listen')[0];
  if (first?.attrs.type === 'socket' || first?.attrs.type === 'none') {
    delete g.attrs.port;
    delete g.attrs.autoport;
    return;
  }
  const auto = g.attrs.autoport === 'yes' || g.attrs.port === '-1' || (g.attrs.port === undefined && g.attrs.autoport === undefined);
  if (auto) {
    g.attrs.port = '-1';
    g.attrs.autoport = 'yes';
  } else {
    g.attrs.autoport = 'no';
  }
}

/** SPICE says autoport when it has a port or chooses one; without any it listens nowhere until told. */
function spicePorts(g: XmlElement): boolean {
  const fixed = Number(g.attrs.port ?? 0) > 0 || Number(g.attrs.tlsPort ?? 0) > 0;
  if (g.attrs.autoport !== 'yes') {
    if (fixed) g.attrs.autoport = 'no';
    else delete g.attrs.autoport;
  }
  return fixed || g.attrs.autoport === 'yes' || g.attrs.listen !== undefined;
}

/** libvirt's post-parse of one <graphics>, in place. */
export function fillGraphics(g: XmlElement): void {
  if (!LISTENING.has(g.attrs.type)) return;
  checkListens(childElements(g, 'listen'));
  if (g.attrs.type === 'vnc') reconcileSocket(g, childElements(g, 'listen'));
  if (g.attrs.socket === undefined) reconcileAddress(g, childElements(g, 'listen'));
  const listens = g.attrs.type === 'spice' ? spicePorts(g) : true;
  if (childElements(g, 'listen').length === 0) g.children.push(element('listen', { type: listens ? 'address' : 'none' }));
  if (g.attrs.type === 'vnc') vncPort(g);
}
