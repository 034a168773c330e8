import t from 'tap';
import { ConnectListAllSecretsFlags as F, SecretUsageType, open, type Connect, type VirError } from '@tsvirt/core';
import { libvirtModuleMissing, libvirtdMissing, startPrivateLibvirtd } from '../../core/test/fixtures/private-libvirtd.js';
import { startDaemon } from './fixtures/daemon-harness.js';

// Secrets answer as libvirt's secret driver answers: the same script of calls is run against
// libvirt 9.0's own secret driver (a private libvirtd with its secret module, reached through
// tsvirt's client over libvirt's REMOTE program), against tsvirt's test driver in process,
// and through tsvirtd; the answers (values, XML, errors with their codes and words) must agree.

const VOL = '11111111-1111-4111-8111-111111111111';
const CEPH = '22222222-2222-4222-8222-222222222222';
const NONE = '33333333-3333-4333-8333-333333333333';
const secretXml = (attrs: string, uuid: string, usage = '', more = '') =>
  `<secret ${attrs}>${uuid ? `<uuid>${uuid}</uuid>` : ''}${more}${usage}</secret>`;
const volume = (path: string) => `<usage type='volume'><volume>${path}</volume></usage>`;

type Answer = { ok: unknown } | { err: [number, number, string] };
async function answer(f: () => Promise<unknown>): Promise<Answer> {
  try {
    const v = await f();
    return { ok: v instanceof Uint8Array ? [...v] : v };
  } catch (e) {
    const err = e as VirError;
    return { err: [err.code, err.domain, err.message] };
  }
}

/** The script: every call of the secret API, the rules on redefinition, private and ephemeral secrets, and the errors. */
async function script(c: Connect): Promise<Record<string, Answer>> {
  const out: Record<string, Answer> = {};
  const step = async (name: string, f: () => Promise<unknown>) => { out[name] = await answer(f); };
  const ref = async (uuid: string) => c.lookupSecretByUUID(uuid);
  const refText = (s: { uuid: string; usageType: number; usageID: string }) => `${s.uuid} ${s.usageType} ${s.usageID}`;
  await step('define volume', async () => refText(await c.defineSecretXML(secretXml("ephemeral='no' private='no'", VOL, volume('/images/a.img'), '<description>LUKS &amp; co</description>'))));
  await step('define ceph, private and ephemeral', async () => refText(await c.defineSecretXML(secretXml("ephemeral='yes' private='yes'", CEPH, "<usage type='ceph'><name>client.admin secret</name></usage>"))));
  await step('define without usage', async () => refText(await c.defineSecretXML(secretXml('', NONE))));
  await step('xml', async () => (await ref(VOL)).getXMLDesc());
  await step('xml of the ceph secret', async () => (await ref(CEPH)).getXMLDesc());
  await step('xml without usage', async () => (await ref(NONE)).getXMLDesc());
  await step('value not yet set', async () => (await ref(VOL)).getValue());
  await step('set value', async () => (await ref(VOL)).setValue(new Uint8Array([0, 1, 0xfe, 0xff, 0x41])));
  await step('value', async () => (await ref(VOL)).getValue());
  await step('empty value', async () => (await ref(VOL)).setValue(new Uint8Array(0)));
  await step('set a private value', async () => (await ref(CEPH)).setValue(new TextEncoder().encode('hunter2')));
  await step('private value', async () => (await ref(CEPH)).getValue());
  await step('value flags', async () => (await ref(VOL)).getValue(1));
  await step('set value flags', async () => (await ref(VOL)).setValue(new Uint8Array([1]), 1));
  await step('xml flags', async () => (await ref(VOL)).getXMLDesc(1));
  await step('define flags', async () => c.defineSecretXML(secretXml('', ''), 2));
  await step('list flags', async () => c.listAllSecrets(16));
  await step('by usage', async () => refText(await c.lookupSecretByUsage(SecretUsageType.CEPH, 'client.admin secret')));
  await step('by usage, none', async () => c.lookupSecretByUsage(SecretUsageType.VOLUME, '/nope'));
  await step('by uuid, none', async () => c.lookupSecretByUUID('44444444-4444-4444-8444-444444444444'));
  await step('same usage, other uuid', async () => c.defineSecretXML(secretXml('', '', volume('/images/a.img'))));
  await step('same uuid, other usage', async () => c.defineSecretXML(secretXml('', VOL, volume('/images/b.img'))));
  await step('private made public', async () => c.defineSecretXML(secretXml("ephemeral='yes' private='no'", CEPH, "<usage type='ceph'><name>client.admin secret</name></usage>")));
  await step('redefined, value kept', async () => {
    await c.defineSecretXML(secretXml("ephemeral='no' private='no'", VOL, volume('/images/a.img')));
    return (await ref(VOL)).getValue();
  });
  for (const [name, xml] of [
    ['unknown usage', "<secret><usage type='bogus'><name>x</name></usage></secret>"],
    ['usage without type', '<secret><usage/></secret>'],
    ['ceph without name', "<secret><usage type='ceph'/></secret>"],
    ['volume without path', "<secret><usage type='volume'/></secret>"],
    ['iscsi without target', "<secret><usage type='iscsi'/></secret>"],
    ['tls without name', "<secret><usage type='tls'/></secret>"],
    ['vtpm without name', "<secret><usage type='vtpm'/></secret>"],
    ['bad ephemeral', "<secret ephemeral='maybe'/>"],
    ['bad private', "<secret private='1'/>"],
    ['bad uuid', '<secret><uuid>zzz</uuid></secret>'],
    ['other root', '<notsecret/>'],
  ] as const) await step(name, () => c.defineSecretXML(xml));
  for (const flags of [0, F.EPHEMERAL, F.NO_EPHEMERAL, F.PRIVATE, F.NO_PRIVATE, F.EPHEMERAL | F.NO_EPHEMERAL, F.NO_EPHEMERAL | F.NO_PRIVATE]) {
    await step(`list ${flags}`, async () => (await c.listAllSecrets(flags)).map((s) => s.uuid).sort());
  }
  await step('undefine', async () => (await ref(NONE)).undefine());
  await step('undefined', async () => ref(NONE));
  await step('undefine again', async () => c.lookupSecretByUUID(VOL).then(async (s) => { await s.undefine(); return s.undefine(); }));
  await step('undefine the rest', async () => (await ref(CEPH)).undefine());
  await step('list at the end', async () => (await c.listAllSecrets()).length);
  return out;
}

