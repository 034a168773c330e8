// The QEMU driver's settings file (qemu.conf), in libvirt's syntax: `key = value`
// lines, values quoted strings or integers, `#` comments. Only the settings this
// driver acts on are read; others are ignored, as libvirt ignores unknown keys.

import { promises as fs } from 'node:fs';
import { ErrorNumber } from '@tsvirt/core';
import { qemuError } from './qemu-errors.js';

export interface QemuConf {
  /** the user QEMU runs as under qemu:///system: a name, or +UID */
  user: string;
  /** its group: a name, or +GID; default: the user's primary group */
  group?: string;
  /** chown the files a guest uses to that user while it runs, and back afterwards */
  dynamicOwnership: boolean;
}

/** The dedicated user (with a group of the same name) QEMU runs as when qemu.conf names none. */
export const DEFAULT_QEMU_USER = 'tsvirt-qemu';

export const DEFAULT_QEMU_CONF: QemuConf = { user: DEFAULT_QEMU_USER, dynamicOwnership: true };

const MAX_CONF_BYTES = 1 << 20;

/** qemu.conf's settings over the defaults; a missing file is all defaults. */
export async function readQemuConf(file: string): Promise<QemuConf> {
  let text: string;
  try {
    const handle = await fs.open(file, 'r');
    try {
      const { size } = await handle.stat();
      if (size > MAX_CONF_BYTES) throw qemuError(ErrorNumber.CONF_SYNTAX, `${file}: larger than ${MAX_CONF_BYTES} bytes`);
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ...DEFAULT_QEMU_CONF };
    throw e;
  }
  return parseQemuConf(text, file);
}

export function parseQemuConf(text: string, file: string): QemuConf {
  const conf = { ...DEFAULT_QEMU_CONF };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const where = `${file}:${i + 1}`;
    let line = lines[i]!;
    if (/^\s*(#.*)?$/.test(line)) continue;
    // A list may span lines (cgroup_device_acl in libvirt's own qemu.conf does).
    while (/=\s*\[[^\]]*$/.test(line) && i + 1 < lines.length) line += ` ${lines[++i]!.replace(/#.*$/, '')}`;
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) throw qemuError(ErrorNumber.CONF_SYNTAX, `${where}: expecting 'key = value', got '${line.trim()}'`);
    const [, key, rest] = m as unknown as [string, string, string];
    const value = /^("(?:[^"\\]|\\.)*"|-?\d+|\[[^\]]*\])\s*(?:#.*)?$/.exec(rest);
    if (!value) throw qemuError(ErrorNumber.CONF_SYNTAX, `${where}: ${key}: expecting a quoted string, a number or a list, got '${rest.trim()}'`);
    const raw = value[1]!;
    const wrongType = (want: string) => qemuError(ErrorNumber.CONF_SYNTAX, `${where}: ${key} must be ${want}`);
    switch (key) {
      case 'user':
      case 'group': {
        if (!raw.startsWith('"')) throw wrongType('a string');
        const value = raw.slice(1, -1).replace(/\\(.)/g, '$1');
        if (value === '') throw wrongType('a user or group name, or +ID');
        conf[key] = value;
        break;
      }
      case 'dynamic_ownership':
        if (!/^-?\d+$/.test(raw)) throw wrongType('0 or 1');
        conf.dynamicOwnership = Number(raw) !== 0;
        break;
    }
  }
  return conf;
}
