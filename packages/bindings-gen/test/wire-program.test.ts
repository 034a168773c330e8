import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { readApiXml } from '../src/index.js';
import { emitWireProgram } from '../src/emitters/typescript/emit-wire.js';

const apiXml = join(new URL('../../../', import.meta.url).pathname, 'api.xml');
const text = readFileSync(apiXml, 'utf8');

/** The REMOTE program's generated text from api.xml with `edit` applied. */
function remoteFrom(edit: (xml: string) => string): string {
  const api = readApiXml(apiXml, edit(text));
  return emitWireProgram(api, api.wire.find((p) => p.name === 'REMOTE')!, 'gen').text;
}

t.test("a procedure whose structures do not fit its API call fails the generator with its line", async (t) => {
  // libvirt's DOMAIN_GET_INFO reply loses a member the API's DomainInfo lacks
  t.throws(() => remoteFrom((x) => x.replace('<member name="nrVirtCpu" type="ushort"/>', '<member name="nrVirtCpus" type="ushort"/>')),
    /api\.xml:\d+: Domain\.getInfo \(DOMAIN_GET_INFO\) reply: member 'nrVirtCpus' has no field/);
  // a required API argument with no member to carry it
  t.throws(() => remoteFrom((x) => x.replace(/(<xdr-struct name="remote_domain_lookup_by_name_args">\s*)<member name="name" type="remote_nonnull_string"\/>/, '$1<member name="name" type="remote_nonnull_string" send="0"/>')),
    /required arguments name are not on the wire/);
  // a member out of place: the lookup's name where a number is due
  t.throws(() => remoteFrom((x) => x.replace(/(<xdr-struct name="remote_domain_lookup_by_id_args">\s*)<member name="id" type="int"\/>/, '$1<member name="id" type="remote_nonnull_string"/>')),
    /lookupDomainByID \(DOMAIN_LOOKUP_BY_ID\) id: 'int' meets XDR string/);
  t.throws(() => remoteFrom((x) => x.replace('<procedure name="DOMAIN_GET_INFO" number="16"', '<procedure name="DOMAIN_GET_INFO" number="916"')),
    /DOMAIN_GET_INFO \(916\) has no API method/);
});

t.test('a wire program refuses undeclared types and sizes, with their lines', async (t) => {
  t.throws(() => readApiXml(apiXml, text.replace('<member name="id" type="int"/>', '<member name="id" type="remote_nowhere"/>')), /XDR type 'remote_nowhere' of 'id' is not declared before it/);
  t.throws(() => readApiXml(apiXml, text.replace('max="REMOTE_DOMAIN_LIST_MAX"', 'max="REMOTE_NO_SUCH_MAX"')), /'REMOTE_NO_SUCH_MAX' is not a const of this program/);
  t.throws(() => readApiXml(apiXml, text.replace('<procedure name="DOMAIN_GET_INFO" number="16"', '<procedure name="DOMAIN_GET_INFO" number="17"')), /procedure number 17 is declared twice/);
});

t.test('the generated program: types as data, procedures with their correspondence', async (t) => {
  const out = remoteFrom((x) => x);
  t.match(out, /^\/\/ DO NOT EDIT: generated/);
  t.match(out, /export const REMOTE_PROGRAM = \{ number: 0x20008086, version: 1 \} as const;/);
  t.match(out, /export const remote_nonnull_domain: XdrType = \{ kind: 'struct', name: 'remote_nonnull_domain', fields: \[\{ name: 'name', type: remote_nonnull_string \}/);
  t.match(out, /number: 273, name: 'CONNECT_LIST_ALL_DOMAINS'.*argMap: \[\{ member: 'need_results', arg: null, send: 1/);
});
