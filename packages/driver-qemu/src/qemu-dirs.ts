// Where a qemu:/// connection keeps its files: persistent configs, live state,
// logs and the capability cache, for the system and the session instance.

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
  };
}
