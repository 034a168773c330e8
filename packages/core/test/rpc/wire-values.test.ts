import t from 'tap';
import {
  eventFromWire, eventToWire, callArgsFromWire, callArgsToWire, decodeXdr, encodeXdr, errorFromWire, errorToWire, replyFromWire, replyToWire, type WireProcedure,
} from '../../src/rpc/index.js';
import { RemoteProcedure, remoteProcedureByNumber, remote_error } from '../../src/gen/remote-program.gen.js';
import { procedureByNumber } from '../../src/gen/procedures.gen.js';

const proc = (n: number): WireProcedure => remoteProcedureByNumber.get(n)!;
const dom = { name: 'test', uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f', id: 1 };

/** A call's API arguments through XDR bytes and back, as client and daemon see them. */
function callRoundTrip(p: WireProcedure, args: unknown[]): unknown[] {
  return callArgsFromWire(p, decodeXdr(p.args!, encodeXdr(p.args!, callArgsToWire(p, args))));
}
function replyRoundTrip(p: WireProcedure, value: unknown, self?: unknown): unknown {
  return replyFromWire(p, decodeXdr(p.ret!, encodeXdr(p.ret!, replyToWire(p, value, self))));
}

t.test('every API procedure of the REMOTE program names its call in the JSON table: by the same number, or an older variant by the call\'s', async (t) => {
  const api = [...remoteProcedureByNumber.values()].filter((p) => p.served === 'api');
  t.ok(api.length > 120, `${api.length} procedures served by API calls`);
  for (const p of api) t.equal(procedureByNumber.get(p.apiProc!)?.driverName, p.call, `${p.name} is ${p.call}`);
  t.equal(remoteProcedureByNumber.get(RemoteProcedure.DOMAIN_DESTROY)!.apiProc, RemoteProcedure.DOMAIN_DESTROY_FLAGS, 'virDomainDestroy is virDomainDestroyFlags without flags');
  t.equal(remoteProcedureByNumber.get(RemoteProcedure.DOMAIN_GET_INFO)!.apiProc, RemoteProcedure.DOMAIN_GET_INFO);
});

t.test('domain calls and replies cross XDR and come back as the API has them', async (t) => {
  const info = { state: 1, maxMem: 8388608, memory: 2097152, nrVirtCpu: 2, cpuTime: 2 ** 40 };
  t.same(callRoundTrip(proc(RemoteProcedure.DOMAIN_GET_INFO), [dom]), [dom]);
  t.same(replyRoundTrip(proc(RemoteProcedure.DOMAIN_GET_INFO), info), info);
  t.same(replyRoundTrip(proc(RemoteProcedure.CONNECT_LIST_ALL_DOMAINS), [dom, { ...dom, name: 'b', id: -1 }]), [dom, { ...dom, name: 'b', id: -1 }]);
  const listed = replyToWire(proc(RemoteProcedure.CONNECT_LIST_ALL_DOMAINS), [dom]) as { ret: number };
  t.equal(listed.ret, 1, 'the count member counts the list');
  t.same(callArgsToWire(proc(RemoteProcedure.CONNECT_LIST_ALL_DOMAINS), [undefined]), { need_results: 1, flags: undefined }, 'a client asks for the results');
  t.same(replyRoundTrip(proc(RemoteProcedure.DOMAIN_CREATE_WITH_FLAGS), { id: 3 }, { ...dom, id: 3 }), { ...dom, id: 3 }, 'create names the domain with its new id');
  t.same(replyRoundTrip(proc(RemoteProcedure.DOMAIN_GET_AUTOSTART), true), true, 'booleans as int');
  t.same(callRoundTrip(proc(RemoteProcedure.DOMAIN_PIN_VCPU_FLAGS), [dom, 1, [0, 2, 9], 0]), [dom, 1, [0, 2, 9], 0], 'a CPU list as a bitmap');
  t.same((callArgsToWire(proc(RemoteProcedure.DOMAIN_PIN_VCPU_FLAGS), [dom, 1, [0, 2, 9], 0]) as { cpumap: Buffer }).cpumap, Buffer.from([0b101, 0b10]));
  t.same(callRoundTrip(proc(RemoteProcedure.DOMAIN_DEFINE_XML), ['<domain/>', 2]), ['<domain/>'], 'an API argument that libvirt\'s call lacks stays behind');
});

t.test('structures, text in char arrays, typed parameters, optional strings', async (t) => {
  const node = { model: 'x86_64', memory: 16777216, cpus: 16, mhz: 1400, nodes: 2, sockets: 2, cores: 2, threads: 2 };
  t.same(replyRoundTrip(proc(RemoteProcedure.NODE_GET_INFO), node), node);
  t.throws(() => replyToWire(proc(RemoteProcedure.NODE_GET_INFO), { ...node, model: 'x'.repeat(32) }), { name: 'XdrError' }, 'char[32] keeps its NUL');
  t.same(replyRoundTrip(proc(RemoteProcedure.DOMAIN_GET_SECURITY_LABEL), { label: 'lbl', enforcing: true }), { label: 'lbl', enforcing: true });
  const params = { hard_limit: 9007199254740991, weight: 256, swap: -1, ratio: 0.5, on: true, name: 'x' };
  t.same(replyRoundTrip(proc(RemoteProcedure.DOMAIN_GET_MEMORY_PARAMETERS), params), params);
  t.same(replyRoundTrip(proc(RemoteProcedure.NODE_GET_CPU_STATS), { user: 5, idle: 7 }), { user: 5, idle: 7 });
  t.same(callRoundTrip(proc(RemoteProcedure.DOMAIN_SAVE_FLAGS), [dom, '/f', undefined, 0]), [dom, '/f', undefined, 0]);
  t.same(replyRoundTrip(proc(RemoteProcedure.NODE_DEVICE_GET_PARENT), undefined), undefined);
  t.same(callRoundTrip(proc(RemoteProcedure.NODE_DEVICE_GET_XML_DESC), [{ name: 'pci_0000_00_02_0' }, 0]), [{ name: 'pci_0000_00_02_0' }, 0], 'a node device by its name');
  t.same(callRoundTrip(proc(RemoteProcedure.DOMAIN_SNAPSHOT_GET_XML_DESC), [{ name: 's1', domain: 'test' }, 0]), [{ name: 's1', domain: 'test' }, 0], "a snapshot's domain by name");
});

t.test("typed parameters travel with the type libvirt gives their name (api.xml's table); other names by their value", async (t) => {
  const p = proc(RemoteProcedure.DOMAIN_GET_MEMORY_PARAMETERS);
  const typesOf = (params: object) => Object.fromEntries((replyToWire(p, params) as { params: { field: string; value: { type: number } }[] }).params.map((x) => [x.field, x.value.type]));
  // INT 1, UINT 2, LLONG 3, ULLONG 4, DOUBLE 5, BOOLEAN 6, STRING 7
  t.same(typesOf({ weight: 50, numa_mode: 0, hard_limit: 1, vcpu_quota: -1, device_weight: '', 'vcpu.12.time': 5, 'vcpu.0.halted': false, 'net.3.name': 'vnet0' }),
    { weight: 2, numa_mode: 1, hard_limit: 4, vcpu_quota: 3, device_weight: 7, 'vcpu.12.time': 4, 'vcpu.0.halted': 6, 'net.3.name': 7 });
  t.same(typesOf({ 'no.such': 3, other: -3, big: -(2 ** 40), ratio: 0.5, on: true, s: 'x' }), { 'no.such': 4, other: 1, big: 3, ratio: 5, on: 6, s: 7 });
  for (const [name, value] of [['weight', -1], ['weight', 2 ** 32], ['numa_mode', 0.5], ['hard_limit', 'lots'], ['device_weight', 3], ['vcpu.0.halted', 2]] as const) {
    t.throws(() => replyToWire(p, { [name]: value }), { name: 'XdrError', message: new RegExp(`typed parameter '${name.replace('.', '\\.')}' is libvirt's`) }, `${name}=${value}`);
  }
});

t.test('CPU maps laid out as the call asks, and read back by the same layout', async (t) => {
  const vcpus = proc(RemoteProcedure.DOMAIN_GET_VCPUS);
  const info = [{ number: 0, state: 1, cpuTime: 10, cpu: 3, affinity: [0, 3, 9] }, { number: 1, state: 1, cpuTime: 11, cpu: 1, affinity: [1] }];
  const call = { maxinfo: 3, maplen: 2 };
  const wire = replyToWire(vcpus, info, undefined, call) as { cpumaps: Buffer };
  t.same([...wire.cpumaps], [0b1001, 0b10, 0b10, 0, 0, 0], 'maxinfo maps of maplen bytes');
  t.same(replyFromWire(vcpus, decodeXdr(vcpus.ret!, encodeXdr(vcpus.ret!, wire)), call), info);
  t.same((replyToWire(vcpus, info, undefined, { maxinfo: 1, maplen: 1 }) as { info: unknown[] }).info.length, 1, 'no more items than the caller has room for');
  const pins = proc(RemoteProcedure.DOMAIN_GET_VCPU_PIN_INFO);
  const pinned = [{ vcpu: 0, cpus: [0, 1] }, { vcpu: 1, cpus: [7] }];
  t.same(replyFromWire(pins, replyToWire(pins, pinned, undefined, { ncpumaps: 2, maplen: 1 }), { maplen: 1 }), pinned);
  const emulator = proc(RemoteProcedure.DOMAIN_GET_EMULATOR_PIN_INFO);
  t.same(replyToWire(emulator, [2, 4], undefined, { maplen: 1 }), { cpumaps: Buffer.from([0b10100]), ret: 1 });
  const host = proc(RemoteProcedure.NODE_GET_CPU_MAP);
  t.same(replyToWire(host, { cpus: 12, online: [0, 2, 4] }), { cpumap: Buffer.from([0b10101, 0]), ret: 12, online: 3 }, "the host's map as long as its CPUs need");
  t.same(replyRoundTrip(host, { cpus: 12, online: [0, 2, 4] }), { cpus: 12, online: [0, 2, 4] });
  for (const bad of [{ maxinfo: 0, maplen: 1 }, { maxinfo: 1, maplen: 0 }, { maxinfo: 16385, maplen: 1 }, { maxinfo: 16384, maplen: 1024 }]) {
    t.throws(() => replyToWire(vcpus, info, undefined, bad), { name: 'XdrError' }, JSON.stringify(bad));
  }
});

t.test('events: the callback form carries the registration, the legacy form does not', async (t) => {
  const event = { kind: 'lifecycle', domain: dom, event: 5, detail: 1 };
  const cb = proc(RemoteProcedure.DOMAIN_EVENT_CALLBACK_LIFECYCLE);
  const wire = decodeXdr(cb.args!, encodeXdr(cb.args!, eventToWire(cb, 7, event)));
  t.same(eventFromWire(cb, wire), { callbackId: 7, event });
  const legacy = proc(RemoteProcedure.DOMAIN_EVENT_LIFECYCLE);
  t.same(eventFromWire(legacy, decodeXdr(legacy.args!, encodeXdr(legacy.args!, eventToWire(legacy, 7, event)))), { callbackId: -1, event });
  const reboot = proc(RemoteProcedure.DOMAIN_EVENT_CALLBACK_REBOOT);
  t.same(eventFromWire(reboot, decodeXdr(reboot.args!, encodeXdr(reboot.args!, eventToWire(reboot, 2, { kind: 'reboot', domain: dom })))), { callbackId: 2, event: { kind: 'reboot', domain: dom } });
});

t.test("events: libvirt's newer flat form, the callback form with members beside msg, structures and typed parameters", async (t) => {
  const roundTrip = (n: number, callbackId: number, event: object) => {
    const p = proc(n);
    return eventFromWire(p, decodeXdr(p.args!, encodeXdr(p.args!, eventToWire(p, callbackId, event))));
  };
  const metadata = { kind: 'metadataChange', domain: dom, type: 2, nsuri: 'http://x/' };
  t.same(roundTrip(RemoteProcedure.DOMAIN_EVENT_CALLBACK_METADATA_CHANGE, 4, metadata), { callbackId: 4, event: metadata });
  const noUri = { kind: 'metadataChange', domain: dom, type: 0 };
  t.same(roundTrip(RemoteProcedure.DOMAIN_EVENT_CALLBACK_METADATA_CHANGE, 4, noUri), { callbackId: 4, event: noUri }, 'a NULL string is left out');
  const suspend = { kind: 'pmSuspend', domain: dom, reason: 0 };
  t.same(roundTrip(RemoteProcedure.DOMAIN_EVENT_CALLBACK_PMSUSPEND, 9, suspend), { callbackId: 9, event: suspend }, 'reason sits beside msg');
  t.same(roundTrip(RemoteProcedure.DOMAIN_EVENT_PMSUSPEND, 9, suspend), { callbackId: -1, event: { kind: 'pmSuspend', domain: dom } }, 'the legacy form has no reason');
  const graphics = {
    kind: 'graphics', domain: dom, phase: 1, authScheme: 'none',
    local: { family: 0, node: '127.0.0.1', service: '5900' }, remote: { family: 0, node: '127.0.0.1', service: '41234' },
    subject: [{ type: 'x509dname', name: 'CN=me' }],
  };
  t.same(roundTrip(RemoteProcedure.DOMAIN_EVENT_CALLBACK_GRAPHICS, 1, graphics), { callbackId: 1, event: graphics });
  const tunable = { kind: 'tunable', domain: dom, params: { 'cputune.vcpupin0': '0-1', 'cputune.shares': 1024 } };
  t.same(roundTrip(RemoteProcedure.DOMAIN_EVENT_CALLBACK_TUNABLE, 3, tunable), { callbackId: 3, event: tunable });
  const balloon = { kind: 'balloonChange', domain: dom, actual: 2 ** 40 };
  t.same(roundTrip(RemoteProcedure.DOMAIN_EVENT_CALLBACK_BALLOON_CHANGE, 3, balloon), { callbackId: 3, event: balloon }, 'an unsigned hyper beyond 32 bits');
});

t.test("an event message's bytes as libvirt lays them out: the flat form (metadata-change), by hand", async (t) => {
  const p = proc(RemoteProcedure.DOMAIN_EVENT_CALLBACK_METADATA_CHANGE);
  const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; };
  const str = (s: string) => Buffer.concat([u32(s.length), Buffer.from(s), Buffer.alloc((4 - (s.length % 4)) % 4)]);
  const bytes = Buffer.concat([
    u32(4), // callbackID
    str('test'), Buffer.from(dom.uuid.replace(/-/g, ''), 'hex'), u32(1), // remote_nonnull_domain
    u32(2), // type: VIR_DOMAIN_METADATA_ELEMENT
    u32(1), str('http://x/'), // remote_string: present, then the string
  ]);
  t.same(encodeXdr(p.args!, eventToWire(p, 4, { kind: 'metadataChange', domain: dom, type: 2, nsuri: 'http://x/' })), bytes);
  t.same(eventFromWire(p, decodeXdr(p.args!, bytes)), { callbackId: 4, event: { kind: 'metadataChange', domain: dom, type: 2, nsuri: 'http://x/' } });
});

t.test('an error crosses as remote_error', async (t) => {
  const e = { code: 42, domain: 10, level: 2, message: "Domain not found: no domain with matching name 'x'", str1: 'Domain not found: %s', str2: "no domain with matching name 'x'", str3: null, int1: -1, int2: -1 };
  t.same(errorFromWire(decodeXdr(remote_error, encodeXdr(remote_error, errorToWire(e))) as never), e);
});

t.test("every procedure api.xml declares is one of libvirt's REMOTE program (a <procedure> in api.xml's <wire>)", async (t) => {
  const missing = [...procedureByNumber.values()].filter((p) => !remoteProcedureByNumber.has(p.proc)).map((p) => `${p.proc} ${p.c}`);
  t.same(missing, [], 'each needs its structures and <procedure> in the REMOTE program');
});
