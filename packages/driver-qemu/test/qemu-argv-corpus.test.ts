// libvirt's own QEMU test domains through `domxml-to-native qemu-argv`: how many become a
// command line (at least as many as libvirt 9.0's QEMU driver makes of them on a host like
// this one, measured with scripts/libvirt-qemu-argv-count.sh), refusals in libvirt's words,
// and the real QEMU started (-S, TCG) on a sample of the command lines to show it takes them.
// Needs a copy of libvirt's test data beside the repository (LIBVIRT_TESTS_DIR elsewhere).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ErrorNumber, VirError } from '@tsvirt/core';
import { parseDomainXml } from '@tsvirt/core/xml';
import t from 'tap';
import { fillDomainDefaults } from '../src/domain-defaults.js';
import { domainXmlToNative } from '../src/native-format.js';
import { probeQemuCapabilities } from '../src/qemu-capabilities.js';
import { domainToQemuArgs } from '../src/xml-to-native.js';

const REFERENCE = process.env.LIBVIRT_TESTS_DIR ?? new URL('../../../../shared/reference/libvirt-tests/', import.meta.url).pathname;
const CORPUS = path.join(REFERENCE, 'qemuxml2argv');
const QEMU = process.env.TSVIRT_QEMU ?? '/usr/bin/qemu-system-x86_64';
/** libvirt 9.0's QEMU driver as root on a host without hugepages, secrets, render nodes or VFIO: 293 of 368. */
const LIBVIRT_ACCEPTS = 293;

const skip = !existsSync(CORPUS) ? `libvirt's test domains are not beside the repository (${CORPUS})`
  : !existsSync(QEMU) ? `${QEMU} is not installed` : false;
t.setTimeout(600_000);

const dir = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-argv-corpus-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const runDir = path.join(dir, 'run');
mkdirSync(runDir);
const domainDir = path.join(dir, 'domain');
const options = () => ({ domainDir, hostNumaNodes: [0] });

