import { HvNativeError } from './hv-native-error.js';

export const INT32_MAX = 2 ** 31 - 1;

/** An integer in [min, max], or an EINVAL HvNativeError naming the argument. */
export function checkInteger(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new HvNativeError('EINVAL', `${name} must be an integer, got ${describe(value)}`);
  }
  if (value < min || value > max) {
    throw new HvNativeError('EINVAL', `${name} must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

/** A file descriptor number: not an integer is EINVAL, a negative one is EBADF. */
export function checkFd(value: unknown, name: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value < 0) {
    throw new HvNativeError('EBADF', `${name} is not a file descriptor: ${value}`);
  }
  return checkInteger(value, name, 0, INT32_MAX);
}

/** A non-empty array with at most `max` entries. */
export function checkArray(value: unknown, name: string, max: number): readonly unknown[] {
  if (!Array.isArray(value)) {
    throw new HvNativeError('EINVAL', `${name} must be an array, got ${describe(value)}`);
  }
  if (value.length === 0) throw new HvNativeError('EINVAL', `${name} is empty`);
  if (value.length > max) {
    throw new HvNativeError('EINVAL', `${name} has ${value.length} entries, at most ${max} allowed`);
  }
  return value;
}

function describe(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  return value === null ? 'null' : typeof value;
}
