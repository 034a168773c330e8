// The pseudo-terminals QEMU opened for pty character devices, written into the
// live definition as libvirt reports them (<source path='/dev/pts/N'/>, and
// tty= on a console), so that clients such as virsh console can find them.

import { childElement, childElements, element, type DomainDef, type XmlElement } from '@tsvirt/core/xml';
import type { QmpClient } from './qmp/qmp-client.js';

interface ChardevInfo { label: string; filename: string }

/** Serial i runs on chardev charserial<i>; a lone console on charserial0 (see xml-to-native.ts). */
export async function recordPtyPaths(qmp: QmpClient, def: DomainDef): Promise<void> {
  const chardevs = await qmp.execute<ChardevInfo[]>('query-chardev');
  const ptyOf = (label: string) => {
    const filename = chardevs.find((c) => c.label === label)?.filename;
    return filename?.startsWith('pty:') ? filename.slice(4) : undefined;
  };
  const others = (name: string) => def.devices.flatMap((d) => (d.kind === 'other' && d.element.name === name ? [d.element] : []));
  const serials = others('serial');
  serials.forEach((el, i) => setLive(el, `serial${i}`, ptyOf(`charserial${i}`), false));
  for (const el of others('console')) {
    // A console mirrors the serial port its target names (the first when it names none).
    const port = Number(childElement(el, 'target')?.attrs.port ?? 0);
    const index = serials.length ? port : 0;
    setLive(el, `serial${index}`, ptyOf(`charserial${index}`), true);
  }
}

/** The alias, and the pty path of a pty device. */
function setLive(el: XmlElement, alias: string, pty: string | undefined, console: boolean): void {
  replaceChild(el, element('alias', { name: alias }));
  if ((el.attrs.type ?? 'pty') !== 'pty' || pty === undefined) return;
  el.attrs.type = 'pty';
  if (console) el.attrs.tty = pty;
  replaceChild(el, element('source', { ...childElement(el, 'source')?.attrs, path: pty }), true);
}

/** Replace the child of that name, or add it (first, where libvirt writes <source>). */
function replaceChild(el: XmlElement, child: XmlElement, first = false): void {
  const old = childElements(el, child.name)[0];
  if (old) el.children[el.children.indexOf(old)] = child;
  else if (first) el.children.unshift(child);
  else el.children.push(child);
}
