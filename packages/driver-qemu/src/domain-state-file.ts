// The live state of a running domain, <runDir>/<name>.xml: what a new
// connection needs to find the guest again (pid, monitor socket, live XML).

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DomainState } from '@tsvirt/core';
import { childElement, domainDefFromTree, formatAttrs, formatDomainXml, parseXmlDocument, type DomainDef } from '@tsvirt/core/xml';
import { writeFileAtomic } from '@tsvirt/core/driver';

export interface DomainLiveState {
  id: number;
  pid: number;
  monitorPath: string;
  state: number;
  reason: number;
  /** a shutdown was asked for: if QEMU is found gone later, the guest powered off */
  shutdownRequested: boolean;
  /** a reboot was asked for: a QEMU found paused at the guest's power-off is reset and resumed */
  rebootRequested: boolean;
  def: DomainDef;
}

const stateFile = (runDir: string, name: string) => path.join(runDir, `${name}.xml`);

export async function writeDomainState(runDir: string, s: DomainLiveState): Promise<void> {
  const domain = formatDomainXml(s.def, { id: s.id, secure: true }).replace(/^(?=.)/gm, '  ');
  const xml = `<domstatus${formatAttrs({ state: s.state, reason: s.reason, pid: s.pid, id: s.id, shutdown: s.shutdownRequested ? 'requested' : undefined, reboot: s.rebootRequested ? 'requested' : undefined })}>\n`
    + `  <monitor${formatAttrs({ path: s.monitorPath })}/>\n${domain}</domstatus>\n`;
  await writeFileAtomic(stateFile(runDir, s.def.name), xml);
}

/**
 * A stopped persistent domain keeps a short record of why it stopped, so that
 * a later connection (another virsh) reports "shut off (destroyed)" as libvirt's
 * long-running daemon does.
 */
export async function writeShutoffState(runDir: string, name: string, reason: number): Promise<void> {
  await writeFileAtomic(stateFile(runDir, name), `<domstatus${formatAttrs({ state: DomainState.SHUTOFF, reason })}/>\n`);
}

export async function removeDomainState(runDir: string, name: string): Promise<void> {
  await fs.rm(stateFile(runDir, name), { force: true });
}

/** Every state file in runDir; one that cannot be read is reported by its name, to be cleaned up. */
export type DomainStateRecord = DomainLiveState | { shutoff: string; reason: number } | { broken: string };

export async function readDomainStates(runDir: string): Promise<DomainStateRecord[]> {
  let names: string[];
  try {
    names = (await fs.readdir(runDir)).filter((n) => n.endsWith('.xml') && !n.startsWith('.'));
  } catch {
    return [];
  }
  return Promise.all(names.map(async (file) => {
    const name = file.slice(0, -4);
    try {
      const root = parseXmlDocument(await fs.readFile(path.join(runDir, file), 'utf8'), file);
      if (Number(root.attrs.state) === DomainState.SHUTOFF) return { shutoff: name, reason: Number(root.attrs.reason) };
      const domain = childElement(root, 'domain');
      const monitor = childElement(root, 'monitor');
      if (!domain || !monitor?.attrs.path) return { broken: name };
      return {
        id: Number(root.attrs.id), pid: Number(root.attrs.pid), monitorPath: monitor.attrs.path,
        state: Number(root.attrs.state), reason: Number(root.attrs.reason), shutdownRequested: root.attrs.shutdown === 'requested',
        rebootRequested: root.attrs.reboot === 'requested',
        def: domainDefFromTree(domain),
      };
    } catch {
      return { broken: name };
    }
  }));
}
