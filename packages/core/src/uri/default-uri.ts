import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DRIVER_PACKAGES, probeDriver } from '../drivers/driver-registry.js';

// The URI of a connection opened without one, chosen as libvirt chooses it: the
// LIBVIRT_DEFAULT_URI environment variable, then `uri_default` in the client
// configuration file, then the first installed driver that says it can serve this user
// (libvirt's URI probe: QEMU where a QEMU binary is found), else the mock hypervisor.

/** Where and as whom to look (the process's own, unless a test says otherwise). */
export interface DefaultUriContext {
  env?: NodeJS.ProcessEnv;
  uid?: number;
}

/**
 * tsvirt's client configuration file, libvirt's libvirt.conf done again: root's is
 * /etc/tsvirt/tsvirt.conf, another user's $XDG_CONFIG_HOME/tsvirt/tsvirt.conf.
 */
export function clientConfigPath({ env = process.env, uid = process.getuid?.() ?? 0 }: DefaultUriContext = {}): string {
  if (uid === 0) return '/etc/tsvirt/tsvirt.conf';
  return join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'tsvirt', 'tsvirt.conf');
}

/** The `uri_default = "..."` setting of a configuration text (libvirt.conf's syntax), if any. */
export function uriDefaultOf(text: string): string | undefined {
  let found: string | undefined;
  for (const line of text.split('\n')) {
    const m = /^\s*uri_default\s*=\s*(?:"([^"]*)"|'([^']*)')\s*(?:#.*)?$/.exec(line);
    if (m) found = m[1] ?? m[2];
  }
  return found;
}

function configuredUri(context: DefaultUriContext): string | undefined {
  try {
    return uriDefaultOf(readFileSync(clientConfigPath(context), 'utf8')) || undefined;
  } catch {
    return undefined; // no configuration file is the usual case
  }
}

/** The URI to open when none is given. */
export async function defaultUri(context: DefaultUriContext = {}): Promise<string> {
  const fromEnv = (context.env ?? process.env).LIBVIRT_DEFAULT_URI;
  if (fromEnv) return fromEnv;
  const configured = configuredUri(context);
  if (configured) return configured;
  for (const scheme of Object.keys(DRIVER_PACKAGES)) {
    const probed = await probeDriver(scheme);
    if (probed) return probed;
  }
  return 'test:///default';
}
