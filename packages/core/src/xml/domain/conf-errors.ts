import { ErrorDomain, ErrorNumber } from '../../gen/errors.gen.js';
import { VirError } from '../../errors/vir-error.js';

// The errors libvirt's domain conf layer raises, by kind, so that every rule reports
// the same code for the same kind of problem.

/** A document that breaks the format's rules (VIR_ERR_XML_ERROR). */
export const xmlError = (info: string) => VirError.of(ErrorNumber.XML_ERROR, ErrorDomain.DOMAIN, info);
/** A well-formed setting that cannot be honoured (VIR_ERR_CONFIG_UNSUPPORTED). */
export const unsupportedConfig = (info: string) => VirError.of(ErrorNumber.CONFIG_UNSUPPORTED, ErrorDomain.DOMAIN, info);
/** What libvirt reports as an internal error although the document is at fault (VIR_ERR_INTERNAL_ERROR). */
export const internalError = (info: string) => VirError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.DOMAIN, info);
/** A value out of its range (VIR_ERR_INVALID_ARG). */
export const invalidArg = (info: string) => VirError.of(ErrorNumber.INVALID_ARG, ErrorDomain.DOMAIN, info);
