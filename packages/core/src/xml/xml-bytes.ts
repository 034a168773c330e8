/**
 * XML documents arrive as bytes (files, RPC strings): decoded strictly, as libxml2 does,
 * so that invalid UTF-8 is refused rather than turned into U+FFFD. Where a document must
 * travel as a string first (a file virsh passes to defineXML), its invalid bytes are
 * carried as lone surrogates U+DC80-U+DCFF (as Python's "surrogateescape" does), which no
 * valid text contains, and the parser refuses them with the bytes libvirt would name.
 */

/** Invalid input at byte `byteOffset`; `text` is the input decoded leniently, `offset` indexes it. */
export class Utf8Error extends Error {
  constructor(message: string, readonly text: string, readonly offset: number) {
    super(message);
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The length of a valid UTF-8 sequence starting at `i`, or 0 where it is invalid. */
function sequenceLength(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  const cont = (k: number) => i + k < b.length && (b[i + k] & 0xc0) === 0x80;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const d = b[i + 1];
    if (c === 0xe0 && d < 0xa0) return 0;
    if (c === 0xed && d > 0x9f) return 0;
    return cont(1) && cont(2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const d = b[i + 1];
    if (c === 0xf0 && d < 0x90) return 0;
    if (c === 0xf4 && d > 0x8f) return 0;
    return cont(1) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

const hexByte = (n: number) => `0x${n.toString(16).toUpperCase().padStart(2, '0')}`;

/**
 * The text of an XML document given as bytes, always UTF-8 (as libvirt reads documents,
 * whatever their declaration says).
 */
export function decodeXmlBytes(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    let i = 0;
    for (let n = sequenceLength(bytes, 0); n > 0; n = sequenceLength(bytes, i)) i += n;
    const shown = Array.from(bytes.subarray(i, i + 4), hexByte).join(' ');
    // A UTF-16 surrogate written as UTF-8 decodes, in libxml2, to a character XML forbids.
    const surrogate = bytes[i] === 0xed && bytes[i + 1] >= 0xa0 && bytes[i + 1] <= 0xbf && (bytes[i + 2] & 0xc0) === 0x80;
    const before = Buffer.from(bytes.buffer, bytes.byteOffset, i).toString('utf8');
    const text = before + Buffer.from(bytes.buffer, bytes.byteOffset + i, bytes.byteLength - i).toString('utf8');
    const message = surrogate
      ? `Char 0x${(0xd000 | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f)).toString(16).toUpperCase()} out of allowed range`
      : `Input is not proper UTF-8, indicate encoding !\nBytes: ${shown}\n`;
    throw new Utf8Error(message, text, before.length);
  }
}

/** How many bytes text[from, to) takes in UTF-8. */
export function utf8Length(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < to) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Bytes as text: UTF-8, each byte that is not part of valid UTF-8 as U+DC00 + byte. */
export function textOfBytes(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    let out = '';
    let from = 0;
    for (let i = 0; i < bytes.length;) {
      const n = sequenceLength(bytes, i);
      if (n > 0) {
        i += n;
        continue;
      }
      out += strictUtf8.decode(bytes.subarray(from, i)) + String.fromCharCode(0xdc00 + bytes[i]);
      from = ++i;
    }
    return out + strictUtf8.decode(bytes.subarray(from));
  }
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The bytes a string with lone surrogates stands for (escaped bytes as themselves, other
 * lone surrogates as libxml2 would see them encoded), or null when it has none.
 */
export function bytesOfEscapedText(text: string): Uint8Array | null {
  if (!LONE_SURROGATE.test(text)) return null;
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      out.push(...Buffer.from(text.slice(i, i + 2), 'utf8'));
      i++;
    } else if (c >= 0xdc80 && c <= 0xdcff) out.push(c - 0xdc00);
    else if (c >= 0xd800 && c <= 0xdfff) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    else if (c < 0x80) out.push(c);
    else out.push(...Buffer.from(text[i], 'utf8'));
  }
  return Uint8Array.from(out);
}
