import { readFileSync, writeFileSync } from 'node:fs';
import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';

// A saved domain is a file: a magic line, then the domain's XML. Like libvirt's test
// driver, no memory is saved: restoring starts the domain again from its definition.

const MAGIC = 'TestGuestMagic\n';

const systemError = (what: string, e: unknown) => {
  const code = (e as NodeJS.ErrnoException).code;
  const reason = code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : code === 'EISDIR' ? 'Is a directory' : (e as Error).message;
  return VirError.of(ErrorNumber.SYSTEM_ERROR, ErrorDomain.TEST, `${what}: ${reason}`);
};

export function writeSaveImage(path: string, domainName: string, xml: string): void {
  try {
    writeFileSync(path, MAGIC + xml, { mode: 0o600 });
  } catch (e) {
    throw systemError(`saving domain '${domainName}' failed to open '${path}'`, e);
  }
}

/** The domain XML of a save image. */
export function readSaveImage(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw systemError(`cannot read domain image '${path}'`, e);
  }
  if (!text.startsWith(MAGIC)) throw VirError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.TEST, 'mismatched header magic');
  return text.slice(MAGIC.length);
}
