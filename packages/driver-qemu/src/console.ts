// Consoles: a running guest's console pty as a stream, one session per pty unless forced.

import type { Duplex } from 'node:stream';
import { DomainConsoleFlags, ErrorNumber } from '@tsvirt/core';
import type { DomainRef } from '@tsvirt/core/driver';
import { consolePtyPath, openPtyStream } from './console-pty.js';
import type { QemuDriverState } from './driver-state.js';
import { checkFlags, notRunning, qemuError } from './qemu-errors.js';

/** A running guest's console pty as a stream; one at a time per pty, as libvirt's console locking allows. */
export function openConsole(s: QemuDriverState, ref: DomainRef, devname: string | undefined, flags: number): Duplex {
  checkFlags(flags, DomainConsoleFlags.FORCE | DomainConsoleFlags.SAFE, 'qemuDomainOpenConsole');
  const d = s.dom(ref);
  if (!d.active) throw notRunning();
  const path = consolePtyPath(d.def, devname);
  const open = s.consoles.get(path);
  if (open) {
    if (!(flags & DomainConsoleFlags.FORCE)) throw qemuError(ErrorNumber.OPERATION_FAILED, 'Active console session exists for this domain');
    open.destroy();
  }
  const stream = openPtyStream(path);
  s.consoles.set(path, stream);
  stream.once('close', () => {
    if (s.consoles.get(path) === stream) s.consoles.delete(path);
  });
  return stream;
}
