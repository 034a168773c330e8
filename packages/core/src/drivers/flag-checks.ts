import { ErrorLevel, ErrorNumber } from '../gen/errors.gen.js';
import { VirError } from '../errors/vir-error.js';

/**
 * libvirt's virCheckFlags: a call refuses flags it does not know, naming itself, in the
 * error domain of the driver that answers (`errorDomain`). Its message is the bare
 * sentence, without the "invalid argument: " that VIR_ERR_INVALID_ARG's other messages carry.
 */
export function checkFlags(flags: number, supported: number, fn: string, errorDomain: number): void {
  const bad = flags & ~supported;
  // libvirt raises it with virReportInvalidArg: the text alone, the function and the argument's name.
  if (bad) {
    throw new VirError({
      code: ErrorNumber.INVALID_ARG, domain: errorDomain, level: ErrorLevel.ERROR,
      message: `unsupported flags (0x${(bad >>> 0).toString(16)}) in function ${fn}`, str1: fn, str2: 'flags', int1: 0, int2: 0,
    });
  }
}

/** A driver's checkFlags, its error domain bound. */
export const flagChecker = (errorDomain: number) => (flags: number, supported: number, fn: string): void => checkFlags(flags, supported, fn, errorDomain);
