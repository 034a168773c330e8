// <graphics> (VNC, SPICE, SDL, EGL headless, D-Bus) and <video> cards as QEMU 7.2 takes them.

import { childElement, childElements, type XmlElement } from '@tsvirt/core/xml';
import { unsupported } from './native-errors.js';
import { qemuOpts, type QemuOptValue } from './qemu-opts.js';

export interface GraphicsContext {
  /** Folder for a socket the definition asks for without naming it (<listen type='socket'/>). */
  socketDir?: string;
}

/** The address a display listens on: its listen attribute or first <listen type='address'>. */
function listenOf(el: XmlElement): { address?: string; socket?: string; isSocket: boolean } {
  const listen = childElement(el, 'listen')?.attrs;
  if (listen?.type === 'socket' || el.attrs.socket) return { socket: listen?.socket ?? el.attrs.socket, isSocket: true };
  return { address: el.attrs.listen ?? listen?.address, isSocket: false };
}

function socketPath(el: XmlElement, given: string | undefined, ctx: GraphicsContext, file: string): string {
  if (given) return given;
  if (!ctx.socketDir) throw unsupported(`${el.attrs.type} graphics on a socket without a path`);
  return `${ctx.socketDir}/${file}`;
}

function vncArgs(el: XmlElement, ctx: GraphicsContext, audiodev: string | undefined): string[] {
  const listen = listenOf(el);
  const common = { audiodev, password: el.attrs.passwd === undefined ? undefined : true };
  if (listen.isSocket) return ['-vnc', qemuOpts(undefined, { vnc: `unix:${socketPath(el, listen.socket, ctx, 'vnc.sock')}`, ...common })];
  const address = listen.address ?? '127.0.0.1';
  const port = el.attrs.port === undefined || el.attrs.port === '-1' || el.attrs.autoport === 'yes' ? undefined : Number(el.attrs.port);
  if (port !== undefined && !(port >= 5900 && port <= 65535)) throw unsupported(`VNC port '${el.attrs.port}'`);
  const host = address.includes(':') ? `[${address}]` : address;
  const websocket = el.attrs.websocket === undefined ? undefined : Number(el.attrs.websocket) === -1 ? 'on' : el.attrs.websocket;
  // autoport: QEMU takes the first free display from 0 up to 'to'.
  const display = port === undefined ? `${host}:0` : `${host}:${port - 5900}`;
  return ['-vnc', qemuOpts(display, { to: port === undefined ? 100 : undefined, websocket, share: el.attrs.sharePolicy, ...common })];
}

/** QEMU's spellings of SPICE's compression and streaming settings. */
const SPICE_SETTINGS: Record<string, string> = {
  image: 'image-compression', jpeg: 'jpeg-wan-compression', zlib: 'zlib-glz-wan-compression',
};

