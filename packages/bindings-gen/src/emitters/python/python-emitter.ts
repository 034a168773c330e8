import { readFileSync } from 'node:fs';
import type { ApiDef, ArgDef, MethodDef, ObjectDef } from '../../api-model.js';
import { BANNER_TEXT, type Emitter, type GeneratedFile } from '../emitter.js';
import { pythonArg, pythonReturn } from './python-shapes.js';
import { pythonStubs } from './python-stubs.js';
import { callerArgs, pythonConstants, pythonMethods, pythonName, pythonPlace, shortVariant, streamParam, withStreamParam } from './python-names.js';

const template = (name: string) => readFileSync(new URL(`../../../templates/python/${name}`, import.meta.url), 'utf8');
const banner = `# ${BANNER_TEXT}\n`;

/** libvirt's version number for an API level such as 9.0.0: 9000000. */
export function libvirtVersionNumber(level: string): number {
  const [major = 0, minor = 0, micro = 0] = level.split('.').map(Number);
  return major * 1_000_000 + minor * 1_000 + micro;
}

const param = (a: ArgDef) => (a.optional ? `${pythonName(a.name)}=${a.type.name === 'flags' ? '0' : 'None'}` : pythonName(a.name));

function signature(args: ArgDef[]): string {
  return ['self', ...args.map(param)].join(', ');
}

/** A stream-opening call's parameters: what comes before the stream has no default, as in libvirt-python. */
function streamSignature(m: MethodDef, args: ArgDef[]): string {
  const { at } = streamParam(m)!;
  return ['self', ...withStreamParam(m, args, (name) => name, param).map((p, i) => (i < at ? p.replace(/=.*$/, '') : p))].join(', ');
}

/** A call that opens a stream: the caller's virStream is checked, then carries the call's data. */
function streamMethodText(owner: ObjectDef, m: MethodDef, name: string, args: ArgDef[], doc: string): string {
  const st = streamParam(m)!;
  // Positions as libvirt-python counts them in its TypeErrors: the object first, the stream in its place.
  const wire = ['self._ref', ...args.map((a, i) => pythonArg(pythonName(a.name), a.type, m.c, i + 2 + (i >= st.at ? 1 : 0)))];
  return `    def ${name}(${streamSignature(m, args)}):\n${doc}`
    + `        _stream_arg(${st.name}, ${connOf(owner)}, "${m.c}")\n`
    + `        return _open_stream(${st.name}, ${clientOf(owner)}, ${m.proc}, [${wire.join(', ')}], "${m.c}")\n`;
}

/** The client that carries a call: the connection's own, or its object's connection's. */
const clientOf = (o: ObjectDef) => (o.name === 'Connect' ? 'self._client' : 'self._conn._client');
const connOf = (o: ObjectDef) => (o.name === 'Connect' ? 'self' : 'self._conn');

/** The parameter that stands for a moved call's own object: libvirt-python's `snap` for a snapshot. */
const movedParam = (o: ObjectDef) => (o.name === 'DomainSnapshot' ? 'snap' : o.name.toLowerCase());

/** A call as a method of `owner`'s class: its own object's, or another's that the call was moved to. */
function methodText(api: ApiDef, owner: ObjectDef, o: ObjectDef, m: MethodDef): string {
  const { name, moved } = pythonPlace(o, m);
  const args = callerArgs(m);
  const self = moved ? [`${movedParam(o)}._ref`] : o.name === 'Connect' ? [] : ['self._ref'];
  // Positions as libvirt-python counts them: its C wrapper takes the object first.
  const wire = [...self, ...args.map((a, i) => pythonArg(pythonName(a.name), a.type, m.c, i + 2))];
  const ret = pythonReturn(api, m.c, m.returns, (cls, expr) => `${cls}(${connOf(owner)}, ${expr})`);
  const call = `_call(${clientOf(owner)}, ${m.proc}, [${wire.join(', ')}], "${m.c}")`;
  const doc = m.doc ? `        """${m.doc.replace(/\s+/g, ' ').replace(/"""/g, "'''")}"""\n` : '';
  if (m.returns.name === 'stream') return streamMethodText(owner, m, name, args, doc);
  const body = ret === 'v' ? `        return ${call}\n` : ret === '0' ? `        ${call}\n        return 0\n` : `        v = ${call}\n        return ${ret}\n`;
  const movedArg: ArgDef = { name: movedParam(o), type: { name: o.name, list: false, kind: 'object' }, enumName: null, optional: false, doc: '', writeFlags: [] };
  let text = `    def ${name}(${signature(moved ? [movedArg, ...args] : args)}):\n${doc}${body}`;
  const short = moved ? null : shortVariant(o, m);
  if (short !== null) {
    const required = args.filter((a) => !a.optional);
    text += `\n    def ${short}(${signature(required)}):\n        return self.${name}(${required.map((a) => pythonName(a.name)).join(', ')})\n`;
  }
  return text;
}

