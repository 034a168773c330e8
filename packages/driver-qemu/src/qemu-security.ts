// The user and group QEMU runs as under qemu:///system, from qemu.conf: the
// dedicated user by default (created when missing), or the one configured.

import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';
import type { QemuSecurity } from './dac-seclabel.js';
import { DEFAULT_QEMU_USER, readQemuConf } from './qemu-conf.js';
import { ensureSystemUser, findGroup, findUser, hasUserEntry } from './system-user.js';

export async function qemuSecurity(confFile: string): Promise<QemuSecurity> {
  const conf = await readQemuConf(confFile);
  const user = conf.user === DEFAULT_QEMU_USER ? await ensureSystemUser(DEFAULT_QEMU_USER) : await findUser(conf.user);
  if (!user) throw VirError.of(ErrorNumber.CONF_SYNTAX, ErrorDomain.SECURITY, `${confFile}: Failed to parse user '${conf.user}'`);
  const gid = conf.group === undefined ? user.gid : await findGroup(conf.group);
  if (gid === undefined) throw VirError.of(ErrorNumber.CONF_SYNTAX, ErrorDomain.SECURITY, `${confFile}: Failed to parse group '${conf.group}'`);
  return { label: { uid: user.uid, gid }, initGroups: await hasUserEntry(user.uid), dynamicOwnership: conf.dynamicOwnership };
}
