// Whether this driver start is the one that autostarts domains. As libvirt's
// virDriverShouldAutostart: a marker in the run folder, which lives as long as the
// host's (or the session's) runtime folder, so that autostart happens once per
// boot: not again at every later open, which would restart a domain the user
// destroyed. Creating it exclusively also settles a race between two processes.

import { promises as fs } from 'node:fs';
import path from 'node:path';

export const AUTOSTART_MARKER = 'autostarted';

/** True for the first caller since the run folder was created, false for every later one. */
export async function claimAutostart(runDir: string): Promise<boolean> {
  try {
    await fs.writeFile(path.join(runDir, AUTOSTART_MARKER), '', { flag: 'wx' });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}
