// What a volume file is, read from its own header as libvirt's virStorageFileProbe does:
// never by asking QEMU to guess, since a guest-written raw image can look like anything.

import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface ImageFacts {
  format: 'qcow2' | 'raw';
  /** the guest-visible size */
  capacity: number;
  /** the backing file, absolute, and its format when the header names it */
  backing?: { path: string; format?: string };
}

const QCOW2_MAGIC = 0x514649fb;
const BACKING_FORMAT_EXTENSION = 0xe2792aca;
/** the header, its extensions and a backing name all sit in the first cluster (at least 512 bytes, here 64 KiB) */
const HEADER_BYTES = 65536;

/** The facts of a regular file's image; size is its length, used when it is raw. */
export async function probeImage(file: string, size: number): Promise<ImageFacts> {
  const handle = await fs.open(file, fs.constants.O_RDONLY);
  let head: Buffer;
  try {
    const buf = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await handle.read(buf, 0, HEADER_BYTES, 0);
    head = buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  return qcow2Facts(head, path.dirname(file)) ?? { format: 'raw', capacity: size };
}

/** A qcow2 header's facts (versions 2 and 3), or undefined for anything else. */
function qcow2Facts(head: Buffer, dir: string): ImageFacts | undefined {
  if (head.length < 72 || head.readUInt32BE(0) !== QCOW2_MAGIC) return undefined;
  const version = head.readUInt32BE(4);
  if (version !== 2 && version !== 3) return undefined;
  const facts: ImageFacts = { format: 'qcow2', capacity: Number(head.readBigUInt64BE(24)) };
  const nameOffset = Number(head.readBigUInt64BE(8));
  const nameSize = head.readUInt32BE(16);
  if (nameOffset > 0 && nameSize > 0 && nameOffset + nameSize <= head.length) {
    const name = head.subarray(nameOffset, nameOffset + nameSize).toString('utf8');
    facts.backing = { path: path.resolve(dir, name), format: backingFormat(head, version, nameOffset) };
  }
  return facts;
}

/** The backing format header extension, which sits between the header and the backing name. */
function backingFormat(head: Buffer, version: number, end: number): string | undefined {
  let at = version === 3 && head.length >= 104 ? head.readUInt32BE(100) : 72;
  while (at + 8 <= end) {
    const type = head.readUInt32BE(at);
    const len = head.readUInt32BE(at + 4);
    if (type === 0) return undefined;
    if (type === BACKING_FORMAT_EXTENSION) return head.subarray(at + 8, Math.min(at + 8 + len, end)).toString('utf8');
    at += 8 + Math.ceil(len / 8) * 8;
  }
  return undefined;
}
