import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

// Scripts of the kind people write against libvirt-python and Sys::Virt run twice,
// unchanged: once with the real library on libvirt 9.0's test driver, once with the
// generated bindings on tsvirt's, through a tsvirtd --stdio they start themselves.
// They must print exactly the same.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const scripts = fileURLToPath(new URL('./fixtures/scripts/', import.meta.url));
// Debian's libvirt-python is built for the system Python, not another one on PATH.
const python = '/usr/bin/python3';
const has = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const hasLibvirtPython = has(python, ['-c', 'import libvirt']);
const hasSysVirt = has('perl', ['-MSys::Virt', '-e', '1']);

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv) {
  // A private runtime folder: no user daemon is found, so the bindings start their own.
  const runtime = mkdtempSync(join(tmpdir(), 'tsvirt-bindings-'));
  try {
    // tap's loaders (which it adds back to NODE_OPTIONS when it spawns) must not reach tsvirtd.
    const r = spawnSync('/usr/bin/env', ['-u', 'NODE_OPTIONS', '-u', 'NODE_PATH', cmd, ...args],
      { encoding: 'utf8', timeout: 60_000, env: { ...process.env, XDG_RUNTIME_DIR: runtime, LIBVIRT_DEFAULT_URI: '', ...env } });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(runtime, { recursive: true, force: true });
  }
}

const cases = [
  { lang: 'python', skip: hasLibvirtPython ? false : `needs libvirt-python for ${python} (Debian: python3-libvirt)`, cmd: python, ours: { PYTHONPATH: join(root, 'bindings/python') } },
  { lang: 'perl', skip: hasSysVirt ? false : 'needs Sys::Virt (Debian: libsys-virt-perl)', cmd: 'perl', ours: { PERL5LIB: join(root, 'bindings/perl/lib') } },
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