/** Command lines that need something of the host a test cannot lend (a device, a daemon, a peer), by what they name. */
const NEEDS_THE_HOST: Array<[RegExp, string]> = [
  [/\/dev\/(?!null\b)|host_device|sysfsdev|usb-host|scsi-block/, 'a host device'],
  [/egl-headless|gl=on|rendernode/, 'a GPU render node'],
  [/vhost-vsock/, '/dev/vhost-vsock'],
  [/-tpmdev|-fsdev|mem-path=|mem-path"/, 'swtpm, a shared folder or a memory file'],
  [/-chardev socket,(?![^ ]*server=on)/, 'a peer to connect to'],
  [/driver(?:=|":")(?:nbd|http|https|ftp|ftps|nfs|gluster|rbd)\b/, 'a network disk server'],
  [new RegExp(`(?:unix:|path=)(?!${domainDir})/[^ ]*(?:server=on|,audiodev|$)`), 'a folder of the host for a socket'],
  [/-vnc \[|-vnc [0-9a-f]*:[0-9a-f:]*:\d/, 'an IPv6 address'],
  [/-chardev (?:serial|parallel|udp)/, 'a host port'],
  [/maxmem=\d{13,}/, 'more address space than TCG\'s CPU has'],
  [/kernel_irqchip=split/, 'KVM'],
  // QEMU 7.2 has no such property on its Icelake model; libvirt leaves out what its CPU map says QEMU lacks, tsvirt does not yet
  [/pconfig=/, 'a CPU feature QEMU does not know'],
  [/-kernel|-initrd|vvfat|-audiodev (?:alsa|oss|jack|pa|sdl|coreaudio|sndio)|-display sdl|-display dbus/, 'a kernel, a folder or a sound or display server'],
];

t.test('libvirt\'s QEMU test domains become command lines QEMU 7.2 starts with', { skip }, async (t) => {
  const caps = await probeQemuCapabilities(QEMU, { runDir });
  const files = readdirSync(CORPUS).filter((f) => f.endsWith('.xml')).sort();
  const accepted: Array<{ name: string; args: string[] }> = [];
  const refusals = new Map<string, number>();
  for (const file of files) {
    const xml = readFileSync(path.join(CORPUS, file), 'utf8');
    try {
      await domainXmlToNative(async () => caps, options, 'qemu-argv', xml, 0);
      const def = parseDomainXml(xml);
      fillDomainDefaults(def, caps, { emulator: caps.binary, fresh: true });
      accepted.push({ name: file.slice(0, -4), args: domainToQemuArgs(def, options()) });
    } catch (e) {
      if (!(e instanceof VirError)) throw e;
      const key = `${e.code}: ${e.message.replace(/'[^']*'/g, "'…'")}`;
      refusals.set(key, (refusals.get(key) ?? 0) + 1);
    }
  }
  t.comment(`accepted ${accepted.length} of ${files.length} (libvirt 9.0 here: ${LIBVIRT_ACCEPTS})`);
  for (const [why, n] of [...refusals].sort((a, b) => b[1] - a[1])) t.comment(`  refused ${n}: ${why}`);
  t.ok(accepted.length >= LIBVIRT_ACCEPTS, `at least libvirt's ${LIBVIRT_ACCEPTS} accepted (${accepted.length})`);
  const configErrors = [ErrorNumber.CONFIG_UNSUPPORTED, ErrorNumber.INTERNAL_ERROR, ErrorNumber.XML_ERROR].map(String);
  t.ok([...refusals.keys()].every((k) => configErrors.includes(k.split(':')[0])), 'refusals are libvirt\'s configuration errors');

  // Every other command line that needs nothing of the host but disk images (made as temporary files).
  const withoutImages = (args: string[]) => args.filter((a, i) => !(args[i - 1] === '-blockdev' && /filename/.test(a))).join(' ');
  const eligible = accepted.filter(({ args }) => !NEEDS_THE_HOST.some(([re]) => re.test(withoutImages(args))));
  const sample = eligible.filter((_, i) => i % 2 === 0);
  t.ok(sample.length >= 50, `a sample of ${sample.length} of ${eligible.length} runnable command lines`);
  mkdirSync(domainDir, { recursive: true });
  for (const { name, args } of sample) {
    const result = startQemu(name, args);
    t.ok(result.ok, `${name}: QEMU starts${result.ok ? '' : `: ${result.error}`}`);
  }
});

/** QEMU started paused under TCG with `args` (disk images replaced by temporary ones), answering QMP and quitting. */
function startQemu(name: string, args: string[]): { ok: boolean; error?: string } {
  const images = path.join(dir, name);
  mkdirSync(images, { recursive: true });
  const formats = new Map<string, string>();
  for (const [i, a] of args.entries()) {
    if (args[i - 1] !== '-blockdev') continue;
    const node = blockdevProps(a);
    if (node.file && node.driver) formats.set(String(node.file), String(node.driver));
  }
  let n = 0;
  const run = args.map((a, i) => {
    if (args[i - 1] === '-accel') return 'tcg';
    if (args[i - 1] === '-cpu') return a.replace(/^host\b/, 'max');
    if (args[i - 1] !== '-blockdev' || !/filename/.test(a)) return a;
    const node = blockdevProps(a);
    const image = path.join(images, `disk${n++}`);
    if (formats.get(String(node['node-name'])) === 'qcow2') spawnSync('qemu-img', ['create', '-q', '-f', 'qcow2', image, '1M']);
    else writeFileSync(image, Buffer.alloc(1 << 20));
    return JSON.stringify({ ...node, driver: 'file', filename: image });
  });
  const r = spawnSync(QEMU, [...run, '-S', '-qmp', 'stdio'], {
    input: '{"execute":"qmp_capabilities"}\n{"execute":"quit"}\n', timeout: 60_000, encoding: 'utf8',
  });
  rmSync(images, { recursive: true, force: true });
  const ok = r.status === 0 && r.stdout.includes('"QMP"') && !r.stdout.includes('"error"');
  return ok ? { ok } : { ok, error: (r.stderr || r.stdout || String(r.error)).trim().split('\n')[0] };
}

/** The properties of a -blockdev argument, JSON or key=value (commas doubled in values). */
function blockdevProps(arg: string): Record<string, unknown> {
  if (arg.startsWith('{')) return JSON.parse(arg) as Record<string, unknown>;
  const props: Record<string, unknown> = {};
  const pairs: string[] = [''];
  for (let i = 0; i < arg.length; i++) {
    if (arg[i] === ',' && arg[i + 1] === ',') pairs[pairs.length - 1] += arg[i++];
    else if (arg[i] === ',') pairs.push('');
    else pairs[pairs.length - 1] += arg[i];
  }
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const value = pair.slice(eq + 1);
    props[pair.slice(0, eq)] = value === 'on' ? true : value === 'off' ? false : value;
  }
  return props;
}
