import { fileURLToPath } from 'node:url';
import t from 'tap';
import { emitters, readApiXml, type Emitter } from '../src/index.js';
import { run } from '../src/generate.js';

// A language of one's own is one more emitter: this one, written here and nowhere else,
// goes through the same entry point as the project's own.
const api = readApiXml(fileURLToPath(new URL('../../../api.xml', import.meta.url)));

t.test('a third emitter, given only the interface, runs beside the project\'s own', async (t) => {
  const csv: Emitter = {
    name: 'csv',
    description: 'every remote call: object, method, procedure number, access',
    emit: (a, outDir) => [{
      path: `${outDir}/calls.csv`,
      text: a.objects.flatMap((o) => o.methods.filter((m) => m.proc !== null).map((m) => `${o.name},${m.name},${m.proc},${m.access}`)).join('\n'),
    }],
  };
  const files = run([csv, ...emitters.filter((e) => e.name === 'python')], api, (e) => `/out/${e.name}`);
  const mine = files.find((f) => f.path === '/out/csv/calls.csv');
  t.ok(mine, 'the emitter\'s file comes back with the others');
  const rows = mine!.text.split('\n');
  t.equal(rows.length, api.objects.flatMap((o) => o.methods).filter((m) => m.proc !== null).length, 'one row per remote call');
  t.ok(rows.includes('Domain,suspend,34,write'), 'rows carry api.xml\'s facts');
  t.ok(files.some((f) => f.path === '/out/python/libvirt.py'), 'the project\'s emitters run beside it');
  t.strictSame(emitters.map((e) => e.name), ['ts', 'docs', 'python', 'perl'], 'the project\'s own languages');
});
