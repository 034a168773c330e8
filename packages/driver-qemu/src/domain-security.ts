// What a starting domain's QEMU is given and what a stopped one leaves behind:
// its own folder, its DAC label (the user it runs as, shown in the live XML) with
// its files chowned to that user; afterwards its run files removed and its files
// given back. Used at start, at exit (however QEMU ended) and by reconnection.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { DomainDef } from '@tsvirt/core/xml';
import { domainDac, filesToLabel, showLiveSeclabel, type DomainDac } from './dac-seclabel.js';
import type { QemuDriverState } from './driver-state.js';
import { domainDir } from './qemu-dirs.js';
import type { QemuDomain } from './qemu-domain.js';
import { unplugInterfaces } from './network/interface-plug.js';
import { removeChardevListeners } from './chardev-listeners.js';

/** The domain's own folder, made afresh, and its DAC label when QEMU runs as another user (none under qemu:///session). */
export async function prepareDomain(s: QemuDriverState, d: QemuDomain): Promise<DomainDac | undefined> {
  const dir = domainDir(s.dirs, d.uuid);
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { mode: 0o700 });
  const security = s.options.security;
  if (!security) return undefined;
  const dac = await domainDac(d.def, security);
  showLiveSeclabel(d.def, dac);
  await fs.chown(dir, dac.process.uid, dac.process.gid);
  await s.owners.label(d.uuid, await filesToLabel(d.def, dac));
  return dac;
}

/** The DAC label of a running domain, from its live definition; none when QEMU runs as the caller. */
export async function dacOf(s: QemuDriverState, d: QemuDomain): Promise<DomainDac | undefined> {
  return s.options.security && domainDac(d.def, s.options.security);
}

/** After QEMU has gone (stopped or crashed): its run files removed, its files given back. */
export async function releaseDomain(s: QemuDriverState, def: DomainDef, monitorPath: string | undefined): Promise<void> {
  await Promise.all([removeRunFiles(s, def, monitorPath), s.owners.restore(def.uuid), unplugInterfaces(def)]);
}

/** A gone QEMU's monitor socket, pidfile, folder and chardev sockets: QEMU removes none of them, it knows no names. */
export async function removeRunFiles(s: QemuDriverState, def: DomainDef, monitorPath: string | undefined): Promise<void> {
  await Promise.all([
    removeChardevListeners(def),
    monitorPath === undefined ? undefined : fs.rm(monitorPath, { force: true }),
    fs.rm(path.join(s.dirs.runDir, `${def.name}.pid`), { force: true }),
    fs.rm(domainDir(s.dirs, def.uuid), { recursive: true, force: true }),
  ]).catch(() => {});
}
