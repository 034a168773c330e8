import type { ApiDef, StructDef, TypeRef } from '../../api-model.js';

/**
 * How libvirt-python hands each kind of answer back. Its wrappers are hand-written in
 * C, so the shapes are facts about that library, recorded here once: a struct is a
 * list of its fields unless named below, a lone boolean is 0 or 1, void is 0.
 * Each entry is a Python expression over `v` (the daemon's JSON value) and `self`.
 */
const STRUCT_SHAPES: Readonly<Record<string, string>> = {
  // virNodeGetInfo: memory in MiB, the rest as they come
  NodeInfo: '[v["model"], v["memory"] // 1024, v["cpus"], v["mhz"], v["nodes"], v["sockets"], v["cores"], v["threads"]]',
  SchedulerType: '(v["type"], v["nparams"])',
  DomainBlockStats: 'tuple(v[f] for f in ("rdReq", "rdBytes", "wrReq", "wrBytes", "errs"))',
  DomainInterfaceStats: 'tuple(v[f] for f in ("rxBytes", "rxPackets", "rxErrs", "rxDrop", "txBytes", "txPackets", "txErrs", "txDrop"))',
  NodeCPUMap: '(v["cpus"], list(_cpu_bools(v["online"], v["cpus"])), len(v["online"]))',
  DomainTime: '{"seconds": v["seconds"], "nseconds": v["nseconds"]}',
};

/** Lists of structs that libvirt-python turns into something else than a list of lists. */
const LIST_SHAPES: Readonly<Record<string, string>> = {
  MemoryStat: '_memory_stats(v, _MEMORY_STAT_TAGS)',
  VcpuInfo: '(lambda n: ([(x["number"], x["state"], x["cpuTime"], x["cpu"]) for x in v], [_cpu_bools(x["affinity"], n) for x in v]))(_host_cpu_count(self._conn))',
  VcpuPin: '(lambda n: [_cpu_bools(x["cpus"], n) for x in v])(_host_cpu_count(self._conn))',
  DomainDiskError: 'dict((x["disk"], x["error"]) for x in v)',
  DomainStatsRecord: '[(virDomain(self, _call(self._client, _LOOKUP_BY_UUID_PROC, [x["domain"]], "virDomainLookupByUUIDString")), x["params"]) for x in v]',
  NetworkDHCPLease: '[dict(x) for x in v]',
  // libvirt-python: {name: {"hwaddr": ..., "addrs": [{"type", "addr", "prefix"}]}}
  DomainInterface: 'dict((x["name"], {"hwaddr": x["hwaddr"], "addrs": [dict(a) for a in x["addrs"]]}) for x in v)',
};

/** Calls whose answer is a list of host CPUs as booleans (libvirt-python's cpumaps). */
const CPUMAP_RETURNS = new Set(['virDomainGetEmulatorPinInfo']);

/** The Python expression that turns the daemon's value `v` into libvirt-python's answer. */
export function pythonReturn(api: ApiDef, c: string | null, t: TypeRef, wrap: (cls: string, expr: string) => string): string {
  if (c !== null && CPUMAP_RETURNS.has(c)) return '_cpu_bools(v, _host_cpu_count(self._conn))';
  switch (t.kind) {
    case 'object': {
      const cls = api.objects.find((o) => o.name === t.name)!.python!;
      return t.list ? `[${wrap(cls, 'x')} for x in v]` : wrap(cls, 'v');
    }
    case 'struct': {
      if (t.list) return LIST_SHAPES[t.name] ?? `[${structList(api, t.name, 'x')} for x in v]`;
      return STRUCT_SHAPES[t.name] ?? structList(api, t.name, 'v');
    }
    case 'primitive':
      if (t.name === 'void') return '0';
      if (t.name === 'boolean' && !t.list) return '_flag(v)';
      if (t.name === 'bytes') return '_bytes_value(v)';
      return 'v';
    default:
      return 'v';
  }
}

function structList(api: ApiDef, name: string, of: string): string {
  const s: StructDef = api.structs.find((x) => x.name === name)!;
  return `[${s.fields.map((f) => `${of}["${f.name}"]`).join(', ')}]`;
}

const NUMBERS = new Set(['int', 'uint', 'long', 'ulong', 'flags']);

/**
 * The Python expression that turns an argument into what travels: objects as their
 * references, strings and numbers checked with libvirt-python's TypeErrors.
 */
export function pythonArg(name: string, t: TypeRef, c: string | null, position: number): string {
  if (t.kind === 'object') return `(None if ${name} is None else ${name}._ref)`;
  if (!t.list && (t.name === 'string' || t.name === 'uuid')) return `_str_arg("${c}", ${position}, ${name})`;
  if (!t.list && (NUMBERS.has(t.name) || t.kind === 'enum')) return `(None if ${name} is None else _int_arg(${name}))`;
  // libvirt-python takes CPU sets as sequences of booleans; the daemon takes CPU numbers.
  if (t.name === 'uint' && t.list && c === 'virDomainPinVcpu') return `_cpu_numbers(${name})`;
  if (t.name === 'boolean') return `bool(${name})`;
  if (t.name === 'bytes') return `_bytes_arg("${c}", ${position}, ${name})`;
  return name;
}
