// A persistent config that cannot be loaded (broken XML, a memory size beyond libvirt's
// range, bytes that are not UTF-8) is reported and left on disk; the other domains load.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { open } from '@tsvirt/core';
import { registerDriver } from '@tsvirt/core/driver';
import t from 'tap';
import { driver } from '../src/driver.js';
import { qemuDirs } from '../src/qemu-dirs.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-qemu-load-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
process.env.XDG_CONFIG_HOME = path.join(dir, 'config');
process.env.XDG_RUNTIME_DIR = path.join(dir, 'run');
registerDriver(driver);
const dirs = qemuDirs('session');

const config = (name: string, memory = '65536') =>
  `<domain type='qemu'><name>${name}</name><memory>${memory}</memory><os><type arch='x86_64' machine='pc'>hvm</type></os></domain>`;

t.test('broken configs are logged and skipped, the others listed', async (t) => {
  mkdirSync(dirs.configDir, { recursive: true });
  writeFileSync(path.join(dirs.configDir, 'good.xml'), config('good'));
  writeFileSync(path.join(dirs.configDir, 'huge.xml'), config('huge', '18446744073709551615'));
  writeFileSync(path.join(dirs.configDir, 'cut.xml'), config('cut').slice(0, 40));
  writeFileSync(path.join(dirs.configDir, 'latin1.xml'), Buffer.from("<domain type='qemu'><name>caf\xe9</name><memory>1024</memory><os><type>hvm</type></os></domain>", 'latin1'));
  const logged: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => { logged.push(String(chunk)); return true; }) as typeof process.stderr.write;
  let names: string[];
  try {
    const conn = await open('qemu:///session');
    t.teardown(() => conn.close());
    names = (await conn.listAllDomains()).map((d) => d.name);
  } finally {
    process.stderr.write = write;
  }
  t.same(names, ['good'], 'the loadable domain is there');
  for (const file of ['huge.xml', 'cut.xml', 'latin1.xml']) {
    t.ok(logged.some((l) => l.includes(`Failed to load config for domain from ${path.join(dirs.configDir, file)}`)), `${file} is reported`);
    t.ok(existsSync(path.join(dirs.configDir, file)), `${file} stays on disk`);
  }
  t.ok(logged.some((l) => l.includes('numerical overflow: value too large: 18446744073709551615')), 'with the reason');
});
