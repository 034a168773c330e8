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

t.test('CPU maps: the call member that sizes them and the field they carry are checked', async (t) => {
  t.throws(() => remoteFrom((x) => x.replace(/(<xdr-struct name="remote_domain_get_vcpus_args">[\s\S]*?<member name="maplen" type="int") carries="map-length"/, '$1 carries="max-items"')),
    /getVcpus \(DOMAIN_GET_VCPUS\): CPU maps in the reply need a call member with carries="map-length"/);
  t.throws(() => remoteFrom((x) => x.replace('carries="maps" field="affinity"', 'carries="maps" field="affinities"')), /VcpuInfo has no field 'affinities'/);
  t.throws(() => remoteFrom((x) => x.replace('field="online" bits="cpus"', 'field="online" bits="cores"')), /bits="cores" needs a CPU map and a field of that name/);
  const out = remoteFrom((x) => x);
  t.match(out, /name: 'DOMAIN_GET_VCPU_PIN_INFO'.*reply: \{ kind: 'maps', maps: 'cpumaps', field: 'cpus', index: 'vcpu', info: null, mapLength: 'maplen', maxItems: 'ncpumaps', counts: \['num'\] \}/);
  t.match(out, /name: 'CONNECT_GET_ALL_DOMAIN_STATS'.*\{ api: 'domain', member: 'dom', shape: \{ k: 'byUuid'/);
});

t.test("an unmapped procedure's reason may hold any text: quotes, apostrophes and backslashes are escaped", async (t) => {
  const out = remoteFrom((x) => x.replace(/(<procedure name="STORAGE_VOL_GET_PATH" [^>]*) served="session"/, '$1 unmapped="the volume&apos;s &quot;path&quot; \\"'));
  t.match(out, String.raw`why: 'the volume\'s "path" \\' }`);
});
