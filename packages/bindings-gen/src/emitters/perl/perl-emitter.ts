import { readFileSync } from 'node:fs';
import type { ApiDef, ArgDef, MethodDef, ObjectDef, TypeRef } from '../../api-model.js';
import { BANNER_TEXT, type Emitter, type GeneratedFile } from '../emitter.js';

const template = (name: string) => readFileSync(new URL(`../../../templates/perl/${name}`, import.meta.url), 'utf8');
const banner = `# ${BANNER_TEXT}\n`;

/** Connection calls that the hand-written part of Sys::Virt answers (sessions and event registrations). */
const CONNECTION_OWN = new Set(['domain_event_register_any', 'domain_event_deregister_any', 'is_alive']);

/** The calls an object's package gets: those with a Perl name that travel as one call. */
export function perlMethods(o: ObjectDef): MethodDef[] {
  return o.methods.filter((m) => m.perl && m.perl !== '-' && m.proc !== null
    && !(o.name === 'Connect' && CONNECTION_OWN.has(m.perl)));
}

const perlPackage = (o: ObjectDef) => o.perl!;
/** The file of a package under lib/: Sys::Virt::Domain is Sys/Virt/Domain.pm. */
const fileOf = (pkg: string) => `lib/${pkg.split('::').join('/')}.pm`;

/** How an argument travels: objects as their references, booleans as JSON booleans. */
function perlArg(a: ArgDef): string {
  const v = `$${a.name}`;
  if (a.type.kind === 'object') return `(defined ${v} ? ${v}->{ref} : undef)`;
  if (a.type.name === 'boolean') return `Sys::Virt::_bool(${v})`;
  if (a.type.name === 'flags') return `(${v} || 0)`;
  if (a.type.name === 'bytes') return `Sys::Virt::_bytes_out(${v})`;
  return v;
}

/** Sys::Virt's answer from the daemon's value $v: objects blessed, states as lists, booleans 1/0. */
function perlReturn(api: ApiDef, t: TypeRef, conn: string): string {
  if (t.kind === 'object') {
    const pkg = perlPackage(api.objects.find((o) => o.name === t.name)!);
    return t.list ? `return map { ${pkg}->_new(${conn}, $_) } @$v;` : `return ${pkg}->_new(${conn}, $v);`;
  }
  if (t.name === 'void') return 'return;';
  if (t.name === 'boolean') return 'return $v ? 1 : 0;';
  if (t.name === 'bytes') return 'return Sys::Virt::_bytes_in($v);';
  // virDomainGetState: Sys::Virt returns the state and the reason as a list.
  if (t.name === 'DomainStateInfo') return 'return ($v->{state}, $v->{reason});';
  if (t.list) return 'return @$v;';
  return 'return $v;';
}

function methodText(api: ApiDef, o: ObjectDef, m: MethodDef): string {
  const args = m.args.filter((a) => a.type.kind !== 'listener');
  const isConn = o.name === 'Connect';
  const client = isConn ? '$self->{client}' : '$self->{conn}{client}';
  const conn = isConn ? '$self' : '$self->{conn}';
  const wire = [...(isConn ? [] : ['$self->{ref}']), ...args.map(perlArg)];
  if (m.returns.name === 'stream') {
    // Sys::Virt takes the stream first ($dom->open_console($st, $devname, $flags)), checks it, and returns nothing (undef when it is not a stream, as its XS check does).
    const params = ['$self', '$st', ...args.map((a) => `$${a.name}`)].join(', ');
    return `sub ${m.perl} {\n    my (${params}) = @_;\n    Sys::Virt::Stream::_check($st, ${conn}, '${perlPackage(o)}::${m.perl}') or return undef;\n`
      + `    $st->{wire} = Sys::Virt::_open_stream(${client}, ${m.proc}, [${wire.join(', ')}]);\n    return;\n}\n`;
  }
  const params = ['$self', ...args.map((a) => `$${a.name}`)].join(', ');
  return `sub ${m.perl} {\n    my (${params}) = @_;\n    my $v = Sys::Virt::_call(${client}, ${m.proc}, [${wire.join(', ')}]);\n    ${perlReturn(api, m.returns, conn)}\n}\n`;
}

/** `use constant` lines for every enum value that Sys::Virt names in this package. */
function constantsOf(api: ApiDef, pkg: string): string {
  const lines: string[] = [];
  for (const e of api.enums) {
    if (!e.perl) continue;
    const at = e.perl.lastIndexOf('::');
    if (e.perl.slice(0, at) !== pkg) continue;
    const prefix = e.perl.slice(at + 2);
    for (const v of e.values) lines.push(`use constant ${prefix}${v.name} => ${v.value};`);
  }
  return lines.length ? `${[...new Set(lines)].join('\n')}\n` : '';
}

