// Character device backends (-chardev) of serial and parallel ports, consoles,
// channels and the devices that talk through one (RNG daemons, smartcards, USB redirection).

import { childElement, childElements, type XmlElement } from '@tsvirt/core/xml';
import { unsupported } from './native-errors.js';
import { qemuOpts } from './qemu-opts.js';

export interface ChardevContext {
  /** Folder for sockets the definition leaves unnamed (a channel's <source mode='bind'/>). */
  socketDir?: string;
}

/** A <source> by its mode: UDP and TCP sources may come as two, one to bind and one to connect to. */
function sourceOf(el: XmlElement, mode?: string): Record<string, string | undefined> {
  const sources = childElements(el, 'source');
  if (mode === undefined) return sources[0]?.attrs ?? {};
  return sources.find((s) => (s.attrs.mode ?? 'connect') === mode)?.attrs ?? {};
}

/** -chardev of a character device element; `id` is the chardev's id (charserial0, charchannel1, ...). */
export function chardevArgs(el: XmlElement, id: string, ctx: ChardevContext = {}): string[] {
  const type = el.attrs.type ?? 'pty';
  const source = sourceOf(el);
  const what = `<${el.name} type='${type}'>`;
  const opts = (backend: string, props: Parameters<typeof qemuOpts>[1]) => ['-chardev', qemuOpts(backend, { id, ...props })];
  switch (type) {
    case 'pty': case 'null': case 'vc': case 'stdio':
      return opts(type, {});
    case 'file':
      if (!source.path) throw unsupported(`${what} without a source path`);
      return opts('file', { path: source.path, append: source.append === undefined ? undefined : source.append === 'on' });
    case 'pipe':
      if (!source.path) throw unsupported(`${what} without a source path`);
      return opts('pipe', { path: source.path });
    case 'dev':
      if (!source.path) throw unsupported(`${what} without a source path`);
      return opts(el.name === 'parallel' ? 'parallel' : 'serial', { path: source.path });
    case 'unix': {
      const server = (source.mode ?? 'bind') === 'bind';
      let path = source.path;
      if (!path) {
        if (!server || !ctx.socketDir) throw unsupported(`${what} without a source path`);
        path = `${ctx.socketDir}/${channelName(el) ?? id}`;
      }
      return opts('socket', { path, server: server || undefined, wait: server ? false : undefined, ...reconnect(el, server) });
    }
    case 'tcp': {
      const server = source.mode === 'bind';
      const telnet = ['telnet', 'telnets'].includes(childElement(el, 'protocol')?.attrs.type ?? 'raw');
      if (!source.service) throw unsupported(`${what} without a source service`);
      return opts('socket', {
        host: source.host, port: source.service, telnet: telnet || undefined,
        server: server || undefined, wait: server ? false : undefined, ...reconnect(el, server),
      });
    }
    case 'udp': {
      const remote = sourceOf(el, 'connect');
      const local = sourceOf(el, 'bind');
      if (!remote.service) throw unsupported(`${what} without a source service to connect to`);
      return opts('udp', { host: remote.host ?? '', port: remote.service, localaddr: local.host ?? '', localport: local.service ?? '0' });
    }
    case 'spicevmc':
      return opts('spicevmc', { name: el.name === 'redirdev' ? 'usbredir' : 'vdagent' });
    case 'spiceport':
      if (!source.channel) throw unsupported(`${what} without a source channel`);
      return opts('spiceport', { name: source.channel });
    case 'qemu-vdagent': {
      const src = childElement(el, 'source');
      const clipboard = src && childElement(src, 'clipboard')?.attrs.copypaste;
      const mouse = src && childElement(src, 'mouse')?.attrs.mode;
      return opts('qemu-vdagent', {
        name: 'vdagent', clipboard: clipboard === undefined ? undefined : clipboard === 'yes',
        mouse: mouse === undefined ? undefined : mouse === 'client',
      });
    }
    default:
      throw unsupported(`${el.name} type '${type}'`);
  }
}

/** reconnect= of a client socket that asks for it. */
function reconnect(el: XmlElement, server: boolean): { reconnect?: number } {
  const r = childElements(el, 'source').map((s) => childElement(s, 'reconnect')).find(Boolean);
  if (server || r?.attrs.enabled !== 'yes') return {};
  return { reconnect: Number(r.attrs.timeout ?? 0) };
}

/** The port name of a channel (<target name=...>), the usual file name of its socket. */
const channelName = (el: XmlElement): string | undefined => {
  const name = childElement(el, 'target')?.attrs.name;
  return name && /^[\w.-]+$/.test(name) ? name : undefined;
};
