import { normalizeUuid } from '@tsvirt/core/driver';
import type { VirshContext } from '../virsh-context.js';

/** How a command may name an object: by UUID, by name, or either. */
export interface LookupWays<T> {
  byUuid?: (uuid: string) => Promise<T>;
  byName?: (name: string) => Promise<T>;
}

/**
 * Find the network or pool a command names, as virsh does: by UUID when the text is
 * one, then by name. A miss is reported as "failed to get KIND 'TEXT'" followed by the
 * last lookup's error.
 */
export async function lookupNamedObject<T>(ctx: VirshContext, kind: string, text: string, ways: LookupWays<T>): Promise<T | null> {
  let last: unknown;
  if (ways.byUuid && normalizeUuid(text) && text.length === 36) {
    try { return await ways.byUuid(text); } catch (e) { last = e; }
  }
  if (ways.byName) {
    try { return await ways.byName(text); } catch (e) { last = e; }
  }
  ctx.error(`failed to get ${kind} '${text}'`);
  // a text that no way could name was not looked up: virsh has no error of the API's to add
  if (last !== undefined) ctx.reportError(last);
  return null;
}

/** "yes" or "no", as virsh's info commands print booleans. */
export const yesNo = (b: boolean) => (b ? 'yes' : 'no');

/** A "Label:" line of an info command: the label padded to 15 columns. */
export const infoLine = (label: string, value: string) => `${label.padEnd(15)} ${value}\n`;
