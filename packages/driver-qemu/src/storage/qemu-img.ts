// Running qemu-img for the image work libvirt gives it (create, convert, resize).

import { execFile } from 'node:child_process';
import { ErrorNumber } from '@tsvirt/core';
import { storageError } from './storage-errors.js';

const QEMU_IMG = process.env.TSVIRT_QEMU_IMG || 'qemu-img';

/** Run qemu-img with `args` (never through a shell); its failure is libvirt's internal error with QEMU's words. */
export function qemuImg(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(QEMU_IMG, args, { maxBuffer: 1 << 20 }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const why = (stderr || err.message).trim().split('\n').pop();
      reject(storageError(ErrorNumber.INTERNAL_ERROR, `Child process (${[QEMU_IMG, ...args].join(' ')}) unexpected exit status ${err.code ?? 'unknown'}: ${why}`));
    });
  });
}

/** qemu-img's option value escaping: a comma is doubled. */
export const imgOption = (value: string) => value.replaceAll(',', ',,');
