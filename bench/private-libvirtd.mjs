// A private libvirtd for side-by-side figures: a session daemon as an unprivileged user in a
// temporary folder of its own (the system daemon needs users and devices that containers
// lack), answering libvirt's test driver on its own socket. Nothing of the machine's is touched.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** libvirtd's test driver on a private socket: { uri, stop() }, or null (with the reason printed) where it cannot run. */
export async function startPrivateLibvirtd() {
  if (!existsSync('/usr/sbin/libvirtd')) {
    console.log('libvirt: libvirtd is not installed here (Debian: libvirt-daemon); its side is skipped');
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), 'libvirtd-bench-'));
  chmodSync(dir, 0o777);
  const sock = join(dir, 'libvirt', 'libvirt-sock');
  const asUser = process.getuid() === 0 ? { uid: 65534, gid: 65534 } : {};
  const env = { ...process.env, HOME: dir, XDG_RUNTIME_DIR: dir, XDG_CONFIG_HOME: join(dir, 'config'), XDG_CACHE_HOME: join(dir, 'cache') };
  const daemon = spawn('/usr/sbin/libvirtd', [], { env, ...asUser, stdio: 'ignore' });
  for (let i = 0; i < 100 && !existsSync(sock) && daemon.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
  const stop = () => { daemon.kill('SIGTERM'); rmSync(dir, { recursive: true, force: true }); };
  if (!existsSync(sock)) {
    stop();
    console.log('libvirt: a private libvirtd did not start here; its side is skipped');
    return null;
  }
  return { uri: `test+unix:///default?socket=${sock}`, stop };
}

/** Whether Debian's libvirt-python is there (it is built for the system Python). */
export const hasLibvirtPython = () => spawnSync('/usr/bin/python3', ['-c', 'import libvirt']).status === 0;
