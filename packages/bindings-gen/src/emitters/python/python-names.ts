import type { ApiDef, ArgDef, MethodDef, ObjectDef } from '../../api-model.js';

const KEYWORDS = new Set(['from', 'in', 'is', 'as', 'def', 'class', 'global', 'lambda', 'pass', 'import', 'with', 'yield', 'del', 'not', 'or', 'and']);

/** An api.xml argument name as a Python parameter: libvirt-python's `frm` for `from`, say. */
export const pythonName = (name: string): string => (name === 'from' ? 'frm' : KEYWORDS.has(name) ? `${name}_` : name);

/** Every VIR_* constant with libvirt's value: enums and flags, error codes, domains and levels. */
export function pythonConstants(api: ApiDef): string {
  const lines: string[] = [];
  for (const e of api.enums) for (const v of e.values) lines.push(`${e.prefix}${v.name} = ${v.value}`);
  for (const c of api.errors.codes) lines.push(`VIR_ERR_${c.name} = ${c.value}`);
  for (const d of api.errors.domains) lines.push(`VIR_FROM_${d.name} = ${d.value}`);
  for (const l of api.errors.levels) lines.push(`VIR_ERR_${l.name} = ${l.value}`);
  return `${lines.join('\n')}\n`;
}

/**
 * libvirt-python keeps the older call without flags beside each *Flags call (create
 * beside createWithFlags, defineXML beside defineXMLFlags): the same call with only
 * the required arguments. None when the name is taken or libvirt has no such twin.
 */
export function shortVariant(o: ObjectDef, m: MethodDef): string | null {
  const py = m.python ?? '';
  const m2 = /^(.+?)(WithFlags|Flags)$/.exec(py);
  if (!m2 || !m.args.some((a) => a.type.name === 'flags')) return null;
  const short = m2[1]!;
  const taken = o.methods.some((x) => x.python === short) || o.properties.some((p) => p.python === short);
  return taken || NO_TWIN.has(py) ? null : short;
}

/** *Flags calls of libvirt-python that have no older twin. */
const NO_TWIN = new Set(['updateDeviceFlags', 'vcpusFlags']);

/** The arguments a Python caller passes (the object itself is self; listeners are Python callables). */
export const callerArgs = (m: MethodDef): ArgDef[] => m.args.filter((a) => a.type.kind !== 'listener');

/** Connection calls that the hand-written base class answers (sessions and event registrations). */
const CONNECTION_OWN = new Set(['domainEventRegisterAny', 'domainEventDeregisterAny', 'close', 'isAlive']);

/** The calls an object's class gets: those with a Python name that travel as one call. */
export function pythonMethods(o: ObjectDef): MethodDef[] {
  return o.methods.filter((m) => m.python && m.python !== '-' && m.proc !== null
    && !(o.name === 'Connect' && CONNECTION_OWN.has(m.python)));
}

/**
 * Where libvirt-python takes the stream of a call that opens one: as libvirt's C function
 * does, under its C name, first (virStorageVolUpload's `stream`) unless listed here.
 */
const STREAM_PARAMS: Readonly<Record<string, { name: string; at: number }>> = {
  virDomainOpenConsole: { name: 'st', at: 1 },
  virDomainOpenChannel: { name: 'st', at: 1 },
};

/** The stream parameter of a call that opens one, or null for other calls. */
export function streamParam(m: MethodDef): { name: string; at: number } | null {
  if (m.returns.name !== 'stream') return null;
  return STREAM_PARAMS[m.c ?? ''] ?? { name: 'stream', at: 0 };
}

/** A call's parameters as libvirt-python orders them: the stream, if it opens one, in its place. */
export function withStreamParam<T>(m: MethodDef, args: ArgDef[], stream: (name: string) => T, arg: (a: ArgDef) => T): T[] {
  const out = args.map(arg);
  const st = streamParam(m);
  if (st !== null) out.splice(st.at, 0, stream(st.name));
  return out;
}

/** Where a call lives in libvirt-python: its own class, or another one that api.xml names (`virDomain.revertToSnapshot`). */
export function pythonPlace(o: ObjectDef, m: MethodDef): { cls: string; name: string; moved: boolean } {
  const [cls, name] = m.python!.includes('.') ? m.python!.split('.', 2) as [string, string] : [o.python!, m.python!];
  return { cls, name, moved: cls !== o.python };
}
