// The QEMU driver's entry: qemu:///system and qemu:///session on the local host.

import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import { findProgram, type Driver } from '@tsvirt/core/driver';
import { QemuConnection } from './qemu-connection.js';
import { qemuDirs } from './qemu-dirs.js';
import { qemuSecurity } from './qemu-security.js';

const DEFAULT_BINARY = 'qemu-system-x86_64';

/** Whether a QEMU binary can be run: a path that exists, or a name found on PATH. */
const qemuInstalled = (binary = process.env.TSVIRT_QEMU_BINARY || DEFAULT_BINARY) => findProgram(binary) !== null;

export const driver: Driver = {
  name: 'QEMU',
  schemes: ['qemu'],
  // A guest's monitor has one client: where tsvirtd runs, it is that client.
  daemonFirst: true,
  // As libvirt's QEMU driver: the system instance for root, the user's session otherwise.
  probe: () => (qemuInstalled() ? (process.getuid?.() === 0 ? 'qemu:///system' : 'qemu:///session') : null),
  async open(uri) {
    // Remote URIs (qemu+ssh://host/system) belong to the remote driver.
    if (uri.host !== null || uri.transport !== null) return 'declined';
    const instance = uri.path === '/system' ? 'system' : uri.path === '/session' ? 'session' : undefined;
    if (!instance) {
      throw VirError.of(ErrorNumber.INTERNAL_ERROR, ErrorDomain.QEMU,
        `unexpected QEMU URI path '${uri.path}', try qemu:///system or qemu:///session`);
    }
    if (instance === 'system' && process.getuid?.() !== 0 && !process.env.TSVIRT_QEMU_RUN_DIR) {
      throw VirError.of(ErrorNumber.OPERATION_DENIED, ErrorDomain.QEMU, 'qemu:///system requires root; use qemu:///session');
    }
    const dirs = qemuDirs(instance);
    // Only root can run QEMU as another user; qemu:///session runs it as the caller.
    const security = instance === 'system' && process.getuid?.() === 0 ? await qemuSecurity(dirs.confFile) : undefined;
    return QemuConnection.open({
      uri: uri.text,
      dirs,
      binary: process.env.TSVIRT_QEMU_BINARY || DEFAULT_BINARY,
      ...(security ? { security } : {}),
    });
  },
};
