import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { SecretEventLifecycleType, type SecretRef } from '../src/index.js';
import { SecretStore } from '../src/entry-points/driver.js';

// A persistent secret store keeps what libvirt's secret driver keeps, where it keeps it:
// <uuid>.xml and <uuid>.base64, mode 0600 in a folder of mode 0700, replaced atomically;
// an ephemeral secret never reaches the disk; a restarted store finds its secrets again.

const UUID = '11111111-1111-4111-8111-111111111111';
const EPHEMERAL = '22222222-2222-4222-8222-222222222222';
const xml = (attrs: string, uuid: string, path: string) => `<secret ${attrs}><uuid>${uuid}</uuid><usage type='volume'><volume>${path}</volume></usage></secret>`;
const mode = (p: string) => statSync(p).mode & 0o777;

function scratch(t: Tap.Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'secret-store-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'secrets');
}

t.test('persistent secrets are files of mode 0600, found again by a new store; ephemeral ones are not written', async (t) => {
  const dir = scratch(t);
  const events: string[] = [];
  const store = await SecretStore.open(dir, {
    lifecycle: (ref: SecretRef, e: SecretEventLifecycleType) => events.push(`${ref.uuid} ${e === SecretEventLifecycleType.DEFINED ? 'defined' : 'undefined'}`),
    valueChanged: (ref: SecretRef) => events.push(`${ref.uuid} value`),
  });
  const s = await store.define(xml("ephemeral='no' private='yes'", UUID, '/images/a.img'), 0);
  await store.setValue(s, new Uint8Array([0, 0xff, 0x41]), 0);
  const e = await store.define(xml("ephemeral='yes' private='no'", EPHEMERAL, '/images/b.img'), 0);
  await store.setValue(e, new TextEncoder().encode('not on disk'), 0);

  t.equal(mode(dir), 0o700, 'the folder is its owner\'s alone');
  t.same(readdirSync(dir).sort(), [`${UUID}.base64`, `${UUID}.xml`], 'the persistent secret\'s two files, no temporary file, nothing of the ephemeral one');
  t.equal(mode(join(dir, `${UUID}.xml`)), 0o600);
  t.equal(mode(join(dir, `${UUID}.base64`)), 0o600);
  t.equal(readFileSync(join(dir, `${UUID}.base64`), 'utf8'), 'AP9B', 'the value in base64, as libvirt writes it');
  t.equal(readFileSync(join(dir, `${UUID}.xml`), 'utf8'), store.xml(s, 0));

  const again = await SecretStore.open(dir);
  t.same(again.list(0), [{ uuid: UUID, usageType: 1, usageID: '/images/a.img' }], 'a new store finds the persistent secret, not the ephemeral one');
  t.same([...again.getValue(s, 0, true)], [0, 0xff, 0x41], 'with its value, for the driver\'s own use');
  t.throws(() => again.getValue(s, 0), { message: 'Invalid secret: secret is private' }, 'but never for a caller');

  // redefined as ephemeral: its files go
  await store.define(xml("ephemeral='yes' private='yes'", UUID, '/images/a.img'), 0);
  t.same(readdirSync(dir), []);
  await store.undefine(e);
  t.same(events, [`${UUID} defined`, `${UUID} value`, `${EPHEMERAL} defined`, `${EPHEMERAL} value`, `${UUID} defined`, `${EPHEMERAL} undefined`]);
});

t.test('undefine removes both files; a broken file is skipped, the others load', async (t) => {
  const dir = scratch(t);
  const store = await SecretStore.open(dir);
  const s = await store.define(xml("ephemeral='no' private='no'", UUID, '/images/a.img'), 0);
  await store.setValue(s, new Uint8Array([7]), 0);
  writeFileSync(join(dir, `${EPHEMERAL}.xml`), '<secret', { mode: 0o600 });
  const warnings: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => { warnings.push(String(chunk)); return true; }) as typeof process.stderr.write;
  let reloaded: SecretStore;
  try {
    reloaded = await SecretStore.open(dir);
  } finally {
    process.stderr.write = write;
  }
  t.same(reloaded.list(0).map((r) => r.uuid), [UUID]);
  t.match(warnings.join(''), /Failed to load secret from .*22222222/);
  await reloaded.undefine(s);
  t.same(readdirSync(dir), [`${EPHEMERAL}.xml`], 'the secret\'s files are gone; the broken file stays for its owner to see');
});
