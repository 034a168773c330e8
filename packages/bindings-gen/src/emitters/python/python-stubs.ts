import type { ApiDef, ArgDef, MethodDef, ObjectDef, TypeRef } from '../../api-model.js';
import { callerArgs, pythonMethods, pythonName, pythonPlace, shortVariant, withStreamParam } from './python-names.js';

/** A Python annotation for an api.xml type, as libvirt-python's answers have it. */
function pyType(api: ApiDef, t: TypeRef, isReturn: boolean): string {
  let base: string;
  switch (t.kind) {
    case 'object': base = api.objects.find((o) => o.name === t.name)!.python!; break;
    case 'enum': base = 'int'; break;
    case 'struct': return 'Any';
    default:
      base = ({ string: 'str', uuid: 'str', boolean: isReturn ? 'int' : 'bool', params: 'Dict[str, Any]', void: 'int', bytes: isReturn ? 'bytes' : 'Union[bytes, str]' } as Record<string, string>)[t.name] ?? 'int';
  }
  return t.list ? `List[${base}]` : base;
}

function stubArg(api: ApiDef, a: ArgDef): string {
  const t = pyType(api, a.type, false);
  return a.optional ? `${pythonName(a.name)}: Optional[${t}] = ...` : `${pythonName(a.name)}: ${t}`;
}

function methodStub(api: ApiDef, o: ObjectDef, m: MethodDef): string[] {
  const args = callerArgs(m);
  const ret = pyType(api, m.returns, true);
  const { name, moved } = pythonPlace(o, m);
  const own = moved ? [`obj: ${o.python}`] : [];
  const params = withStreamParam(m, args, (name) => `${name}: virStream`, (a) => stubArg(api, a));
  const out = [`    def ${name}(${['self', ...own, ...params].join(', ')}) -> ${ret}: ...`];
  const short = moved ? null : shortVariant(o, m);
  if (short !== null) out.push(`    def ${short}(${['self', ...args.filter((a) => !a.optional).map((a) => stubArg(api, a))].join(', ')}) -> ${ret}: ...`);
  return out;
}

/** The hand-written virStream (libvirt-python's), for every call that opens a stream. */
const STREAM_STUBS = [
  ...['NONBLOCK', 'EVENT_READABLE', 'EVENT_WRITABLE', 'EVENT_ERROR', 'EVENT_HANGUP', 'RECV_STOP_AT_HOLE'].map((n) => `VIR_STREAM_${n}: int`),
  'class virStream:',
  '    cb: Optional[Callable[..., None]]',
  '    def connect(self) -> virConnect: ...',
  '    def recv(self, nbytes: int) -> Any: ...',
  '    def recvFlags(self, nbytes: int, flags: int = ...) -> Any: ...',
  '    def send(self, data: bytes) -> int: ...',
  '    def recvHole(self, flags: int = ...) -> int: ...',
  '    def sendHole(self, length: int, flags: int = ...) -> int: ...',
  '    def finish(self) -> int: ...',
  '    def abort(self) -> int: ...',
  '    def recvAll(self, handler: Callable[[virStream, bytes, Any], Any], opaque: Any) -> None: ...',
  '    def sendAll(self, handler: Callable[[virStream, int, Any], bytes], opaque: Any) -> None: ...',
  '    def sparseRecvAll(self, handler: Callable[..., Any], holeHandler: Callable[..., Any], opaque: Any) -> None: ...',
  '    def sparseSendAll(self, handler: Callable[..., Any], holeHandler: Callable[..., Any], skipHandler: Callable[..., Any], opaque: Any) -> None: ...',
  '    def eventAddCallback(self, events: int, cb: Callable[[virStream, int, Any], None], opaque: Any) -> None: ...',
  '    def eventUpdateCallback(self, events: int) -> int: ...',
  '    def eventRemoveCallback(self) -> int: ...',
];

/** libvirt.pyi: type stubs for the generated module, so editors and mypy know its calls. */
export function pythonStubs(api: ApiDef): string {
  const lines = ['from typing import Any, Callable, Dict, List, Optional, Tuple, Union', ''];
  for (const e of api.enums) for (const v of e.values) lines.push(`${e.prefix}${v.name}: int`);
  for (const c of api.errors.codes) lines.push(`VIR_ERR_${c.name}: int`);
  for (const d of api.errors.domains) lines.push(`VIR_FROM_${d.name}: int`);
  lines.push(
    '',
    'ErrorTuple = Tuple[int, int, Optional[str], int, Optional[str], Optional[str], Optional[str], int, int]',
    'class libvirtError(Exception):',
    '    err: Optional[ErrorTuple]',
    ...['get_error_code', 'get_error_domain', 'get_error_level', 'get_int1', 'get_int2'].map((n) => `    def ${n}(self) -> Optional[int]: ...`),
    ...['get_error_message', 'get_str1', 'get_str2', 'get_str3'].map((n) => `    def ${n}(self) -> Optional[str]: ...`),
    '',
    'def open(name: Optional[str] = ...) -> virConnect: ...',
    'def openReadOnly(name: Optional[str] = ...) -> virConnect: ...',
    'def openAuth(uri: Optional[str], auth: Any, flags: int = ...) -> virConnect: ...',
    'def getVersion(name: Optional[str] = ...) -> int: ...',
    'def registerErrorHandler(f: Optional[Callable[[Any, ErrorTuple], None]], ctx: Any) -> int: ...',
    'def virGetLastError() -> Optional[ErrorTuple]: ...',
    'def virResetLastError() -> None: ...',
    'def virEventRegisterDefaultImpl() -> int: ...',
    'def virEventRunDefaultImpl() -> int: ...',
    '',
  );
  lines.push(...STREAM_STUBS, '');
  for (const o of api.objects) {
    lines.push(`class ${o.python}:`);
    if (o.name === 'Connect') {
      lines.push('    def close(self) -> int: ...', '    def isAlive(self) -> int: ...');
      lines.push('    def domainEventRegisterAny(self, dom: Optional[virDomain], eventID: int, cb: Callable[..., None], opaque: Any) -> int: ...');
      lines.push('    def domainEventDeregisterAny(self, callbackID: int) -> int: ...');
      lines.push('    def listDomainsID(self) -> List[int]: ...', '    def listDefinedDomains(self) -> List[str]: ...', '    def numOfDomains(self) -> int: ...');
      lines.push('    def newStream(self, flags: int = ...) -> virStream: ...');
      lines.push('    def registerCloseCallback(self, cb: Callable[[virConnect, int, Any], None], opaque: Any) -> int: ...', '    def unregisterCloseCallback(self) -> None: ...');
    } else {
      lines.push(`    def connect(self) -> virConnect: ...`);
    }
    for (const p of o.properties) {
      if (!p.python || p.python === '-') continue;
      const type = p.names ? pyType(api, { name: p.names, list: false, kind: 'object' }, true) : pyType(api, p.type, true);
      lines.push(`    def ${p.python}(self) -> ${type}: ...`);
    }
    for (const x of api.objects) {
      for (const m of pythonMethods(x)) if (pythonPlace(x, m).cls === o.python) lines.push(...methodStub(api, x, m));
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
