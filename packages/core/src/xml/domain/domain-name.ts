import { ErrorDomain, ErrorNumber } from '../../gen/errors.gen.js';
import { VirError } from '../../errors/vir-error.js';

/**
 * libvirt's rules for a domain name, the same for every driver: present, no newline
 * (it breaks line-based output and logs), no '/' (the name becomes a file name).
 */
export function checkDomainName(name: string | undefined): asserts name is string {
  if (!name) throw VirError.of(ErrorNumber.NO_NAME, ErrorDomain.DOMAIN);
  if (name.includes('\n')) {
    throw new VirError({ code: ErrorNumber.XML_DETAIL, domain: ErrorDomain.XML, level: 2, message: 'invalid char in name: \n' });
  }
  if (name.includes('/')) throw VirError.of(ErrorNumber.XML_ERROR, ErrorDomain.DOMAIN, `name ${name} cannot contain '/'`);
}

/**
 * A driver's check of a domain's new name on rename (the name becomes a file name), in the
 * driver's error domain as libvirt's drivers report it.
 */
export function checkRenamedDomainName(newName: string, errorDomain: number): void {
  if (newName.includes('/')) throw VirError.of(ErrorNumber.XML_ERROR, errorDomain, `name ${newName} cannot contain '/'`);
}
