import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { readApiXml } from '../src/index.js';

// libvirt 9.0 is the reference for who may make which call: ask it, through libvirt-python
// on a read-only connection to its test driver, and compare with api.xml.
const apiXml = fileURLToPath(new URL('../../../api.xml', import.meta.url));
const probe = fileURLToPath(new URL('./fixtures/libvirt-read-only-probe.py', import.meta.url));
// Debian's libvirt-python is built for the system Python, not another one on PATH.
const python = '/usr/bin/python3';

const hasLibvirtPython = spawnSync(python, ['-c', 'import libvirt'], { stdio: 'ignore' }).status === 0;

t.test('every call and write flag of api.xml is refused read-only exactly where libvirt 9.0 refuses it', { skip: hasLibvirtPython ? false : `needs libvirt-python for ${python} (Debian: python3-libvirt)` }, async (t) => {
  const api = readApiXml(apiXml);
  const calls = api.objects.flatMap((o) => o.methods.filter((m) => m.c && m.python).map((m) => ({
    object: o.name, c: m.c!, python: m.python!, access: m.access,
    writeFlags: Object.fromEntries(m.args.flatMap((a) => a.writeFlags.map((w) => [w.name, w.value]))),
  })));
  const r = spawnSync(python, [probe], { input: JSON.stringify(calls), encoding: 'utf8', timeout: 60_000 });
  t.equal(r.status, 0, r.stderr);
  const libvirt = JSON.parse(r.stdout) as Record<string, 'denied' | 'allowed'>;
  const expected: Record<string, string> = {};
  for (const c of calls) {
    expected[c.c] = c.access === 'write' ? 'denied' : 'allowed';
    for (const flag of Object.keys(c.writeFlags)) expected[`${c.c}+${flag}`] = 'denied';
  }
  t.strictSame(libvirt, expected, 'api.xml says what libvirt does');
  t.ok(Object.values(libvirt).filter((v) => v === 'denied').length > 40, 'the probe reaches libvirt\'s read-only check');
});
