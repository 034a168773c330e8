// Where a qemu:/// connection keeps its files: persistent configs, live state,
// logs and the capability cache, for the system and the session instance.

import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface QemuDirs {
  /** persistent definitions: <configDir>/<name>.xml, autostart/ links */
  configDir: string;
  /** live state of running domains, QMP sockets and pidfiles */
  runDir: string;
  /** QEMU's logs, one per domain */
  logDir: string;
  /** probed capabilities, per binary */
  cacheDir: string;
  /** managed-save images */
  saveDir: string;
  /** the driver's settings (user, group, dynamic_ownership), beside configDir */
  confFile: string;
}

type Env = Record<string, string | undefined>;

/**
 * qemu:///system: /etc/tsvirt/qemu and /run/tsvirt/qemu (root); qemu:///session:
 * $XDG_CONFIG_HOME/tsvirt/qemu and $XDG_RUNTIME_DIR/tsvirt/qemu. TSVIRT_QEMU_CONFIG_DIR
 * and TSVIRT_QEMU_RUN_DIR override both for tests.
 */
export function qemuDirs(instance: 'system' | 'session', env: Env = process.env): QemuDirs {
  let config: string;
  let run: string;
  let cache: string;
  if (instance === 'system') {
    config = '/etc/tsvirt/qemu';
    run = '/run/tsvirt/qemu';
    cache = '/var/cache/tsvirt/qemu';
  } else {
    const home = env.HOME ?? os.homedir();
    config = path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'tsvirt', 'qemu');
    run = path.join(env.XDG_RUNTIME_DIR || path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'tsvirt-run'), 'tsvirt', 'qemu');
    cache = path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'tsvirt', 'qemu');
  }
  config = env.TSVIRT_QEMU_CONFIG_DIR || config;
  run = env.TSVIRT_QEMU_RUN_DIR || run;
  return {
    configDir: config,
    runDir: run,
    logDir: path.join(run, 'log'),
    cacheDir: env.TSVIRT_QEMU_RUN_DIR ? path.join(run, 'cache') : cache,
    saveDir: path.join(config, 'save'),
    confFile: path.join(path.dirname(config), 'qemu.conf'),
  };
}

/** The folder a running domain's QEMU may use itself (migration sockets for save and restore). */
export const domainDir = (dirs: QemuDirs, uuid: string): string => path.join(dirs.runDir, `domain-${uuid}`);

/**
 * Create `dir` with `mode` (and set that mode if it exists). Missing parents are
 * created world-traversable (0755), as /run/tsvirt is shared with the daemon's
 * read-only socket: a folder's own mode must not leak to the folders above it.
 */
export async function makeDir(dir: string, mode: number): Promise<void> {
  const parent = path.dirname(dir);
  if (parent !== dir && !(await fs.stat(parent).then(() => true, () => false))) {
    await fs.mkdir(parent, { recursive: true, mode: 0o755 });
  }
  await fs.mkdir(dir, { mode }).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EEXIST') throw e;
  });
  await fs.chmod(dir, mode);
}
