// A running domain's console as a stream: `xl console` attached to it, its stdin
// and stdout the stream's two sides.

import { spawn } from 'node:child_process';
import { Duplex } from 'node:stream';
import { DomainConsoleFlags, ErrorNumber } from '@tsvirt/core';
import type { DomainRef } from '@tsvirt/core/driver';
import type { XenDriverState } from './driver-state.js';
import { runningDom } from './lifecycle.js';
import { checkFlags, xenError } from './xen-errors.js';

/** libvirt's console names for a Xen guest: the PV console, or the emulated serial port of an HVM guest. */
const CONSOLE_TYPES: Readonly<Record<string, string>> = { console0: 'pv', serial0: 'serial' };

export async function openConsole(s: XenDriverState, ref: DomainRef, devname: string | undefined, flags: number): Promise<Duplex> {
  checkFlags(flags, DomainConsoleFlags.FORCE | DomainConsoleFlags.SAFE, 'libxlDomainOpenConsole');
  const d = await runningDom(s, ref);
  const type = devname === undefined ? (d.def.os.type === 'hvm' ? 'serial' : 'pv') : CONSOLE_TYPES[devname];
  if (!type) throw xenError(ErrorNumber.INTERNAL_ERROR, `cannot find character device ${devname}`);
  s.host();
  const child = spawn(s.options.xl.binary, ['console', '-t', type, String(d.id)], { stdio: ['pipe', 'pipe', 'ignore'] });
  const stream = new Duplex({
    read() { child.stdout.resume(); },
    write(chunk, _enc, done) { child.stdin.write(chunk, done); },
    final(done) { child.stdin.end(done); },
    destroy(err, done) { child.kill('SIGTERM'); done(err); },
  });
  child.stdout.on('data', (b: Buffer) => { if (!stream.push(b)) child.stdout.pause(); });
  child.stdout.on('end', () => stream.push(null));
  child.stdin.on('error', () => undefined);
  child.once('error', (e) => stream.destroy(xenError(ErrorNumber.OPERATION_FAILED, `cannot open the console of domain '${d.name}': ${e.message}`)));
  return stream;
}
