import t from 'tap';
import { ErrorNumber } from '@tsvirt/core';
import {
  MessageStatus, MessageType, Program, ProgramVersion, decodeXdr, encodeFrame, encodeXdr, remoteXdr, remote_error, type RemoteErrorValue,
} from '@tsvirt/core/protocol';
import { RawClient, startDaemon } from './fixtures/daemon-harness.js';

// The REMOTE calls whose replies carry CPU maps, as libvirt's client sizes them (maplen
// bytes per map, room for maxinfo / ncpumaps maps), and the sizes a hostile client may ask
// for: each is refused with libvirt's RPC error before anything is made, and the session
// goes on. Then the statistics call narrowed to named domains.

const P = remoteXdr.RemoteProcedure;
const TEST_UUID = Buffer.from('6695eb01f6a4830479aa97f2502e193f', 'hex');
const dom = { name: 'test', uuid: TEST_UUID, id: 1 };

const daemon = await startDaemon();
t.teardown(() => daemon.stop());
const c = await RawClient.connect(daemon.rw);
t.teardown(() => c.socket.destroy());
let serial = 0;

async function call(proc: number, type: Parameters<typeof encodeXdr>[0], args: unknown): Promise<{ ok: true; body: Buffer } | { ok: false; error: RemoteErrorValue }> {
  const s = ++serial;
  c.send(encodeFrame({ program: Program.REMOTE, version: ProgramVersion.REMOTE, procedure: proc, type: MessageType.CALL, serial: s, status: MessageStatus.OK }, encodeXdr(type, args)));
  const r = await c.reply(s, Program.REMOTE);
  return r.header.status === MessageStatus.OK ? { ok: true, body: Buffer.from(r.body) } : { ok: false, error: decodeXdr(remote_error, r.body) as RemoteErrorValue };
}

t.test('open', async (t) => {
  t.ok((await call(P.CONNECT_OPEN, remoteXdr.remote_connect_open_args, { name: 'test:///default', flags: 0 })).ok);
});

t.test("the vCPU maps are laid out as the call asks: maxinfo maps of maplen bytes, zeros past the domain's vCPUs", async (t) => {
  const r = await call(P.DOMAIN_GET_VCPUS, remoteXdr.remote_domain_get_vcpus_args, { dom, maxinfo: 3, maplen: 2 });
  if (!r.ok) throw new Error(r.error.message ?? '');
  const ret = decodeXdr(remoteXdr.remote_domain_get_vcpus_ret, r.body) as { info: { number: number }[]; cpumaps: Buffer };
  t.same(ret.info.map((i) => i.number), [0, 1], "the test domain's two vCPUs");
  // the test driver's node has 16 CPUs, all of them in each vCPU's affinity; the third map is room left
  t.same([...ret.cpumaps], [0xff, 0xff, 0xff, 0xff, 0, 0]);
  const pins = await call(P.DOMAIN_GET_VCPU_PIN_INFO, remoteXdr.remote_domain_get_vcpu_pin_info_args, { dom, ncpumaps: 1, maplen: 1, flags: 0 });
  if (!pins.ok) throw new Error(pins.error.message ?? '');
  t.same(decodeXdr(remoteXdr.remote_domain_get_vcpu_pin_info_ret, pins.body), { cpumaps: Buffer.from([0xff]), num: 1 }, 'room for one map: one');
});

t.test('sizes a hostile client asks for are refused, and the session goes on', async (t) => {
  const asks: [string, number, typeof remoteXdr.remote_domain_get_vcpus_args, object][] = [
    ['maxinfo 0', P.DOMAIN_GET_VCPUS, remoteXdr.remote_domain_get_vcpus_args, { dom, maxinfo: 0, maplen: 1 }],
    ['maxinfo -1', P.DOMAIN_GET_VCPUS, remoteXdr.remote_domain_get_vcpus_args, { dom, maxinfo: -1, maplen: 1 }],
    ['maxinfo past REMOTE_VCPUINFO_MAX', P.DOMAIN_GET_VCPUS, remoteXdr.remote_domain_get_vcpus_args, { dom, maxinfo: 16385, maplen: 1 }],
    ['maplen 0', P.DOMAIN_GET_VCPUS, remoteXdr.remote_domain_get_vcpus_args, { dom, maxinfo: 1, maplen: 0 }],
    ['maplen -8', P.DOMAIN_GET_VCPUS, remoteXdr.remote_domain_get_vcpus_args, { dom, maxinfo: 1, maplen: -8 }],
    ['maxinfo * maplen past REMOTE_CPUMAPS_MAX', P.DOMAIN_GET_VCPUS, remoteXdr.remote_domain_get_vcpus_args, { dom, maxinfo: 16384, maplen: 0x7fffffff }],
    ['ncpumaps 2^31-1', P.DOMAIN_GET_VCPU_PIN_INFO, remoteXdr.remote_domain_get_vcpu_pin_info_args, { dom, ncpumaps: 0x7fffffff, maplen: 1024, flags: 0 }],
    ['emulator maplen past REMOTE_CPUMAPS_MAX', P.DOMAIN_GET_EMULATOR_PIN_INFO, remoteXdr.remote_domain_get_emulator_pin_info_args, { dom, maplen: 0x7fffffff, flags: 0 }],
  ];
  for (const [what, proc, type, args] of asks) {
    const r = await call(proc, type, args);
    t.notOk(r.ok, what);
    if (!r.ok) {
      t.equal(r.error.code, ErrorNumber.RPC, `${what}: VIR_ERR_RPC`);
      t.match(r.error.message, /^internal error: |^(?!.*undefined)/, `${what}: ${r.error.message}`);
    }
  }
  t.ok((await call(P.DOMAIN_GET_EMULATOR_PIN_INFO, remoteXdr.remote_domain_get_emulator_pin_info_args, { dom, maplen: 1, flags: 0 })).ok, 'a sound call still answers');
  t.equal(daemon.proc.exitCode, null, 'the daemon runs');
});

t.test('statistics narrowed to the named domains (libvirt\'s virDomainListGetStats), in their order', async (t) => {
  const stats = async (doms: object[]) => {
    const r = await call(P.CONNECT_GET_ALL_DOMAIN_STATS, remoteXdr.remote_connect_get_all_domain_stats_args, { doms, stats: 0, flags: 0 });
    if (!r.ok) throw new Error(r.error.message ?? '');
    return (decodeXdr(remoteXdr.remote_connect_get_all_domain_stats_ret, r.body) as { retStats: { dom: { name: string; id: number } }[] }).retStats.map((s) => [s.dom.name, s.dom.id]);
  };
  t.same(await stats([]), [['test', 1]], 'every domain: the whole reference on the wire');
  t.same(await stats([dom]), [['test', 1]]);
  t.same(await stats([{ name: 'gone', uuid: Buffer.alloc(16, 7), id: -1 }]), [], 'a domain that does not exist names nothing');
});
