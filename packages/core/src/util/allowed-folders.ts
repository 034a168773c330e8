import { readlinkSync, realpathSync } from 'node:fs';
import { sep } from 'node:path';
import { VirError } from '../errors/vir-error.js';
import { ErrorNumber, type ErrorDomain } from '../gen/errors.gen.js';

/** Whether `real`, a path without symbolic links, lies inside one of `realDirs` (the same). */
export function insideFolders(real: string, realDirs: readonly (string | null)[]): boolean {
  return realDirs.some((d) => d !== null && real.startsWith(d.endsWith(sep) ? d : d + sep));
}

/** A client that may not have the daemon open `path`: libvirt's access-denied error. */
export function fileNotAllowed(path: string, domain: ErrorDomain): VirError {
  return VirError.of(ErrorNumber.ACCESS_DENIED, domain,
    `this client may not open '${path}': files are opened only in the folders an administrator allowed (tsvirtd --allow-node-files)`);
}

const realOrNull = (path: string) => {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
};

/**
 * Refuse a file opened as `fd` (asked for as `path`) unless it lies inside one of `dirs`.
 * What is checked is the file the kernel opened, not the name: a symbolic link or folder
 * swapped in between a check of the name and the open is no way out.
 */
export function checkOpenedInside(fd: number, path: string, dirs: readonly string[], domain: ErrorDomain): void {
  let real: string | null;
  try {
    real = readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    real = realOrNull(path);
  }
  if (real === null || !insideFolders(real, dirs.map(realOrNull))) throw fileNotAllowed(path, domain);
}
