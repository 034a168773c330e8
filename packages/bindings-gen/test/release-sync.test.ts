import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';

// scripts/sync-api-version.mjs, the release step after `changeset version`, run on a
// scratch copy of the repository's layout: api.xml, its lock, core's package.json.
const root = new URL('../../../', import.meta.url).pathname;

const scratchDirs: string[] = [];
t.teardown(() => scratchDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function release(version: string, edit: (xml: string) => string = (x) => x) {
  const dir = mkdtempSync(join(tmpdir(), 'release-sync-'));
  scratchDirs.push(dir);
  mkdirSync(join(dir, 'scripts'));
  mkdirSync(join(dir, 'packages/core'), { recursive: true });
  copyFileSync(join(root, 'scripts/sync-api-version.mjs'), join(dir, 'scripts/sync-api-version.mjs'));
  symlinkSync(join(root, 'packages/bindings-gen'), join(dir, 'packages/bindings-gen'));
  writeFileSync(join(dir, 'packages/core/package.json'), JSON.stringify({ name: '@tsvirt/core', version }));
  writeFileSync(join(dir, 'api.xml'), edit(readFileSync(join(root, 'api.xml'), 'utf8')));
  copyFileSync(join(root, 'api.lock.json'), join(dir, 'api.lock.json'));
  const r = spawnSync(process.execPath, [join(dir, 'scripts/sync-api-version.mjs')], { cwd: dir, encoding: 'utf8' });
  const apiVersion = /<api\b[^>]*\bversion="([^"]+)"/.exec(readFileSync(join(dir, 'api.xml'), 'utf8'))?.[1];
  const lockVersion = JSON.parse(readFileSync(join(dir, 'api.lock.json'), 'utf8')).version;
  return { ...r, dir, apiVersion, lockVersion };
}
const lockedVersion = JSON.parse(readFileSync(join(root, 'api.lock.json'), 'utf8')).version as string;
const nextMinor = lockedVersion.replace(/^(\d+)\.(\d+)\..*$/, (_, a, b) => `${a}.${Number(b) + 1}.0`);
const nextMajor = `${Number(lockedVersion.split('.')[0]) + 1}.0.0`;

t.test('a release carries its version into api.xml, the generated code and api.lock.json', async (t) => {
  const r = release(nextMinor);
  t.equal(r.status, 0, r.stderr);
  t.equal(r.apiVersion, nextMinor);
  t.equal(r.lockVersion, nextMinor);
  t.match(readFileSync(join(r.dir, 'packages/core/src/gen/api.gen.ts'), 'utf8'), `API_VERSION = "${nextMinor}"`);
  t.match(readFileSync(join(r.dir, 'docs/api/README.md'), 'utf8'), `version ${nextMinor}`);
});

t.test('a break declared in api.xml without a major release is refused', async (t) => {
  const r = release(nextMinor, (x) => x.replace(/(<api\b[^>]*\bversion=")[^"]+"/, `$1${nextMajor}"`));
  t.equal(r.status, 1);
  t.match(r.stderr, `api.xml declares ${nextMajor}, above the release ${nextMinor}: a breaking API change needs a "major" changeset`);
  t.equal(r.lockVersion, lockedVersion, 'nothing was recorded');
});

t.test('a release that removes a released symbol is refused unless it is a major one', async (t) => {
  const removeValue = (x: string) => x.replace(/<value name="PMSUSPENDED" value="7"[^>]*\/>/, '');
  const minor = release(nextMinor, removeValue);
  t.equal(minor.status, 1);
  t.match(minor.stderr, /would break the released API[\s\S]*released symbol 'enum DomainState.PMSUSPENDED' was removed/);
  t.equal(minor.apiVersion, lockedVersion, 'api.xml is left as it was');
  const major = release(nextMajor, removeValue);
  t.equal(major.status, 0, major.stderr);
  t.equal(major.lockVersion, nextMajor);
});