/**
 * A domain's id changes as it starts and stops; libvirt's domain object follows it.
 * Asked of the daemon by UUID, the id is current; a domain that is gone keeps its last.
 */
const DOMAIN_ID = `    def ID(self):
        try:
            self._ref = self._conn._client.call(_LOOKUP_BY_UUID_PROC, [self._ref["uuid"]])
        except _rpc.WireError:
            pass
        return self._ref["id"]
`;

function classText(api: ApiDef, o: ObjectDef): string {
  const base = o.name === 'Connect' ? '_ConnectBase' : '_ObjectBase';
  const parts: string[] = [];
  for (const p of o.properties) {
    if (!p.python || p.python === '-') continue;
    // libvirt-python returns the object a name property names (storagePoolLookupByVolume),
    // found with the connection's lookup of that object by name
    const lookup = p.names ? api.objects.find((x) => x.name === 'Connect')!.methods
      .find((m) => m.returns.name === p.names && !m.returns.list && m.args.length === 1 && m.args[0].name === 'name') : undefined;
    const value = lookup ? `self._conn.${lookup.python}(self._ref["${p.name}"])` : `self._ref["${p.name}"]`;
    parts.push(o.name === 'Domain' && p.name === 'id' ? DOMAIN_ID : `    def ${p.python}(self):\n        return ${value}\n`);
  }
  for (const x of api.objects) {
    for (const m of pythonMethods(x)) if (pythonPlace(x, m).cls === o.python) parts.push(methodText(api, o, x, m));
  }
  const doc = o.doc ? `    """${o.doc.replace(/\s+/g, ' ')}"""\n\n` : '';
  return `class ${o.python}(${base}):\n${doc}${parts.join('\n')}`;
}

function moduleText(api: ApiDef): string {
  const eventByProc = api.events.map((e) => `${e.proc}: (${e.id}, [${e.fields.map((f) => `"${f.name}"`).join(', ')}])`).join(', ');
  const arity = api.events.map((e) => `${e.id}: ${e.fields.length}`).join(', ');
  const tags = api.enums.find((e) => e.name === 'DomainMemoryStatTags')?.values ?? [];
  const register = api.objects.find((o) => o.name === 'Connect')!.methods;
  const procOf = (py: string) => register.find((m) => m.python === py)?.proc ?? 'None';
  return [
    banner,
    `"""libvirt-python's module, generated from ${api.name}'s api.xml: the same names, constants,\nreturn shapes and errors, served by tsvirtd."""\n`,
    template('libvirt-prelude.py'),
    `\n_LIB_VERSION = ${libvirtVersionNumber(api.libvirt)}\n`,
    pythonConstants(api),
    `_DOMAIN_LABELS = {${api.errors.domains.map((d) => `${d.value}: ${JSON.stringify(d.label)}`).join(', ')}}`,
    `_MEMORY_STAT_TAGS = {${tags.map((t) => `${t.value}: "${t.name.toLowerCase()}"`).join(', ')}}`,
    `_EVENT_BY_PROC = {${eventByProc}}`,
    `_EVENT_ARITY = {${arity}}`,
    `_EVENT_REGISTER_PROC = ${procOf('domainEventRegisterAny')}`,
    `_EVENT_DEREGISTER_PROC = ${procOf('domainEventDeregisterAny')}`,
    `_CPU_MAP_PROC = ${procOf('getCPUMap')}`,
    `_LOOKUP_BY_UUID_PROC = ${procOf('lookupByUUIDString')}\n\n`,
    api.objects.map((o) => classText(api, o)).join('\n\n'),
  ].join('\n');
}

/** Python: libvirt-python's module over tsvirtd (bindings/python/). */
export const pythonEmitter: Emitter = {
  name: 'python',
  description: 'bindings/python: libvirt.py (libvirt-python\'s interface), its type stubs and the wire module, standard library only',
  emit: (api, outDir) => [
    { path: `${outDir}/README.md`, text: `<!-- ${BANNER_TEXT} -->\n${template('README.md')}` },
    { path: `${outDir}/libvirt.py`, text: moduleText(api) },
    { path: `${outDir}/libvirt.pyi`, text: `${banner}${pythonStubs(api)}` },
    { path: `${outDir}/tsvirt_rpc.py`, text: `${banner}${template('tsvirt_rpc.py')}` },
    { path: `${outDir}/libvirtaio.py`, text: `${banner}${template('libvirtaio.py')}` },
  ] satisfies GeneratedFile[],
};
