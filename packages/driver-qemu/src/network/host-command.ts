// Running the host's tools (ip, nft; mount, mkfs), never through a shell: a failure is a
// VirError in the network domain (or the caller's) with the tool's own words.

import { execFile } from 'node:child_process';
import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';

/** Run `cmd args`, feeding `input` on stdin; `what` starts the error message ("error creating bridge interface virbr0"). */
export function hostCommand(cmd: string, args: string[], what: string, input?: string, domain: ErrorDomain = ErrorDomain.NETWORK): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const why = (stderr || err.message).trim().split('\n').pop()!.replace(/^(RTNETLINK answers|Error): /, '');
      reject(VirError.of(ErrorNumber.SYSTEM_ERROR, domain, `${what}: ${why}`));
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** The same, for cleanup: a failure (the thing is already gone) is not an error. */
export const quietly = (cmd: string, args: string[]) => hostCommand(cmd, args, cmd).then(() => undefined, () => undefined);
