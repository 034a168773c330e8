import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { readApiXml } from '../src/index.js';

// Every call and constant of api.xml is in both generated bindings, under the name that
// libvirt-python and Sys::Virt give it, with libvirt's value: asked of the real libraries.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const api = readApiXml(join(root, 'api.xml'));
const python = '/usr/bin/python3';
const has = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

/** What a library answers for a list of [class or package, name] probes: each name's value, or null when it lacks it. */
function probe(cmd: string, script: string, items: unknown, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const r = spawnSync(cmd, [cmd === 'perl' ? '-e' : '-c', script], {
    input: JSON.stringify(items), encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

const PY_PROBE = `
import json, sys, libvirt
out = {}
for cls, name in json.load(sys.stdin):
    holder = libvirt if cls == "" else getattr(libvirt, cls)
    v = getattr(holder, name, None)
    out[cls + "." + name] = None if v is None else (v if isinstance(v, int) else "callable")
print(json.dumps(out))`;

const PERL_PROBE = `
use strict; use JSON::PP; use Sys::Virt;
my $in = decode_json(do { local $/; <STDIN> });
my %out;
for my $p (@$in) {
    my ($pkg, $name) = @$p;
    no strict 'refs';
    my $code = $pkg->can($name);
    my $v = $code && $name =~ /^[A-Z]/ ? $code->() : ($code ? "callable" : undef);
    $out{"$pkg.$name"} = $v;
}
print encode_json(\\%out);`;

// virStream is not an object of api.xml (a stream is a Node Duplex in TypeScript): the bindings
// write it by hand, once for every call that opens a stream, and it is checked here name by name.
const STREAM_PY = [['virConnect', 'newStream'], ...['connect', 'recv', 'recvFlags', 'send', 'recvHole', 'sendHole', 'finish', 'abort',
  'recvAll', 'sendAll', 'sparseRecvAll', 'sparseSendAll', 'eventAddCallback', 'eventUpdateCallback', 'eventRemoveCallback'].map((n) => ['virStream', n])];
const STREAM_PERL = [['Sys::Virt', 'new_stream'], ...['recv', 'send', 'recv_hole', 'send_hole', 'finish', 'abort', 'recv_all', 'send_all',
  'sparse_recv_all', 'sparse_send_all', 'add_callback', 'update_callback', 'remove_callback'].map((n) => ['Sys::Virt::Stream', n])];
const STREAM_CONSTANTS = [['NONBLOCK', 1], ['EVENT_READABLE', 1], ['EVENT_WRITABLE', 2], ['EVENT_ERROR', 4], ['EVENT_HANGUP', 8], ['RECV_STOP_AT_HOLE', 1]] as const;

const pyCalls = api.objects.flatMap((o) => [
  ...o.properties.filter((p) => p.python && p.python !== '-').map((p) => [o.python!, p.python!]),
  // python="virDomain.revertToSnapshot": the call lives on another class
  ...o.methods.filter((m) => m.python && m.python !== '-')
    .map((m) => (m.python!.includes('.') ? m.python!.split('.', 2) : [o.python!, m.python!])),
  // What a call that opens a stream needs: the connection's newStream and libvirt-python's whole virStream.
  ...(o.methods.some((m) => m.returns.name === 'stream') ? STREAM_PY : []),
]);
const pyConstants = [
  ...api.enums.flatMap((e) => e.values.map((v) => [`${e.prefix}${v.name}`, v.value] as const)),
  ...api.errors.codes.map((c) => [`VIR_ERR_${c.name}`, c.value] as const),
  ...api.errors.domains.map((d) => [`VIR_FROM_${d.name}`, d.value] as const),
  ...STREAM_CONSTANTS.map(([n, v]) => [`VIR_STREAM_${n}`, v] as const),
];

t.test('Python: api.xml\'s names are libvirt-python\'s, and the binding has every one', { skip: has(python, ['-c', 'import libvirt']) ? false : `needs libvirt-python for ${python}` }, async (t) => {
  const items = [...pyCalls, ...pyConstants.map(([n]) => ['', n])];
  const real = probe(python, PY_PROBE, items, { PYTHONPATH: '' });
  const ours = probe(python, PY_PROBE, items, { PYTHONPATH: join(root, 'bindings/python') });
  const key = (c: string, n: string) => `${c}.${n}`;
  t.strictSame(pyCalls.filter(([c, n]) => real[key(c!, n!)] === null).map(([c, n]) => key(c!, n!)), [], 'no name that libvirt-python lacks');
  t.strictSame(pyCalls.filter(([c, n]) => ours[key(c!, n!)] === null).map(([c, n]) => key(c!, n!)), [], 'the binding has every call');
  const wrong = pyConstants.filter(([n, v]) => ours[key('', n)] !== v || (real[key('', n)] !== null && real[key('', n)] !== v));
  t.strictSame(wrong, [], 'every constant, with libvirt\'s value');
  t.ok(pyCalls.length > 150 && pyConstants.length > 500, `${pyCalls.length} calls and ${pyConstants.length} constants checked`);
});

const perlCalls = api.objects.flatMap((o) => [
  ...o.properties.filter((p) => p.perl && p.perl !== '-').map((p) => [o.perl!, p.perl!]),
  ...o.methods.filter((m) => m.perl && m.perl !== '-').map((m) => [o.perl!, m.perl!]),
  ...(o.methods.some((m) => m.returns.name === 'stream') ? STREAM_PERL : []),
]);
const perlConstants = [
  ...api.enums.filter((e) => e.perl).flatMap((e) => {
    const at = e.perl!.lastIndexOf('::');
    return e.values.map((v) => [e.perl!.slice(0, at), `${e.perl!.slice(at + 2)}${v.name}`, v.value] as const);
  }),
  ...api.errors.codes.map((c) => ['Sys::Virt::Error', `ERR_${c.name}`, c.value] as const),
  ...api.errors.domains.map((d) => ['Sys::Virt::Error', `FROM_${d.name}`, d.value] as const),
  ...STREAM_CONSTANTS.map(([n, v]) => ['Sys::Virt::Stream', n, v] as const),
];

t.test('Perl: api.xml\'s names are Sys::Virt\'s, and the binding has every one', { skip: has('perl', ['-MSys::Virt', '-e', '1']) ? false : 'needs Sys::Virt (Debian: libsys-virt-perl)' }, async (t) => {
  const items = [...perlCalls, ...perlConstants.map(([p, n]) => [p, n])];
  const real = probe('perl', PERL_PROBE, items, { PERL5LIB: '' });
  const ours = probe('perl', PERL_PROBE, items, { PERL5LIB: join(root, 'bindings/perl/lib') });
  const key = (p: string, n: string) => `${p}.${n}`;
  t.strictSame(perlCalls.filter(([p, n]) => real[key(p!, n!)] === null).map(([p, n]) => key(p!, n!)), [], 'no name that Sys::Virt lacks');
  t.strictSame(perlCalls.filter(([p, n]) => ours[key(p!, n!)] === null).map(([p, n]) => key(p!, n!)), [], 'the binding has every call');
  // Sys::Virt holds a flag of bit 31 as a signed integer: the same 32 bits.
  const same = (a: unknown, v: number) => typeof a === 'number' && (a - v) % 2 ** 32 === 0;
  const wrong = perlConstants.filter(([p, n, v]) => !same(ours[key(p, n)], v) || (real[key(p, n)] !== null && !same(real[key(p, n)], v)));
  t.strictSame(wrong, [], 'every constant, with libvirt\'s value');
  t.ok(perlCalls.length > 150, `${perlCalls.length} calls and ${perlConstants.length} constants checked`);
});

// The other way round: every call of api.xml that libvirt-python makes available (found by
// the C function its methods call) is in the binding under that method's name, so that a
// call api.xml gains without a python= name, or under another one, fails here.
const PY_BY_C = `
import inspect, json, re, libvirt
out = {}
for cname, cls in inspect.getmembers(libvirt, inspect.isclass):
    for mname, fn in inspect.getmembers(cls, inspect.isfunction):
        try:
            src = inspect.getsource(fn)
        except (OSError, TypeError):
            continue
        for c in set(re.findall(r"libvirtmod\\.(vir\\w+)\\(", src)):
            out.setdefault(c, []).append(cname + "." + mname)
print(json.dumps(out))`;

t.test('Python: every call of api.xml that libvirt-python offers is in the binding under libvirt-python\'s name', { skip: has(python, ['-c', 'import libvirt']) ? false : `needs libvirt-python for ${python}` }, async (t) => {
  const r = spawnSync(python, ['-c', PY_BY_C], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: '' }, timeout: 60_000 });
  const real = JSON.parse(r.stdout) as Record<string, string[]>;
  const cNames = api.objects.flatMap((o) => [...o.methods, ...o.properties].map((m) => m.c).filter((c): c is string => !!c));
  const wanted = [...new Set(cNames.flatMap((c) => real[c] ?? []))].map((n) => n.split('.', 2));
  const ours = probe(python, PY_PROBE, wanted, { PYTHONPATH: join(root, 'bindings/python') });
  t.strictSame(wanted.filter(([c, n]) => ours[`${c}.${n}`] === null).map(([c, n]) => `${c}.${n}`), [], 'none missing');
  t.ok(wanted.length > 150, `${wanted.length} of libvirt-python's methods checked`);
});
