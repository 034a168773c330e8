// What the argument builder needs to know of the host and of the guest's folder.

import { readFileSync } from 'node:fs';
import { domainDir, type QemuDirs } from './qemu-dirs.js';
import type { NativeOptions } from './xml-to-native.js';

/** The host's online NUMA nodes ("0-1,3" in sysfs); node 0 alone where sysfs does not say. */
export function hostNumaNodes(file = '/sys/devices/system/node/online'): number[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch {
    return [0];
  }
  const nodes: number[] = [];
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) continue;
    for (let n = Number(m[1]); n <= Number(m[2] ?? m[1]) && nodes.length < 4096; n++) nodes.push(n);
  }
  return nodes.length ? nodes : [0];
}

/** The options a domain's command line is built with: its folder and the host's NUMA nodes. */
export const nativeOptionsFor = (dirs: QemuDirs, uuid: string): NativeOptions => ({ domainDir: domainDir(dirs, uuid), hostNumaNodes: hostNumaNodes() });
