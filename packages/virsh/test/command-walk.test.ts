// Every command of the registry, generated: `CMD --help` is `help CMD`, and one real call
// (its required options filled with sample values) on a fresh test:///default. Where
// libvirt's virsh is installed, the same call of it gives the same exit code, stdout and
// stderr; the commands where it does not are listed with why, and each is checked to
// still differ, so that the list shrinks as they are fixed.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import t from 'tap';
import { allCommands } from '../src/commands/command-registry.js';
import { VirshContext } from '../src/virsh-context.js';
import { runCommands } from '../src/virsh-run.js';
import '../src/builtin-drivers.js';
import { virshEnv } from './fixtures/run-virsh.js';
import { sampleCall } from './fixtures/sample-options.js';

t.setTimeout(600000);
const LIBVIRT_VIRSH = '/usr/bin/virsh';
const haveLibvirt = existsSync(LIBVIRT_VIRSH);
// the editor commands: an editor that saves nothing
process.env.VISUAL = 'true';

/** Commands that wait for a person or a guest rather than return. */
const WAITING = new Set(['console', 'event']);

/** Calls whose answer differs from libvirt's, and why (each is checked to still differ). */
const DIFFERENT: Record<string, string> = {
  help: 'lists only the commands tsvirt has',
  'iface-destroy': 'libvirt 9.0\'s virsh exits 1 after destroying the interface and printing that it did; tsvirt\'s exits 0',
  domifaddr: 'tsvirt\'s test driver does not answer virDomainInterfaceAddresses yet; libvirt 9.0\'s gives each NIC a fixed address',
  'attach-device': 'tsvirt\'s test driver attaches devices; libvirt 9.0\'s reports no support',
  'attach-disk': 'tsvirt\'s test driver attaches devices; libvirt 9.0\'s reports no support',
  'detach-device': 'tsvirt\'s test driver detaches devices; libvirt 9.0\'s reports no support',
  'detach-disk': 'tsvirt\'s test driver detaches devices; libvirt 9.0\'s reports no support',
  'secret-define': 'tsvirt\'s test driver keeps secrets; libvirt 9.0\'s has no secret driver',
  'secret-list': 'tsvirt\'s test driver keeps secrets; libvirt 9.0\'s has no secret driver',
  'pool-build': 'libvirt\'s test driver refuses an active pool first; tsvirt\'s has no pool build',
  'pool-delete': 'libvirt\'s test driver refuses an active pool first; tsvirt\'s has no pool delete',
};

/** Calls not compared, and why: libvirt's answer is not steady. */
const UNSTEADY: Record<string, string> = {
  save: 'libvirt\'s virsh sometimes waits on its test driver\'s save job until killed',
  managedsave: 'libvirt\'s virsh sometimes waits on its test driver\'s save job until killed',
};

/** Calls that fail with nothing to say, as libvirt's do. */
const SILENT: Record<string, string> = {
  ttyconsole: 'no console with a tty: libvirt\'s virsh fails without a word',
};

/** The output less what moves between two runs: the domain's CPU time, the host's CPU counters. */
const steady = (r: { rc: number | null; out: string; err: string }) => ({
  ...r, out: r.out.replace(/^(CPU time: +)\S+$/m, '$1T').replace(/^(\s+cpu\.(?:time|user|system)=)\d+$/gm, '$1N').replace(/^(\w+:\s+)\d+$/gm, '$1N')
    .replace(/^Domain snapshot \d+ created$/m, 'Domain snapshot N created'),
});

/** One command in this process on a fresh connection: its exit code, stdout and stderr. */
async function ours(words: string[]) {
  let out = '';
  let err = '';
  const ctx = new VirshContext({ uri: 'test:///default', readOnly: false, quiet: false }, (s) => { out += s; }, (s) => { err += s; });
  let ok = false;
  try {
    ok = await runCommands(ctx, [words]);
  } finally {
    await ctx.close();
  }
  return { rc: ok ? 0 : 1, out, err };
}

function theirs(words: string[]) {
  const r = spawnSync(LIBVIRT_VIRSH, ['-c', 'test:///default', ...words], { encoding: 'utf8', env: { ...virshEnv, VISUAL: 'true' }, timeout: 30_000 });
  return { rc: r.status, out: r.stdout, err: r.stderr };
}

t.test('every command: --help, and one real call on test:///default', async (t) => {
  const same: string[] = [];
  for (const def of allCommands) {
    const help = await ours(['help', def.name]);
    t.equal(help.rc, 0, `help ${def.name}`);
    t.same(await ours([def.name, '--help']), help, `${def.name} --help is help ${def.name}`);
    if (WAITING.has(def.name)) continue;
    const call = sampleCall(def);
    const mine = await ours(call);
    t.ok(mine.rc === 0 || mine.err.startsWith('error: ') || def.name in SILENT, `${call.join(' ')}: succeeds or says why (${mine.err.split('\n')[0]})`);
    if (!haveLibvirt || def.name in UNSTEADY) continue;
    const [a, b] = [steady(mine), steady(theirs(call))];
    if (def.name in DIFFERENT) t.notSame(a, b, `${call.join(' ')}: still differs (${DIFFERENT[def.name]})`);
    else t.same(a, b, `${call.join(' ')}: as libvirt's virsh`);
    if (JSON.stringify(a) === JSON.stringify(b)) same.push(def.name);
  }
  t.comment(`${allCommands.length} commands walked; ${same.length} real calls answer exactly as libvirt's virsh`);
});
