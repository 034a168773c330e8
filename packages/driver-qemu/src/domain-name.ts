// Names from users become file names and QEMU arguments: check them before either.

import { ErrorNumber } from '@tsvirt/core';
import { qemuError } from './qemu-errors.js';

/** A name becomes file names up to 22 bytes longer (".NAME.xml.XXXXXXXXXXXX.tmp"); a file name has at most 255. */
export const MAX_NAME_BYTES = 233;

export function validateDomainName(name: string): void {
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) {
    throw qemuError(ErrorNumber.XML_ERROR, `name '${name.slice(0, 32)}...' is longer than ${MAX_NAME_BYTES} bytes, the most that file names made from it allow`);
  }
  if (name.includes('/')) throw qemuError(ErrorNumber.XML_ERROR, `name ${name} cannot contain '/'`);
  if (name.startsWith('.')) throw qemuError(ErrorNumber.XML_ERROR, `name ${name} cannot start with '.'`);
  if (name.includes('\0') || name.includes('\n')) throw qemuError(ErrorNumber.XML_ERROR, `name ${JSON.stringify(name)} contains a control character`);
}
