// Where xen:///system keeps its files: persistent definitions (libvirt's
// /etc/libvirt/libxl) and the live state of the domains it started.

import path from 'node:path';

export interface XenDirs {
  /** persistent definitions: <configDir>/<name>.xml, autostart/ links */
  configDir: string;
  /** live state: the definitions of running domains, by name */
  runDir: string;
  /** managed-save images */
  saveDir: string;
}

type Env = Record<string, string | undefined>;

/** /etc/tsvirt/xen and /run/tsvirt/xen; TSVIRT_XEN_CONFIG_DIR and TSVIRT_XEN_RUN_DIR override them. */
export function xenDirs(env: Env = process.env): XenDirs {
  const configDir = env.TSVIRT_XEN_CONFIG_DIR || '/etc/tsvirt/xen';
  return { configDir, runDir: env.TSVIRT_XEN_RUN_DIR || '/run/tsvirt/xen', saveDir: path.join(configDir, 'save') };
}
