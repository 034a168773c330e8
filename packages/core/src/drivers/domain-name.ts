import { ErrorNumber } from '../gen/errors.gen.js';
import { VirError } from '../errors/vir-error.js';

// Names from users become file names and command-line arguments: check them before either.

/** A name becomes file names up to 22 bytes longer (".NAME.xml.XXXXXXXXXXXX.tmp"); a file name has at most 255. */
export const MAX_DOMAIN_NAME_BYTES = 233;

/** Refuse a domain name that cannot be a file name, in the error domain of the driver that asks. */
export function checkDomainName(name: string, errorDomain: number): void {
  const refuse = (info: string) => VirError.of(ErrorNumber.XML_ERROR, errorDomain, info);
  if (Buffer.byteLength(name) > MAX_DOMAIN_NAME_BYTES) {
    throw refuse(`name '${name.slice(0, 32)}...' is longer than ${MAX_DOMAIN_NAME_BYTES} bytes, the most that file names made from it allow`);
  }
  if (name.includes('/')) throw refuse(`name ${name} cannot contain '/'`);
  if (name.startsWith('.')) throw refuse(`name ${name} cannot start with '.'`);
  if (name.includes('\0') || name.includes('\n')) throw refuse(`name ${JSON.stringify(name)} contains a control character`);
}
