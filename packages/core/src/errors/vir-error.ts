import { ErrorDomain, ErrorLevel, ErrorNumber, errorMessage } from '../gen/errors.gen.js';

/** The fields of a VirError as they cross a process boundary (RPC, bindings). */
export interface VirErrorData {
  code: number;
  domain: number;
  level: number;
  message: string;
  str1?: string | null;
  str2?: string | null;
  str3?: string | null;
  int1?: number;
  int2?: number;
}

/**
 * Every failure of the tsvirt API: libvirt's error code, domain and level, and the
 * message libvirt would print for it.
 */
export class VirError extends Error implements VirErrorData {
  override name = 'VirError';
  readonly code: number;
  readonly domain: number;
  readonly level: number;
  readonly str1: string | null;
  readonly str2: string | null;
  readonly str3: string | null;
  readonly int1: number;
  readonly int2: number;

  constructor(data: VirErrorData) {
    super(data.message);
    this.code = data.code;
    this.domain = data.domain;
    this.level = data.level;
    this.str1 = data.str1 ?? null;
    this.str2 = data.str2 ?? null;
    this.str3 = data.str3 ?? null;
    this.int1 = data.int1 ?? -1;
    this.int2 = data.int2 ?? -1;
  }

  /**
   * An error as libvirt reports it: the code's default message, with `info` folded in
   * through the code's format ("Domain not found: no domain with matching name 'x'").
   * As libvirt's, str1 is the format (the plain message when there is no info) and str2 the info.
   */
  static of(code: number, domain: number, info?: string): VirError {
    const str1 = info === undefined ? errorMessage(code) : errorMessage(code, '%s');
    return new VirError({ code, domain, level: ErrorLevel.ERROR, message: errorMessage(code, info), str1, str2: info ?? null });
  }

  toJSON(): VirErrorData {
    const { code, domain, level, message, str1, str2, str3, int1, int2 } = this;
    return { code, domain, level, message, str1, str2, str3, int1, int2 };
  }

  /** Whether `e` is a VirError with this code (and domain, when given). */
  static is(e: unknown, code: number, domain?: number): e is VirError {
    return e instanceof VirError && e.code === code && (domain === undefined || e.domain === domain);
  }
}

/** Any thrown value as a VirError: VirErrors pass, anything else is an internal error. */
export function toVirError(e: unknown, domain: number = ErrorDomain.NONE): VirError {
  if (e instanceof VirError) return e;
  if (isVirErrorData(e)) return new VirError(e); // from another copy of core (a bundled CLI, a driver's own)
  const message = e instanceof Error ? e.message : String(e);
  return VirError.of(ErrorNumber.INTERNAL_ERROR, domain, message);
}

function isVirErrorData(e: unknown): e is VirErrorData {
  const d = e as VirErrorData;
  return typeof e === 'object' && e !== null && (e as Error).name === 'VirError'
    && typeof d.code === 'number' && typeof d.domain === 'number' && typeof d.level === 'number' && typeof d.message === 'string';
}
