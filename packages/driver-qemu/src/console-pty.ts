// virDomainOpenConsole: the pseudo-terminal of a running domain's character device,
// chosen as libvirt's QEMU driver chooses: the one whose alias is devname, else the
// first console, else the first serial port; it must be a pty. The errors are that
// driver's. The pty is handed out as a Duplex, which tsvirtd streams to remote clients.

import { closeSync, constants, openSync, write } from 'node:fs';
import { Duplex } from 'node:stream';
import tty from 'node:tty';
import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import { childElement, type DomainDef, type XmlElement } from '@tsvirt/core/xml';

const CHARACTER_DEVICES = ['console', 'serial', 'parallel', 'channel'];

/** The path of the pty to open, from the live definition, or a VirError naming why there is none. */
export function consolePtyPath(def: DomainDef, devname: string | undefined): string {
  const devices = (name: string) => def.devices.flatMap((d) => (d.kind === 'other' && d.element.name === name ? [d.element] : []));
  const isPty = (el: XmlElement | undefined) => el !== undefined && (el.attrs.type ?? 'pty') === 'pty';
  const alias = (el: XmlElement) => childElement(el, 'alias')?.attrs.name;
  let chr: XmlElement | undefined;
  if (devname !== undefined) {
    chr = CHARACTER_DEVICES.flatMap(devices).find((el) => alias(el) === devname);
  } else {
    chr = devices('console')[0] ?? devices('serial')[0];
  }
  const internal = (what: string) => VirError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.QEMU, what);
  if (!chr) throw internal(`cannot find character device ${devname ?? '<null>'}`);
  const path = childElement(chr, 'source')?.attrs.path;
  if (!isPty(chr) || path === undefined) throw internal(`character device ${devname ?? alias(chr) ?? '<null>'} is not using a PTY`);
  return path;
}

/** A guest's pty as a stream both ways, until the guest's side closes (EIO) or the stream is ended. */
export function openPtyStream(path: string): Duplex {
  // O_NOCTTY: the guest's pty must not become our controlling terminal.
  const fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY);
  // A tty stream reads through libuv without blocking a thread; QEMU keeps its side raw.
  const reader = new tty.ReadStream(fd);
  reader.setRawMode(true);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    reader.destroy();
    try { closeSync(fd); } catch { /* closed with the reader */ }
  };
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      write(fd, chunk, (e) => done(e));
    },
    final(done) {
      // The client ended the session (virStreamFinish): the pty is closed, so nothing more
      // will be read either; ending that side too lets the stream report its end.
      close();
      stream.push(null);
      done();
    },
    destroy(error, done) {
      close();
      done(error);
    },
  });
  reader.on('data', (chunk: Buffer) => stream.push(chunk));
  // EIO once QEMU has closed its side: the guest is gone, as is its console.
  const ended = () => stream.push(null);
  reader.once('end', ended);
  reader.once('error', ended);
  return stream;
}