const missing = libvirtdMissing() || libvirtModuleMissing('secret');

t.test('tsvirt\'s secrets answer as libvirt 9.0\'s secret driver, in process and through tsvirtd', { skip: missing }, async (t) => {
  const libvirtd = await startPrivateLibvirtd({ modules: ['secret'] });
  t.teardown(() => libvirtd.stop());
  const reference = await open(libvirtd.unixUri('secret', '/system'));
  const expected = await script(reference);
  await reference.close();
  t.same(expected['define volume'], { ok: `${VOL} 1 /images/a.img` }, 'libvirt answered');
  t.match(expected.value, { ok: [0, 1, 254, 255, 65] }, 'bytes cross libvirt\'s program whole');

  const local = await open('test:///default');
  t.strictSame(await script(local), expected, 'test:///default in process');
  await local.close();

  const daemon = await startDaemon();
  t.teardown(() => daemon.stop());
  const remote = await open(`test+unix:///default?socket=${daemon.rw}`);
  t.strictSame(await script(remote), expected, 'test:///default through tsvirtd');
  await remote.close();
});

t.test('a read-only connection may look secrets up but not read, set or define them', async (t) => {
  const daemon = await startDaemon();
  t.teardown(() => daemon.stop());
  const rw = await open(`test+unix:///default?socket=${daemon.rw}`);
  const ro = await open(`test+unix:///default?socket=${daemon.ro}`);
  t.teardown(async () => { await ro.close(); await rw.close(); });
  const s = await rw.defineSecretXML(secretXml("ephemeral='no' private='no'", VOL, volume('/images/a.img')));
  await s.setValue(new TextEncoder().encode('hunter2'));
  const seen = await ro.lookupSecretByUUID(VOL);
  t.match(await seen.getXMLDesc(), /<volume>\/images\/a.img<\/volume>/);
  t.notMatch(await seen.getXMLDesc(), /hunter2|aHVudGVyMg/, 'the XML never holds the value');
  for (const [what, f] of [
    ['getValue', () => seen.getValue()],
    ['setValue', () => seen.setValue(new Uint8Array([1]))],
    ['defineSecretXML', () => ro.defineSecretXML(secretXml('', NONE))],
    ['undefine', () => seen.undefine()],
  ] as const) {
    await t.rejects(f(), { message: /read only access prevents vir/ }, what);
  }
  t.same([...await s.getValue()], [...new TextEncoder().encode('hunter2')], 'the read-write connection reads it');
  await s.undefine();
});
