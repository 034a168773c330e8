import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { generatedBindings, runScript } from './fixtures/run-script.js';

// Scripts of the kind people write against libvirt-python and Sys::Virt run twice,
// unchanged: once with the real library on libvirt 9.0's test driver, once with the
// generated bindings on tsvirt's, through a tsvirtd --stdio they start themselves.
// They must print exactly the same.
const scripts = fileURLToPath(new URL('./fixtures/scripts/', import.meta.url));
// Debian's libvirt-python is built for the system Python, not another one on PATH.
const python = '/usr/bin/python3';
const has = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const hasLibvirtPython = has(python, ['-c', 'import libvirt']);
const hasSysVirt = has('perl', ['-MSys::Virt', '-e', '1']);

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv) {
  const r = runScript(cmd, args, env);
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

const cases = [
  { lang: 'python', skip: hasLibvirtPython ? false : `needs libvirt-python for ${python} (Debian: python3-libvirt)`, cmd: python, ours: generatedBindings },
  { lang: 'perl', skip: hasSysVirt ? false : 'needs Sys::Virt (Debian: libsys-virt-perl)', cmd: 'perl', ours: generatedBindings },
] as const;

for (const c of cases) {
  const dir = join(scripts, c.lang);
  for (const file of readdirSync(dir).sort()) {
    t.test(`${c.lang}/${file} prints what it prints with libvirt 9.0`, { skip: c.skip }, async (t) => {
      const theirs = run(c.cmd, [join(dir, file)], { PYTHONPATH: '', PERL5LIB: '' });
      const ours = run(c.cmd, [join(dir, file)], c.ours);
      t.equal(theirs.status, 0, `with libvirt: ${theirs.out}`);
      t.equal(ours.out, theirs.out, 'the same output, line for line');
      t.equal(ours.status, theirs.status, 'the same exit status');
    });
  }
}
