// virsh -c xen:///system domxml-to-native and domxml-from-native, as separate virsh
// processes, on a host where xl cannot reach a Xen hypervisor (its binary is made absent):
// the conversions need no hypervisor. Outputs are compared byte for byte, virsh's
// closing blank line included.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const virshBin = path.join(packageDir, '..', 'virsh', 'bin', 'virsh');
const dir = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-virsh-xen-native-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const env: NodeJS.ProcessEnv = {
  ...process.env,
  XDG_CONFIG_HOME: path.join(dir, 'config'),
  XDG_RUNTIME_DIR: path.join(dir, 'run'),
  XDG_CACHE_HOME: path.join(dir, 'cache'),
  TSVIRT_XEN_CONFIG_DIR: path.join(dir, 'xen-config'),
  TSVIRT_XEN_RUN_DIR: path.join(dir, 'xen-run'),
  TSVIRT_XEN_XL: path.join(dir, 'no-xl-here'),
};
// virsh is a plain node program: without tap's loader hooks
const virsh = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => new Promise((resolve) => {
  execFile('/usr/bin/env', ['-u', 'NODE_OPTIONS', '-u', 'NODE_PATH', 'node', virshBin, '-c', 'xen:///system', ...args], { cwd: packageDir, env },
    (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }));
});
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

const DOMAIN = `<domain type='xen'>
  <name>guest</name>
  <uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid>
  <memory unit='MiB'>512</memory>
  <vcpu>2</vcpu>
  <bootloader>/usr/bin/pygrub</bootloader>
  <os><type>linux</type></os>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/var/lib/xen/images/guest.qcow2'/><target dev='xvda'/></disk>
    <interface type='bridge'><mac address='00:16:3E:00:00:01'/><source bridge='xenbr0'/></interface>
    <graphics type='vnc' port='5901' autoport='no' passwd='s3cret'/>
  </devices>
</domain>
`;
const SHARED = `name = "guest"
uuid = "4dea22b3-1d52-d8f3-2516-782e98ab3fa0"
maxmem = 512
memory = 512
vcpus = 2
localtime = 0
on_poweroff = "destroy"
on_reboot = "restart"
on_crash = "destroy"
vfb = [ "type=vnc,vncunused=0,vncdisplay=1,vncpasswd=s3cret" ]
vif = [ "mac=00:16:3e:00:00:01,bridge=xenbr0,script=vif-bridge" ]
bootloader = "/usr/bin/pygrub"
`;
const XL = `${SHARED}disk = [ "format=qcow2,vdev=xvda,access=rw,backendtype=qdisk,target=/var/lib/xen/images/guest.qcow2" ]\n`;
const XM = `${SHARED}disk = [ "qemu:/var/lib/xen/images/guest.qcow2,xvda,w" ]\n`;
const DEFINITION = `<domain type='xen'>
  <name>guest</name>
  <uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid>
  <memory unit='KiB'>524288</memory>
  <currentMemory unit='KiB'>524288</currentMemory>
  <vcpu placement='static'>2</vcpu>
  <bootloader>/usr/bin/pygrub</bootloader>
  <os>
    <type arch='x86_64' machine='xenpv'>linux</type>
  </os>
  <clock offset='utc' adjustment='reset'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/var/lib/xen/images/guest.qcow2'/>
      <target dev='xvda' bus='xen'/>
    </disk>
    <controller type='xenbus' index='0'/>
    <interface type='bridge'>
      <mac address='00:16:3e:00:00:01'/>
      <source bridge='xenbr0'/>
      <script path='vif-bridge'/>
    </interface>
    <console type='pty'>
      <target type='xen' port='0'/>
    </console>
    <input type='mouse' bus='xen'/>
    <input type='keyboard' bus='xen'/>
    <graphics type='vnc' port='5901' autoport='no' passwd='s3cret'>
      <listen type='address'/>
    </graphics>
    <video>
      <model type='xen' vram='4096' heads='1' primary='yes'/>
    </video>
    <memballoon model='xen'/>
  </devices>
</domain>
`;

t.test('domxml-to-native xen-xl and xen-xm with no Xen hypervisor', async (t) => {
  const xml = file('guest.xml', DOMAIN);
  t.same(await virsh('domxml-to-native', 'xen-xl', xml), { code: 0, stdout: `${XL}\n`, stderr: '' });
  t.same(await virsh('domxml-to-native', '--format', 'xen-xm', '--xml', xml), { code: 0, stdout: `${XM}\n`, stderr: '' });
});

t.test('domxml-from-native xen-xl and xen-xm: the definition, its VNC password kept', async (t) => {
  t.same(await virsh('domxml-from-native', 'xen-xl', file('guest.cfg', XL)), { code: 0, stdout: `${DEFINITION}\n`, stderr: '' });
  // an xm disk names its format only behind tap: (tap:qcow2:), so this one reads back raw, as in libvirt
  const fromXm = DEFINITION.replace("<driver name='qemu' type='qcow2'/>", "<driver name='qemu' type='raw'/>");
  t.same(await virsh('domxml-from-native', '--format', 'xen-xm', '--config', file('guest.xm', XM)), { code: 0, stdout: `${fromXm}\n`, stderr: '' });
});

// as libvirt's virsh: the error on stderr, the closing blank line on stdout
t.test("failures: libvirt's errors, the config's line and column", async (t) => {
  t.same(await virsh('domxml-to-native', 'xen-sxpr', file('guest.xml', DOMAIN)),
    { code: 1, stdout: '\n', stderr: 'error: invalid argument: unsupported config type xen-sxpr\n' });
  t.same(await virsh('domxml-from-native', 'xen-xl', file('bad.cfg', 'name = "bad"\nmemory = 128\nthis is not valid syntax\n')),
    { code: 1, stdout: '\n', stderr: "error: configuration file syntax error: line 3, column 6: unexpected name 'is', expecting '=' or '+='\n" });
  t.same(await virsh('domxml-from-native', 'xen-xl', path.join(dir, 'absent.cfg')),
    { code: 1, stdout: '\n', stderr: `error: Failed to open file '${path.join(dir, 'absent.cfg')}': No such file or directory\n` });
});
