import { ErrorDomain, ErrorLevel, ErrorNumber } from './gen/errors.gen.js';
import { normalizeUuid } from './util/uuid.js';
import { VirError } from './errors/vir-error.js';
import type { DomainEventFilter } from './gen/api.gen.js';
import type { DomainEventFilterData, DomainRef } from './gen/driver.gen.js';
import { eventProcedures } from './gen/procedures.gen.js';

// The checks that every generated entry point makes, in one place.

export const isFlags = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff;

export const invalidConnection = (fn: string) => VirError.of(ErrorNumber.INVALID_CONN, ErrorDomain.NONE, fn);

export const deniedOnReadOnly = (fn: string, domain: number) =>
  VirError.of(ErrorNumber.OPERATION_DENIED, domain, `read only access prevents ${fn}`);

/** A flag that only a read-write connection may pass, such as SECURE (libvirt's wording). */
export const deniedFlagOnReadOnly = (fn: string, flag: string, domain: number) =>
  VirError.of(ErrorNumber.OPERATION_DENIED, domain, `${fn} with ${flag} flag`);

export const invalidArgument = (arg: string, fn: string, expected: string, domain: number) =>
  VirError.of(ErrorNumber.INVALID_ARG, domain, `${arg} in ${fn} must be ${expected}`);

const ARGUMENT_RULES = {
  nonempty: (arg: string, fn: string) => `string ${arg} in ${fn} must not be empty`,
  // bytes: libvirt's daemon receives an empty byte string as NULL
  nonnull: (arg: string, fn: string) => `${arg} in ${fn} must not be NULL`,
  nonnegative: (arg: string, fn: string) => `${arg} in ${fn} must be zero or greater`,
  positive: (arg: string, fn: string) => `${arg} in ${fn} must be greater than zero`,
};

/** libvirt's words for an argument its API refuses by rule (virCheckNonEmptyStringArg and friends). */
export const argumentRefused = (rule: keyof typeof ARGUMENT_RULES, arg: string, fn: string, domain: number) =>
  new VirError({ code: ErrorNumber.INVALID_ARG, domain, level: 2, message: ARGUMENT_RULES[rule](arg, fn), str1: fn, str2: arg, int1: 0, int2: 0 });

export const unsupported = (fn: string, domain: number) => VirError.of(ErrorNumber.NO_SUPPORT, domain, fn);

/**
 * libvirt's check of a UUID string before a lookup: virReportInvalidArg, with the function
 * and libvirt's argument name. virDomainLookupByUUIDString says only "Invalid UUID"; the
 * network and pool lookups name the argument and the function.
 */
export const isUuidText = (v: string): boolean => normalizeUuid(v) !== null;
export const invalidUuid = (fn: string, domain: number) => new VirError({
  code: ErrorNumber.INVALID_ARG, domain, level: ErrorLevel.ERROR,
  message: fn === 'virDomainLookupByUUIDString' ? 'Invalid UUID' : `uuidstr in ${fn} must be a valid UUID`, str1: fn, str2: 'uuidstr', int1: 0, int2: 0,
});

/**
 * A registration's filter as the driver is given it, checked as libvirt checks
 * virConnectDomainEventRegisterAny's domain and event id: the domain must belong to
 * the connection registering, the type must be an event kind the API declares.
 */
export function eventFilterData(conn: object, filter: DomainEventFilter, fn: string, domain: number): DomainEventFilterData {
  const { domain: dom, type } = filter;
  if (type !== undefined && !eventProcedures.some((e) => e.kind === type)) {
    throw invalidArgument('type', fn, `one of ${eventProcedures.map((e) => `'${e.kind}'`).join(', ')}`, domain);
  }
  if (dom === undefined) return type === undefined ? {} : { type };
  const entry = dom as Partial<{ connection: unknown; ref: DomainRef }>;
  if (typeof entry !== 'object' || entry === null || typeof entry.ref?.uuid !== 'string') throw invalidArgument('domain', fn, 'a Domain', domain);
  if (entry.connection !== conn) {
    throw VirError.of(ErrorNumber.INVALID_ARG, domain, `domain '${entry.ref.name}' in ${fn} must match connection`);
  }
  return type === undefined ? { domain: entry.ref } : { domain: entry.ref, type };
}

/** A call given up by its caller's AbortSignal, in libvirt's words for a job the client canceled. */
export const operationAborted = (fn: string, domain: number) =>
  VirError.of(ErrorNumber.OPERATION_ABORTED, domain, `${fn}: canceled by client`);
