// QEMU's option syntax (QemuOpts and keyval): "key=value,key=value", where a
// comma inside a value is written as two commas.

export type QemuOptValue = string | number | boolean | undefined;

/** One value with its commas doubled. */
export const escapeQemuValue = (value: string): string => value.replaceAll(',', ',,');

/**
 * An option string: a leading bare word (the driver or device type), then
 * key=value pairs in order; undefined values are left out, booleans are on/off.
 */
export function qemuOpts(head: string | undefined, props: Record<string, QemuOptValue>): string {
  const parts = head === undefined ? [] : [escapeQemuValue(head)];
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined) continue;
    const text = typeof value === 'boolean' ? (value ? 'on' : 'off') : String(value);
    parts.push(`${key}=${escapeQemuValue(text)}`);
  }
  return parts.join(',');
}
