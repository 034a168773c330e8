import { ErrorDomain, ErrorNumber } from '../gen/errors.gen.js';
import { VirError } from '../errors/vir-error.js';

// The errors of libvirt's hypervisor-neutral domain layer (domain_conf.c): every driver
// reports them alike, from the Domain Config error domain.

/** virDomainObjCheckActive's error. */
export const domainNotRunning = (): VirError => VirError.of(ErrorNumber.OPERATION_INVALID, ErrorDomain.DOMAIN, 'domain is not running');

/** A domain started or restored while it runs (virDomainObjListAdd). */
export const domainAlreadyActive = (name: string): VirError =>
  VirError.of(ErrorNumber.OPERATION_INVALID, ErrorDomain.DOMAIN, `domain '${name}' is already active`);

/** A change to the persistent definition of a domain that has none. */
export const noPersistentConfig = (): VirError =>
  VirError.of(ErrorNumber.OPERATION_INVALID, ErrorDomain.DOMAIN, 'transient domains do not have any persistent config');

/** A definition whose name or UUID belongs to another domain (virDomainObjListAddLocked). */
export const uuidTaken = (name: string, uuid: string): VirError =>
  VirError.of(ErrorNumber.OPERATION_FAILED, ErrorDomain.DOMAIN, `domain '${name}' is already defined with uuid ${uuid}`);
export const nameTaken = (name: string, uuid: string): VirError =>
  VirError.of(ErrorNumber.OPERATION_FAILED, ErrorDomain.DOMAIN, `domain '${name}' already exists with uuid ${uuid}`);

/** A rename that virDomainObjListRename refuses: to the domain's own name, or to a taken one. */
export const renameRefused = (why: string): VirError => VirError.of(ErrorNumber.OPERATION_INVALID, ErrorDomain.DOMAIN, why);
