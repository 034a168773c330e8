/** An enum or flags object as api.gen.ts declares them: names to numbers. */
type EnumObject = Readonly<Record<string, number>>;

/**
 * The name of an enum's value: `enumName(DomainState, 1)` is 'RUNNING'; undefined for
 * a number the enum does not name. Where two names share a value, the first declared.
 */
export function enumName<E extends EnumObject>(values: E, value: number): keyof E & string | undefined {
  for (const name in values) if (values[name] === value) return name;
  return undefined;
}

/**
 * The names of the flags set in `value`: `flagNames(DomainCreateFlags, 5)` is
 * ['START_PAUSED', 'START_BYPASS_CACHE'], in declaration order. Bits that no flag names
 * are left out; a flag of value 0 (NONE, CURRENT) is named only when `value` is 0.
 */
export function flagNames<E extends EnumObject>(values: E, value: number): (keyof E & string)[] {
  const names: (keyof E & string)[] = [];
  for (const name in values) {
    const bit = values[name];
    if (bit === 0 ? value === 0 : ((value & bit) >>> 0) === bit) names.push(name);
  }
  return names;
}
