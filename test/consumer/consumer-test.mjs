#!/usr/bin/env node
// The consumer test: pack every package as it would be published (pnpm pack turns
// "workspace:^" into real versions), install the tarballs into a fresh project outside
// the workspace with plain npm, and use them there as an application would. Prints TAP;
// scripts/run-tests.mjs runs it after the packages' own tests. One npm install; nothing
// in core or the test driver builds a native part (hv-native, optional, is not asked for).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { installLine, shellCommands, toolOf, typescriptExample } from './readme-examples.mjs';

const root = new URL('../../', import.meta.url).pathname;
const fixtures = new URL('fixtures/', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'tsvirt-consumer-'));
const tarballs = join(scratch, 'tarballs');
const project = join(scratch, 'project');

/** The packages an application asks for; drivers beyond driver-test must not come along. */
const daemonBuilt = existsSync(join(root, 'packages/daemon/bin/tsvirtd'));
const requested = ['core', 'driver-test', 'virsh', 'bindings-gen', ...(daemonBuilt ? ['daemon'] : [])];
/** The commands each package must ship, by package folder. */
const commands = { virsh: ['virsh'], 'bindings-gen': ['tsvirt-bindgen'], ...(daemonBuilt ? { daemon: ['tsvirtd'] } : {}) };

// Children run without tap's loaders, and native builds use the local Node headers.
const env = { ...process.env, LIBVIRT_DEFAULT_URI: '', npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' };
delete env.NODE_OPTIONS;
delete env.NODE_PATH;
if (!env.npm_config_nodedir && existsSync('/usr/include/node/node.h')) env.npm_config_nodedir = '/usr';
env.PATH = `${join(project, 'node_modules/.bin')}:${env.PATH}`;

const run = (cmd, args, cwd = project, timeout = 120_000) => {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout, maxBuffer: 64 * 1024 * 1024 });
  return { rc: r.status, out: r.stdout ?? '', err: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
};
/** A command of an installed package: by path, so that a same-named system tool (libvirt's virsh) cannot stand in. */
const bin = (name) => join(project, 'node_modules/.bin', name);
const packages = readdirSync(join(root, 'packages')).filter((p) => existsSync(join(root, 'packages', p, 'package.json'))).sort();
const tarballOf = {};

// tap's default limit is 30 s per file; the npm install alone takes about a minute.
t.setTimeout(15 * 60_000);
// TSVIRT_CONSUMER_KEEP=1 leaves the project in place, to look into a failure.
t.teardown(() => (process.env.TSVIRT_CONSUMER_KEEP ? t.comment(`kept ${scratch}`) : rmSync(scratch, { recursive: true, force: true })));

