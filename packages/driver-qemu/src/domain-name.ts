// Names from users become file names and QEMU arguments: check them before either.

import { ErrorNumber } from '@tsvirt/core';
import { qemuError } from './qemu-errors.js';

export function validateDomainName(name: string): void {
  if (name.includes('/')) throw qemuError(ErrorNumber.XML_ERROR, `name ${name} cannot contain '/'`);
  if (name.startsWith('.')) throw qemuError(ErrorNumber.XML_ERROR, `name ${name} cannot start with '.'`);
  if (name.includes('\0') || name.includes('\n')) throw qemuError(ErrorNumber.XML_ERROR, `name ${JSON.stringify(name)} contains a control character`);
}