function objectFile(api: ApiDef, o: ObjectDef): GeneratedFile {
  const pkg = perlPackage(o);
  const props = o.properties.filter((p) => p.perl && p.perl !== '-').map((p) => (o.name === 'Domain' && p.name === 'id' ? DOMAIN_ID
    : `sub ${p.perl} { $_[0]{ref}{${p.name}} }\n`));
  const text = [
    banner,
    `package ${pkg};\n\nuse strict;\nuse warnings;\n`,
    o.doc ? `# ${o.doc.replace(/\s+/g, ' ')}\n` : '',
    'sub _new { my ($class, $conn, $ref) = @_; return bless { conn => $conn, ref => $ref }, $class }\n',
    ...props,
    ...perlMethods(o).map((m) => methodText(api, o, m)),
    constantsOf(api, pkg),
    '1;\n',
  ].join('\n');
  return { path: fileOf(pkg), text };
}

/**
 * A domain's id changes as it starts and stops; Sys::Virt's domain object follows it.
 * Asked of the daemon by UUID, the id is current; a domain that is gone keeps its last.
 */
const DOMAIN_ID = `sub get_id {
    my ($self) = @_;
    no warnings "once";
    my $ref = eval { $self->{conn}{client}->call($Sys::Virt::LOOKUP_BY_UUID_PROC, [$self->{ref}{uuid}]) };
    $self->{ref} = $ref if $ref;
    return $self->{ref}{id};
}
`;

function connectFile(api: ApiDef): GeneratedFile {
  const o = api.objects.find((x) => x.name === 'Connect')!;
  const procOf = (perl: string) => o.methods.find((m) => m.perl === perl)?.proc;
  const uses = api.objects.filter((x) => x !== o).map((x) => `use ${perlPackage(x)};`).join('\n');
  const [major = 0, minor = 0, micro = 0] = api.libvirt.split('.').map(Number);
  const text = [
    banner,
    template('Virt-prelude.pm'),
    `${uses}\n`,
    `our $VERSION = '${api.libvirt}';`,
    `our %EVENT_BY_PROC = (${api.events.map((e) => `${e.proc} => [${[e.id, ...e.fields.map((f) => `'${f.name}'`)].join(', ')}]`).join(', ')});`,
    `our %EVENT_ARITY = (${api.events.map((e) => `${e.id} => ${e.fields.length}`).join(', ')});`,
    `our $EVENT_REGISTER_PROC = ${procOf('domain_event_register_any')};`,
    `our $EVENT_DEREGISTER_PROC = ${procOf('domain_event_deregister_any')};`,
    `our $LOOKUP_BY_UUID_PROC = ${o.methods.find((m) => m.c === 'virDomainLookupByUUIDString')!.proc};\n`,
    `sub get_library_version { ${major * 1_000_000 + minor * 1_000 + micro} }\n`,
    ...perlMethods(o).filter((m) => m.perl !== 'get_library_version').map((m) => methodText(api, o, m)),
    constantsOf(api, 'Sys::Virt'),
    '1;\n',
  ].join('\n');
  return { path: fileOf('Sys::Virt'), text };
}

function errorFile(api: ApiDef): GeneratedFile {
  const consts = [
    ...api.errors.levels.map((l) => `use constant LEVEL_${l.name} => ${l.value};`),
    ...api.errors.domains.map((d) => `use constant FROM_${d.name} => ${d.value};`),
    ...api.errors.codes.map((c) => `use constant ERR_${c.name} => ${c.value};`),
  ];
  return { path: fileOf('Sys::Virt::Error'), text: `${banner}${template('Error-prelude.pm')}\n${consts.join('\n')}\n\n1;\n` };
}

/** Perl: Sys::Virt's modules over tsvirtd (bindings/perl/lib/), core modules only. */
export const perlEmitter: Emitter = {
  name: 'perl',
  description: 'bindings/perl: Sys::Virt and Sys::Virt::* (the libvirt Perl binding\'s interface) and the wire module, core Perl modules only',
  emit: (api, outDir) => [
    { path: 'README.md', text: `<!-- ${BANNER_TEXT} -->\n${template('README.md')}` },
    connectFile(api),
    ...api.objects.filter((o) => o.name !== 'Connect').map((o) => objectFile(api, o)),
    errorFile(api),
    { path: fileOf('Sys::Virt::Event'), text: `${banner}${template('Event.pm')}` },
    { path: fileOf('Sys::Virt::Stream'), text: `${banner}${template('Stream.pm')}` },
    { path: fileOf('Sys::Virt::RPC'), text: `${banner}${template('RPC.pm')}` },
  ].map((f) => ({ ...f, path: `${outDir}/${f.path}` })),
};
