// <audio> backends (-audiodev) and <sound> cards (-device), as QEMU 7.2 takes them.

import { childElement, childElements, type XmlElement } from '@tsvirt/core/xml';
import { qemuOpts, type QemuOptValue } from './qemu-opts.js';
import { unsupported } from './native-errors.js';

/** libvirt's audio types and QEMU's audiodev driver of each. */
const AUDIO_DRIVERS: Record<string, string> = {
  none: 'none', alsa: 'alsa', coreaudio: 'coreaudio', dbus: 'dbus', file: 'wav', jack: 'jack', oss: 'oss',
  pulseaudio: 'pa', sdl: 'sdl', spice: 'spice', sndio: 'sndio',
};

const yesNo = (value: string | undefined): boolean | undefined => (value === undefined ? undefined : value === 'yes');
const number = (value: string | undefined): number | undefined => (value === undefined ? undefined : Number(value));

/** The settings of one direction (<input> or <output>) as audiodev's "in." or "out." properties. */
function directionProps(el: XmlElement | undefined, prefix: string): Record<string, QemuOptValue> {
  if (!el) return {};
  const a = el.attrs;
  const settings = childElement(el, 'settings')?.attrs ?? {};
  const props: Record<string, QemuOptValue> = {
    'mixing-engine': yesNo(a.mixingEngine), 'fixed-settings': yesNo(a.fixedSettings), voices: number(a.voices),
    'buffer-length': number(a.bufferLength), frequency: number(settings.frequency), channels: number(settings.channels),
    format: settings.format, dev: a.dev, 'buffer-count': number(a.bufferCount), 'try-poll': yesNo(a.tryPoll),
    name: a.name, 'stream-name': a.streamName, latency: number(a.latency),
    'server-name': a.serverName, 'client-name': a.clientName, 'connect-ports': a.connectPorts, 'exact-name': yesNo(a.exactName),
  };
  // jack names its server per direction; pulseaudio names it once, for the whole backend
  return Object.fromEntries(Object.entries(props).map(([k, v]) => [`${prefix}.${k}`, v]));
}

/** -audiodev of one <audio> element. */
export function audiodevArgs(el: XmlElement): string[] {
  const type = el.attrs.type ?? 'none';
  const driver = AUDIO_DRIVERS[type];
  if (!driver) throw unsupported(`audio type '${type}'`);
  const a = el.attrs;
  const input = childElement(el, 'input');
  const output = childElement(el, 'output');
  const perDirectionServer = type === 'jack';
  const props: Record<string, QemuOptValue> = {
    id: `audio${a.id ?? '1'}`,
    server: type === 'pulseaudio' ? a.serverName : undefined,
    path: type === 'file' ? a.path : undefined,
    'try-mmap': yesNo(a.tryMMap), exclusive: yesNo(a.exclusive), 'dsp-policy': number(a.dspPolicy),
    ...directionProps(input, 'in'), ...directionProps(output, 'out'),
  };
  if (!perDirectionServer) for (const dir of ['in', 'out']) delete props[`${dir}.server-name`];
  return ['-audiodev', qemuOpts(driver, props)];
}

/** QEMU's device of each sound card model; ICH cards are an HDA controller with codecs on its bus. */
const SOUND_MODELS: Record<string, string> = {
  ac97: 'AC97', es1370: 'ES1370', sb16: 'sb16', pcspk: 'pcspk', ich6: 'intel-hda', ich9: 'ich9-intel-hda', 'usb': 'usb-audio',
};
const HDA_CODECS: Record<string, string> = { duplex: 'hda-duplex', micro: 'hda-micro', output: 'hda-output' };

/** -device(s) of <sound> number `index`; it plays through its own <audio>, else `defaultAudioId`. */
export function soundArgs(el: XmlElement, index: number, pci: Record<string, QemuOptValue>, defaultAudioId: string | undefined): string[] {
  const model = el.attrs.model;
  const driver = SOUND_MODELS[model];
  if (!driver || model === 'pcspk') throw unsupported(`sound model '${model}'`);
  const id = `sound${index}`;
  const audio = childElement(el, 'audio')?.attrs.id;
  const audiodev = audio ? `audio${audio}` : defaultAudioId;
  if (driver.endsWith('intel-hda')) {
    const codecs = childElements(el, 'codec');
    const args = ['-device', qemuOpts(driver, { id, ...pci })];
    const list = codecs.length ? codecs.map((c) => c.attrs.type ?? 'duplex') : ['duplex'];
    for (const [cad, type] of list.entries()) {
      const codec = HDA_CODECS[type];
      if (!codec) throw unsupported(`sound codec '${type}'`);
      args.push('-device', qemuOpts(codec, { id: `${id}-codec${cad}`, bus: `${id}.0`, cad, audiodev }));
    }
    return args;
  }
  return ['-device', qemuOpts(driver, { id, audiodev, ...(model === 'sb16' || model === 'usb' ? {} : pci) })];
}
