// Each package's engines say which Node versions it runs on: every dependency it installs
// must run on all of them too (a dependency that wants a newer Node makes the claim false).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';

const root = new URL('../../', import.meta.url).pathname;
const json = (path) => JSON.parse(readFileSync(path, 'utf8'));

/** The lowest version a range like ">=20", ">=20.5.0" or "^18 || >=20" admits at or above `floor`. */
function lowestFrom(range, floor) {
  let best = null;
  for (const alt of range.split('||').map((a) => a.trim())) {
    const m = /^(>=|\^|~)?\s*v?(\d+)(?:\.(\d+|x))?(?:\.(\d+|x))?$/.exec(alt);
    if (!m) return undefined;
    const v = [Number(m[2]), Number(m[3]) || 0, Number(m[4]) || 0];
    const upper = m[1] === '>=' ? [Infinity, 0, 0] : m[1] === '~' ? [v[0], v[1] + 1, 0] : [v[0] + 1, 0, 0];
    const lo = cmp(v, floor) > 0 ? v : floor;
    if (cmp(lo, upper) < 0 && (!best || cmp(lo, best) < 0)) best = lo;
  }
  return best;
}
const cmp = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
const versionOf = (range) => {
  const m = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : null;
};

t.test('ranges are read as npm reads them', async (t) => {
  t.same(lowestFrom('>=18', [20, 0, 0]), [20, 0, 0]);
  t.same(lowestFrom('>=22', [20, 0, 0]), [22, 0, 0], 'a newer floor');
  t.same(lowestFrom('^18.17.0 || >=20.5.0', [20, 0, 0]), [20, 5, 0], 'Node 20.0-20.4 left out');
  t.same(lowestFrom('^18 || ^20 || >= 21', [20, 0, 0]), [20, 0, 0]);
  t.equal(lowestFrom('20 - 22', [20, 0, 0]), undefined, 'a form this test does not read');
});

for (const name of readdirSync(join(root, 'packages'))) {
  let pkg;
  try {
    pkg = json(join(root, 'packages', name, 'package.json'));
  } catch {
    continue;
  }
  t.test(pkg.name, async (t) => {
    const floor = versionOf(pkg.engines?.node ?? '');
    t.ok(floor, `engines.node is a ">=" range: ${pkg.engines?.node}`);
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      // pnpm links each direct dependency into the package's own node_modules
      const wants = json(join(root, 'packages', name, 'node_modules', dep, 'package.json')).engines?.node;
      if (!wants) continue;
      const lowest = lowestFrom(wants, floor);
      t.same(lowest, floor, `${dep} (node ${wants}) runs on Node ${floor.join('.')}, the oldest ${pkg.name} claims`);
    }
  });
}
