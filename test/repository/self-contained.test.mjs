// The repository explains itself: no tracked file refers to folders outside the clone,
// to planning documents or issue numbers, or to the machine it was built on (the rules
// are in fixtures/references.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { EXEMPT, offencesIn } from './fixtures/references.mjs';

const root = new URL('../../', import.meta.url).pathname;
const own = ['test/repository/fixtures/references.mjs', 'test/repository/self-contained.test.mjs'];

t.test('the rules find what they are meant to find', async (t) => {
  const rule = (path, text) => offencesIn(path, text).map((o) => o.rule);
  t.same(rule('README.md', 'Read `../shared/DESIGN.md` first'), ['outside folder', 'planning document']);
  t.same(rule('bench/x.mjs', "// Issue 6's figures: pairs per second"), ['issue number']);
  t.same(rule('docs/x.md', 'as issue #12 asks'), ['issue number']);
  t.same(rule('src/x.ts', '// 40 µs, measured here'), ['build machine']);
  t.same(rule('src/x.ts', '// reaping is slow on these machines'), ['build machine']);
  t.same(rule('packages/a/test/x.test.ts', "const ref = '../../../../shared/reference/x';"), ['outside folder'],
    'a test that does not check that the folder exists');
  t.same(rule('packages/a/test/x.test.ts', "const ref = '../../../../shared/reference/x';\nskip: existsSync(ref) ? false : 'needs it'"), [],
    'a test that skips without the folder');
  t.same(rule('packages/a/src/x.ts', "const ref = '../shared/x'; existsSync(ref)"), ['outside folder'], 'only tests may check and skip');
  t.same(rule('LICENSE.md', 'patent issues, the machine it runs on'), [], 'plain words are fine');
});

t.test('no tracked file refers to anything outside the repository', { skip: existsSync(join(root, '.git')) ? false : 'not a git checkout (no list of tracked files)' }, async (t) => {
  const ls = spawnSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' });
  t.equal(ls.status, 0, 'git ls-files');
  const files = ls.stdout.split('\0').filter((f) => f && !own.includes(f) && !EXEMPT.some((re) => re.test(f)));
  t.ok(files.length > 100, `${files.length} files scanned`);
  const offences = [];
  for (const path of files) {
    let text;
    try {
      text = readFileSync(join(root, path), 'utf8');
    } catch {
      continue; // deleted in the work tree, not yet committed
    }
    if (text.includes('\0')) continue;
    offences.push(...offencesIn(path, text));
  }
  t.same(offences.map((o) => `${o.path}:${o.line}: ${o.rule} (${o.why}): ${o.text}`), []);
});
