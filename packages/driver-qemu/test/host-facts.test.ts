import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { open } from '@tsvirt/core';
import { registerDriver } from '@tsvirt/core/driver';
import t from 'tap';
import { driver } from '../src/driver.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-hostfacts-'));
process.env.XDG_CONFIG_HOME = path.join(dir, 'config');
process.env.XDG_RUNTIME_DIR = path.join(dir, 'run');
registerDriver(driver);
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
const procFlags = /^flags\s*:\s*(.*)$/m.exec(cpuinfo)?.[1].split(/\s+/) ?? [];
const procVendor = /^vendor_id\s*:\s*(\S+)/m.exec(cpuinfo)?.[1];

t.test('node info and capabilities describe this host, with the CPU probed through hv-native', async (t) => {
  const conn = await open('qemu:///session');
  t.teardown(() => conn.close());
  const info = await conn.getNodeInfo();
  t.equal(info.model, 'x86_64');
  t.equal(info.cpus, os.cpus().length);
  t.equal(info.memory, Math.floor(os.totalmem() / 1024));
  t.equal(info.sockets * info.cores * info.threads * info.nodes, info.cpus, 'the topology accounts for every CPU');
  const caps = await conn.getCapabilities();
  const vendor = /<vendor>(\w+)<\/vendor>/.exec(caps)?.[1];
  t.equal(vendor, { GenuineIntel: 'Intel', AuthenticAMD: 'AMD' }[procVendor ?? ''], "the vendor in libvirt's words");
  const features = [...caps.matchAll(/<feature name='([^']+)'\/>/g)].map((m) => m[1]);
  t.ok(features.length > 10, 'the host CPU features are listed');
  if (procFlags.includes('sse4_1')) t.ok(features.includes('sse4.1') && !features.includes('sse4_1'), "Linux's sse4_1 is libvirt's sse4.1");
  t.match(caps, /<topology sockets='\d+' dies='1' cores='\d+' threads='\d+'\/>/);
});
