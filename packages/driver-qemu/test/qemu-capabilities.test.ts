import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { loadQemuCapabilities, probeQemuCapabilities } from '../src/qemu-capabilities.js';

const QEMU = process.env.TSVIRT_QEMU ?? execFileSync('sh', ['-c', 'command -v qemu-system-x86_64'], { encoding: 'utf8' }).trim();
const dir = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-qemu-caps-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const runDir = path.join(dir, 'run');
mkdirSync(runDir);

t.test('probes version, machines, CPU models, accelerators and devices', async (t) => {
  const caps = await probeQemuCapabilities(QEMU, { runDir });
  t.comment(`probe: ${caps.probeMs} ms`);
  t.equal(caps.binary, QEMU);
  t.match(caps.version, { major: Number, minor: Number, micro: Number, package: String });

  const defaults = caps.machines.filter((m) => m.isDefault);
  t.equal(defaults.length, 1, 'exactly one default machine');
  const pc = caps.machines.find((m) => m.alias === 'pc');
  t.ok(pc, 'a machine has the alias "pc"');
  t.match(pc?.name, /^pc-i440fx-\d+\.\d+$/);
  t.equal(defaults[0]?.name, pc?.name, 'x86_64 defaults to the newest i440fx');
  t.match(caps.machines.find((m) => m.alias === 'q35'), { name: /^pc-q35-/, maxCpus: Number });
  t.ok(caps.machines.some((m) => m.name === 'none'));

  t.match(caps.cpuModels.find((c) => c.name === 'qemu64'), { usable: true, deprecated: false });
  t.ok(caps.cpuModels.length > 20, `${caps.cpuModels.length} CPU models`);

  t.equal(caps.accelerators[0], 'tcg', 'tcg always');
  t.comment(`accelerators: ${caps.accelerators.join(', ')}`);

  for (const device of ['virtio-blk-pci', 'virtio-net-pci', 'isa-serial', 'piix3-usb-uhci', 'virtio-balloon-pci']) {
    t.ok(caps.deviceTypes.includes(device), device);
  }
  t.notOk(caps.deviceTypes.includes('virtio-pci'), 'abstract types left out');
  t.same(readdirSync(runDir), [], 'probe leaves no files in the run dir');
});

t.test('caches per binary and re-probes when the binary changes', async (t) => {
  // A copy, so that touching it disturbs nothing else. QEMU looks for its
  // modules (TCG is one in Debian's build) relative to its own path, in
  // ../lib/<triplet>/qemu, so the copy gets a lib beside its bin.
  mkdirSync(path.join(dir, 'usr', 'bin'), { recursive: true });
  symlinkSync(path.join(path.dirname(path.dirname(QEMU)), 'lib'), path.join(dir, 'usr', 'lib'));
  const binary = path.join(dir, 'usr', 'bin', 'qemu-copy');
  copyFileSync(QEMU, binary);
  const cacheDir = path.join(dir, 'cache');

  const first = await loadQemuCapabilities(binary, { cacheDir, runDir });
  t.equal(first.fromCache, false, 'first load probes');
  t.equal(first.capabilities.binary, binary);

  const before = performance.now();
  const second = await loadQemuCapabilities(binary, { cacheDir, runDir });
  t.comment(`cached load: ${(performance.now() - before).toFixed(1)} ms`);
  t.equal(second.fromCache, true, 'second load is cached');
  t.same(second.capabilities, first.capabilities);

  const later = new Date(Date.now() + 5000);
  utimesSync(binary, later, later);
  const third = await loadQemuCapabilities(binary, { cacheDir, runDir });
  t.equal(third.fromCache, false, 'a touched binary is probed again');
  t.equal((await loadQemuCapabilities(binary, { cacheDir, runDir })).fromCache, true, 'and cached again');

  t.equal(readdirSync(cacheDir).length, 1, 'one cache file per binary, no temporaries left');
});
