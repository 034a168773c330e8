import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { exportsDiff, exportsOf, type ExportsLock } from '../src/exports-lock.js';

const root = new URL('../../../', import.meta.url).pathname;
const recorded = JSON.parse(readFileSync(join(root, 'exports.lock.json'), 'utf8')) as ExportsLock;
const now = exportsOf(join(root, 'packages'));

t.test('the built packages export exactly what exports.lock.json records', async (t) => {
  t.same(exportsDiff(recorded, now), []);
});

t.test('every entry point of every package is recorded, the core subpaths included', async (t) => {
  t.same(Object.keys(now).filter((e) => e.startsWith('@tsvirt/core')).sort(), ['@tsvirt/core', '@tsvirt/core/driver', '@tsvirt/core/protocol', '@tsvirt/core/xml']);
  t.ok(now['@tsvirt/core'].open?.startsWith('function open('), 'open is a function of the root entry point');
  t.match(now['@tsvirt/core']['Connect.lookupDomainByName'], /^lookupDomainByName\(name: string\): Promise<Domain>/, 'interface members are recorded one by one');
});

t.test('the root entry point is the application API: no driver, wire or XML internals', async (t) => {
  for (const internal of ['registerDriver', 'ConnectEntry', 'FrameDecoder', 'encodeJsonBody', 'parseDomainXml', 'relayStream', 'toVirError', 'DomainObject']) {
    t.equal(now['@tsvirt/core'][internal], undefined, `${internal} is not in @tsvirt/core`);
  }
});

t.test('a removed, changed or new name is reported with its entry point and name', async (t) => {
  const edited: ExportsLock = structuredClone(now);
  delete edited['@tsvirt/core'].open;
  edited['@tsvirt/core/xml'].parseDomainXml = 'function parseDomainXml(xml: string): unknown;';
  edited['@tsvirt/core/driver'].notExported = 'const notExported: number';
  delete edited['@tsvirt/core/protocol'];
  t.same(exportsDiff(edited, now).sort(), [
    "@tsvirt/core/driver: 'notExported' was removed (it was: const notExported: number)",
    '@tsvirt/core/protocol: a new entry point, not recorded',
    `@tsvirt/core/xml: 'parseDomainXml' changed: was 'function parseDomainXml(xml: string): unknown;', now '${now['@tsvirt/core/xml'].parseDomainXml}'`,
    "@tsvirt/core: 'open' is new, not recorded",
  ].sort());
});
