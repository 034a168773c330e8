const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** The canonical 36-character form of a UUID given with or without dashes, or null if it is not one. */
const CANONICAL_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function normalizeUuid(text: string): string | null {
  const t = text.trim();
  // Already canonical (the usual case): the same string, not a new one built of pieces.
  if (CANONICAL_RE.test(t)) return t;
  if (!UUID_RE.test(t)) return null;
  const hex = t.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A random (version 4) UUID. */
export function newUuid(): string {
  // Web Crypto is loaded on first use; importing node:crypto would cost every program's start-up.
  const b = globalThis.crypto.getRandomValues(Buffer.alloc(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  return normalizeUuid(b.toString('hex'))!;
}