function spiceArgs(el: XmlElement, ctx: GraphicsContext): string[] {
  const a = el.attrs;
  // as libvirt with qemu.conf's default spice_tls = 0
  if (a.tlsPort !== undefined && a.tlsPort !== '-1' && a.tlsPort !== '0') {
    throw unsupported('spice TLS port set in XML configuration, but TLS is disabled in qemu.conf');
  }
  const channels = childElements(el, 'channel');
  if (a.defaultMode === 'secure' || channels.some((c) => c.attrs.mode === 'secure')) {
    throw unsupported('spice secure channels set in XML configuration, but TLS is disabled in qemu.conf');
  }
  const listen = listenOf(el);
  const props: Record<string, QemuOptValue> = {};
  if (listen.isSocket) {
    props.unix = true;
    props.addr = socketPath(el, listen.socket, ctx, 'spice.sock');
  } else {
    const port = a.port === undefined || a.port === '-1' || a.autoport === 'yes' ? 0 : Number(a.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw unsupported(`SPICE port '${a.port}'`);
    props.port = port;
    props.addr = listen.address;
  }
  const mouse = childElement(el, 'mouse')?.attrs.mode;
  if (mouse) props['agent-mouse'] = mouse === 'client';
  for (const c of channels) if (c.attrs.mode === 'insecure') props[`plaintext-channel`] = c.attrs.name;
  for (const [name, key] of Object.entries(SPICE_SETTINGS)) {
    const value = childElement(el, name)?.attrs.compression;
    if (value) props[key] = value;
  }
  const playback = childElement(el, 'playback')?.attrs.compression;
  if (playback) props['playback-compression'] = playback === 'on';
  const streaming = childElement(el, 'streaming')?.attrs.mode;
  if (streaming) props['streaming-video'] = streaming;
  if (childElement(el, 'clipboard')?.attrs.copypaste === 'no') props['disable-copy-paste'] = true;
  if (childElement(el, 'filetransfer')?.attrs.enable === 'no') props['disable-agent-file-xfer'] = true;
  const gl = childElement(el, 'gl')?.attrs;
  if (gl?.enable === 'yes') {
    props.gl = true;
    if (gl.rendernode) props.rendernode = gl.rendernode;
  }
  // no password: nothing to ask for (libvirt sets a password over the monitor once QEMU runs)
  if (a.passwd === undefined) props['disable-ticketing'] = true;
  props['seamless-migration'] = true;
  return ['-spice', qemuOpts(undefined, props)];
}

/** -vnc, -spice or -display of one <graphics>; `audiodev` is the backend a VNC client hears. */
export function graphicsArgs(el: XmlElement, ctx: GraphicsContext, audiodev?: string): string[] {
  switch (el.attrs.type) {
    case 'vnc': return vncArgs(el, ctx, audiodev);
    case 'spice': return spiceArgs(el, ctx);
    case 'sdl': {
      const gl = childElement(el, 'gl')?.attrs.enable;
      return ['-display', qemuOpts('sdl', { gl: gl === undefined ? undefined : gl === 'yes' })];
    }
    case 'egl-headless': {
      const rendernode = childElement(el, 'gl')?.attrs.rendernode;
      return ['-display', qemuOpts('egl-headless', { rendernode })];
    }
    case 'dbus': {
      const a = el.attrs;
      return ['-display', qemuOpts('dbus', { p2p: a.p2p === undefined ? undefined : a.p2p === 'yes', addr: a.address })];
    }
    default: throw unsupported(`graphics type '${el.attrs.type}'`);
  }
}

const VIDEO_MODELS: Record<string, string> = {
  vga: 'VGA', cirrus: 'cirrus-vga', virtio: 'virtio-vga', qxl: 'qxl-vga', bochs: 'bochs-display', ramfb: 'ramfb',
};
/** The device of a second card of a model (only the first is a VGA one). */
const SECONDARY: Record<string, string> = { 'virtio-vga': 'virtio-gpu-pci', 'qxl-vga': 'qxl' };
export const VIDEO_MODEL_NAMES = [...Object.keys(VIDEO_MODELS), 'none'];

/** -device of <video> number `index` (the primary card is the first); `pci` is its bus/addr. */
export function videoArgs(el: XmlElement, index: number, pci: Record<string, QemuOptValue>): string[] {
  const model = childElement(el, 'model');
  const type = model?.attrs.type ?? 'vga';
  if (type === 'none') return [];
  let driver = VIDEO_MODELS[type];
  if (!driver) throw unsupported(`video model '${type}'`);
  if (index > 0) driver = SECONDARY[driver] ?? driver;
  if (index > 0 && (driver === 'VGA' || driver === 'cirrus-vga')) throw unsupported(`only one video card of model '${type}'`);
  const m = model?.attrs ?? {};
  const kib = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const props: Record<string, QemuOptValue> = { id: `video${index}` };
  if (type === 'qxl') {
    props.max_outputs = kib(m.heads);
    if (m.ram) props.ram_size = Number(m.ram) * 1024;
    if (m.vram) props.vram_size = Number(m.vram) * 1024;
    if (m.vram64) props.vram64_size_mb = Math.floor(Number(m.vram64) / 1024);
    if (m.vgamem) props.vgamem_mb = Math.floor(Number(m.vgamem) / 1024);
  } else if (type === 'vga' || type === 'bochs') {
    if (m.vgamem) props.vgamem_mb = Math.floor(Number(m.vgamem) / 1024);
  } else if (type === 'virtio') {
    props.max_outputs = kib(m.heads);
  }
  return ['-device', qemuOpts(driver, { ...props, ...(type === 'ramfb' ? {} : pci) })];
}
