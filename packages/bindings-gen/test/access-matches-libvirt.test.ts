import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { readApiXml } from '../src/index.js';
import { libvirtModuleMissing, libvirtdMissing, startPrivateLibvirtd } from '../../core/test/fixtures/private-libvirtd.js';

// libvirt 9.0 is the reference for who may make which call: ask it, through libvirt-python
// on a read-only connection to its test driver, and compare with api.xml.
const apiXml = fileURLToPath(new URL('../../../api.xml', import.meta.url));
const probe = fileURLToPath(new URL('./fixtures/libvirt-read-only-probe.py', import.meta.url));
// Debian's libvirt-python is built for the system Python, not another one on PATH.
const python = '/usr/bin/python3';

const hasLibvirtPython = spawnSync(python, ['-c', 'import libvirt'], { stdio: 'ignore' }).status === 0;

t.test('every call and write flag of api.xml is refused read-only exactly where libvirt 9.0 refuses it', { skip: hasLibvirtPython ? false : `needs libvirt-python for ${python} (Debian: python3-libvirt)` }, async (t) => {
  const api = readApiXml(apiXml);
  // libvirt's test driver has no secrets: its secret driver, in a private libvirtd, gives the probe one
  const noSecrets = libvirtdMissing() || libvirtModuleMissing('secret');
  const libvirtd = noSecrets ? null : await startPrivateLibvirtd({ modules: ['secret'] });
  if (libvirtd) t.teardown(() => libvirtd.stop());
  else t.comment(`the Secret's own calls are left out: ${noSecrets}`);
  const calls = api.objects.filter((o) => libvirtd || o.name !== 'Secret').flatMap((o) => o.methods.filter((m) => m.c && m.python).map((m) => ({
    object: o.name, c: m.c!, python: m.python!, access: m.access,
    writeFlags: Object.fromEntries(m.args.flatMap((a) => a.writeFlags.map((w) => [w.name, w.value]))),
  })));
  const secretUris = libvirtd ? [libvirtd.unixUri('secret', '/system'), `secret+unix:///system?socket=${libvirtd.ro}`] : [];
  const r = spawnSync(python, [probe, ...secretUris], { input: JSON.stringify(calls), encoding: 'utf8', timeout: 60_000 });
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