await t.test('every package packs with its publishing fields and real dependency versions', async (t) => {
  mkdirSync(tarballs, { recursive: true });
  for (const pkg of packages) {
    const r = run('pnpm', ['pack', '--pack-destination', tarballs], join(root, 'packages', pkg));
    const file = r.out.trim().split('\n').pop();
    // A checkout whose install predates a new workspace dependency cannot pack that
    // package until `pnpm install`; CI installs from the lockfile, so it never sees this.
    if (r.rc !== 0 && /ERR_PNPM_CANNOT_RESOLVE_WORKSPACE_PROTOCOL/.test(r.out)) { t.skip(`pnpm pack ${pkg}: run pnpm install first (${r.out.trim()})`); continue; }
    if (!t.equal(r.rc, 0, `pnpm pack ${pkg}`, { out: r.out, err: r.err })) continue;
    tarballOf[pkg] = file;
    const listing = run('tar', ['-tzf', file], tarballs).out.split('\n');
    const manifest = JSON.parse(run('tar', ['-xOzf', file, 'package/package.json'], tarballs).out);
    t.match(manifest, { name: `@tsvirt/${pkg}`, version: /^\d+\.\d+\.\d+/, description: /\w/, license: 'LGPL-2.1-or-later', engines: { node: /\d/ } }, `${pkg}: name, version, description, license, engines`);
    t.match(manifest, { repository: { type: 'git', url: /^git\+https:\/\/.+\.git$/, directory: `packages/${pkg}` }, homepage: /^https:\/\//, bugs: { url: /^https:\/\// } },
      `${pkg}: where its source, home page and bug tracker are`);
    t.ok(manifest.files.includes('CHANGELOG.md'), `${pkg}: ships the CHANGELOG.md a release writes`);
    t.match(readFileSync(join(root, 'packages', pkg, 'README.md'), 'utf8'), /\]\(https:\/\/[^)]*\/docs\/api\)/, `${pkg}: its README links the API reference`);
    t.match(manifest.exports?.['.'], { types: /\.d\.ts$/, default: /\.js$/ }, `${pkg}: exports with types`);
    t.ok(Array.isArray(manifest.files), `${pkg}: files`);
    const { dependencies, peerDependencies, optionalDependencies, devDependencies } = manifest;
    t.notMatch(JSON.stringify([dependencies, peerDependencies, optionalDependencies, devDependencies]), /workspace:/, `${pkg}: dependencies have real versions`);
    for (const command of commands[pkg] ?? []) {
      t.ok(manifest.bin?.[command], `${pkg}: bin ${command}`);
      t.ok(listing.includes(`package/${manifest.bin?.[command]?.replace(/^\.\//, '')}`), `${pkg}: ${command} is in the tarball`);
    }
    const readme = run('tar', ['-xOzf', file, 'package/README.md'], tarballs).out;
    t.match(readme, /^(# .*\n+)?\S.*\w/, `${pkg}: README.md is in the tarball and opens with a tagline`);
    t.match(readme, installLine(pkg), `${pkg}: its README says how to install it`);
  }
  // core finds drivers at run time: no static import, no dependency.
  const core = JSON.parse(readFileSync(join(root, 'packages/core/package.json'), 'utf8'));
  t.same(Object.keys(core.dependencies ?? {}).filter((d) => d.startsWith('@tsvirt/')), [], 'core depends on no other tsvirt package');
  const staticImports = run('grep', ['-rlE', `(from|import) ['"]@tsvirt/(driver-|hv-native)`, join(root, 'packages/core/dist'), '--include=*.js'], root).out.trim();
  t.equal(staticImports, '', 'core never imports a driver or hv-native statically');
});

await t.test('the tarballs install into a fresh project outside the workspace with plain npm', async (t) => {
  mkdirSync(project, { recursive: true });
  // npm 11 asks for dependencies' install scripts to be approved: hv-native's builds its native part.
  const manifest = { name: 'tsvirt-consumer', private: true, type: 'module', allowScripts: { '@tsvirt/hv-native': true } };
  writeFileSync(join(project, 'package.json'), JSON.stringify(manifest, null, 2));
  for (const f of readdirSync(fixtures)) copyFileSync(join(fixtures, f), join(project, f));
  // api.xml and its lock, for the bindings-gen examples and the typed consumer.
  for (const f of ['api.xml', 'api.lock.json']) copyFileSync(join(root, f), join(project, f));
  const started = Date.now();
  const r = run('npm', ['install', '--no-package-lock', ...requested.map((p) => tarballOf[p]).filter(Boolean), 'typescript@5.9.3', '@types/node@20'], project, 900_000);
  t.equal(r.rc, 0, 'npm install', { err: r.err.slice(-4000) });
  t.notMatch(r.err, /install scripts not yet covered/, 'no install script waits for approval');
  t.comment(`npm install took ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

await t.test('no driver is installed that was not asked for', async (t) => {
  const found = run('find', ['node_modules', '-path', '*/@tsvirt/*', '-name', 'package.json', '-not', '-path', '*/@tsvirt/*/node_modules/*']).out.trim().split('\n')
    .map((p) => JSON.parse(readFileSync(join(project, p), 'utf8')).name).filter((n) => n?.startsWith('@tsvirt/'));
  t.same([...new Set(found)].sort(), requested.filter((p) => tarballOf[p]).map((p) => `@tsvirt/${p}`).sort(), 'node_modules holds exactly the packages asked for');
  t.notOk(found.some((n) => /driver-(qemu|xen)|hv-native/.test(n)), 'no QEMU or Xen driver, no native addon');
});

await t.test('test:///default opens with only core and driver-test, and parses domain XML', async (t) => {
  const r = run('node', ['use-test-driver.mjs']);
  t.equal(r.rc, 0, r.err);
  t.same(JSON.parse(r.out), { type: 'TEST', domains: ['test', 'consumer'], memory: '65536' });
});

await t.test('qemu:///session without @tsvirt/driver-qemu says which package to install', async (t) => {
  const r = run('node', ['missing-qemu-driver.mjs']);
  t.equal(r.rc, 0, r.err);
  t.same(JSON.parse(r.out), {
    isVirError: true,
    code: 5,
    message: 'no connection driver available for qemu:///session (install @tsvirt/driver-qemu to use qemu:// URIs)',
  });
});

await t.test('the packed virsh runs', async (t) => {
  t.same(run(bin('virsh'), ['-c', 'test:///default', 'list', '--all']), { rc: 0, out: ' Id   Name   State\n----------------------\n 1    test   running\n\n', err: '' });
  const version = run(bin('virsh'), ['--version']);
  t.equal(version.rc, 0, version.err);
  t.match(version.out, /^\d+\.\d+\.\d+\n$/);
});

const daemonSkip = !daemonBuilt ? 'packages/daemon/bin/tsvirtd does not exist yet' : !tarballOf.daemon ? '@tsvirt/daemon was not packed' : false;
await t.test('the packed tsvirtd runs', { skip: daemonSkip }, async (t) => {
  const r = run(bin('tsvirtd'), ['--help']);
  t.equal(r.rc, 0, r.err);
});

await t.test('tsvirt-bindgen runs from outside the workspace', async (t) => {
  const ts = run(bin('tsvirt-bindgen'), ['--lang', 'ts', '--out', 'gen-ts', 'api.xml']);
  t.equal(ts.rc, 0, ts.err);
  t.same(readdirSync(join(project, 'gen-ts')).sort(), ['api.gen.ts', 'driver.gen.ts', 'entry.gen.ts', 'errors.gen.ts', 'keepalive-program.gen.ts', 'procedures.gen.ts', 'remote-program.gen.ts']);
  const docs = run(bin('tsvirt-bindgen'), ['--lang', 'docs', '--out', 'gen-docs', 'api.xml']);
  t.equal(docs.rc, 0, docs.err);
  t.ok(existsSync(join(project, 'gen-docs/README.md')), 'the API reference is written');
});

/** The README of each of `pkgs`, as it was published. */
const readmes = (pkgs) => pkgs.map((pkg) => join(project, 'node_modules/@tsvirt', pkg, 'README.md')).filter((f) => existsSync(f))
  .map((f) => ({ pkg: f.split('/').at(-2), text: readFileSync(f, 'utf8') }));

/** The repository's own README, whose example uses the packages as published. */
const repositoryReadme = {
  pkg: 'repository', text: readFileSync(join(root, 'README.md'), 'utf8'),
  // what its event loop must have seen, in order, before the domain stopped
  output: /^test SUSPENDED\ntest RESUMED\ntest STOPPED$/m,
};

/** Type-check, then run, the README examples of `pkgs` (and `more`) in the consumer project. */
async function readmeExamples(t, pkgs, more = []) {
  const examples = [...readmes(pkgs), ...more];
  for (const { pkg, text } of examples) {
    const code = typescriptExample(text);
    if (code) writeFileSync(join(project, `readme-${pkg}.ts`), code);
  }
  const checked = run(bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
  t.equal(checked.rc, 0, 'typed-consumer.ts and the README examples type-check', { out: checked.out });
  const ts = createRequire(join(project, 'package.json'))('typescript');
  for (const { pkg, text, output } of examples) {
    const tsCode = typescriptExample(text);
    const shell = shellCommands(text, pkg);
    if (!tsCode && !shell.length) { t.todo(`${pkg}: its README has no example yet`); continue; }
    if (tsCode) {
      const js = ts.transpileModule(tsCode, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
      writeFileSync(join(project, `readme-${pkg}.mjs`), js);
      const r = run('node', [`readme-${pkg}.mjs`]);
      t.equal(r.rc, 0, `${pkg}: the README's TypeScript example runs`, { out: r.out, err: r.err });
      if (output) t.match(r.out, output, `${pkg}: the README's example prints what it says`);
    }
    for (const command of shell) {
      if (!existsSync(bin(toolOf(command)))) { t.skip(`${pkg}: \`${command}\` needs ${toolOf(command)}, not installed here`); continue; }
      const r = run('sh', ['-c', command]);
      t.equal(r.rc, 0, `${pkg}: \`${command}\``, { out: r.out, err: r.err });
    }
  }
}

await t.test('TypeScript code compiles against the published types, and each installed package\'s README example runs', (t) => readmeExamples(t, requested, [repositoryReadme]));

// Last, as a user adds a driver later: the QEMU driver and the native module, each
// installed on request beside core, and their README examples.
const later = ['driver-qemu', 'hv-native'].filter((p) => tarballOf[p]);
await t.test('drivers installed later run their README examples', { skip: existsSync('/usr/bin/qemu-system-x86_64') ? false : 'needs qemu-system-x86_64' }, async (t) => {
  const r = run('npm', ['install', '--no-package-lock', ...later.map((p) => tarballOf[p])], project, 900_000);
  t.equal(r.rc, 0, `npm install ${later.join(' ')}`, { err: r.err.slice(-4000) });
  await readmeExamples(t, later);
});
