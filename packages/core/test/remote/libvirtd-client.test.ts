// tsvirt's remote driver against a real libvirtd (a private one, started here), in libvirt's
// REMOTE program. Where libvirt-python is installed, the same daemon answers it too, and
// what tsvirt reports (values, errors field by field) is compared with what libvirt's own
// client reports. libvirtd frees test:///default when its last client leaves: each test
// keeps one connection open while it compares.
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { DomainState, ErrorDomain, ErrorNumber, VirError, open, type Connect, type DomainEvent } from '../../src/index.js';
import { libvirtdMissing, startPrivateLibvirtd, type PrivateLibvirtd } from '../fixtures/private-libvirtd.js';

const VIRSH = new URL('../../../virsh/bin/virsh', import.meta.url).pathname;
const virsh = (...args: string[]) => spawnSync('/usr/bin/env', ['-u', 'NODE_OPTIONS', '-u', 'NODE_PATH', process.execPath, VIRSH, ...args], { encoding: 'utf8' });
const PY = '/usr/bin/python3';
const noPython = spawnSync(PY, ['-c', 'import libvirt']).status !== 0 && 'python3-libvirt is not installed (apt-get install python3-libvirt)';

/** What libvirt-python reports for a few calls on the same daemon: values, and errors as (code, domain, message, level, str1..3, int1, int2). */
function libvirtPython(uri: string, code: string): Record<string, unknown> {
  const script = `
import json, sys, libvirt
libvirt.registerErrorHandler(lambda *a: None, None)
c = libvirt.open(sys.argv[1])
def err(f):
    try:
        f()
        return None
    except libvirt.libvirtError as e:
        return list(e.err)
out = {}
${code}
print(json.dumps(out))
`;
  const r = spawnSync(PY, ['-c', script, uri], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`libvirt-python failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

/** A VirError's fields in libvirt-python's order. */
async function errorOf(call: () => Promise<unknown>): Promise<unknown[] | null> {
  try {
    await call();
    return null;
  } catch (e) {
    if (!(e instanceof VirError)) throw e;
    return [e.code, e.domain, e.message, e.level, e.str1, e.str2, e.str3, e.int1, e.int2];
  }
}

const DOMAIN_XML = `<domain type='test'><name>tsvirt-probe</name><memory unit='KiB'>65536</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>`;

const missing = libvirtdMissing();
let daemon: PrivateLibvirtd;
if (missing) t.comment(`skipped: ${missing}`);
else {
  t.before(async () => { daemon = await startPrivateLibvirtd(); });
  t.teardown(() => daemon.stop());
}

async function connect(t: Tap.Test, uri = daemon.unixUri()): Promise<Connect> {
  const conn = await open(uri);
  t.teardown(() => conn.close());
  return conn;
}

t.test('lookups and info over unix, in libvirt\'s program, agree with libvirt-python on the same daemon', { skip: missing }, async (t) => {
  const conn = await connect(t);
  t.equal(await conn.getType(), 'TEST');
  t.equal(await conn.getURI(), daemon.unixUri(), 'the URI this side opened, as libvirt-python answers it');
  const dom = await conn.lookupDomainByName('test');
  const byUuid = await conn.lookupDomainByUUID(dom.uuid);
  const byId = await conn.lookupDomainByID(dom.id);
  t.same([byUuid.name, byId.name, byId.uuid], ['test', 'test', dom.uuid]);
  const info = await dom.getInfo();
  t.equal(info.state, DomainState.RUNNING);
  t.same((await conn.listAllDomains()).map((d) => d.name), ['test']);
  t.match(await dom.getXMLDesc(), /<name>test<\/name>/);
  if (noPython) return void t.comment(`libvirt-python side skipped: ${noPython}`);
  const py = libvirtPython(daemon.unixUri(), `
d = c.lookupByName('test')
out['info'] = d.info()
out['uuid'] = d.UUIDString()
out['id'] = d.ID()
out['xml'] = d.XMLDesc(0)
out['nodeinfo'] = c.getInfo()
out['cpustats'] = c.getCPUStats(-1)
`);
  t.same([py.uuid, py.id, py.xml], [dom.uuid, dom.id, await dom.getXMLDesc()]);
  const [state, maxMem, memory, nrVirtCpu] = py.info as number[];
  t.same({ state: info.state, maxMem: info.maxMem, memory: info.memory, nrVirtCpu: info.nrVirtCpu }, { state, maxMem, memory, nrVirtCpu });
  const node = await conn.getNodeInfo();
  t.same([node.model, node.memory / 1024, node.cpus, node.mhz, node.nodes, node.sockets, node.cores, node.threads], py.nodeinfo);
  t.same(await conn.getCPUStats(-1), py.cpustats, 'user, kernel, idle, iowait');
});

t.test('lifecycle and define/undefine: the handle\'s id follows as libvirt\'s does; libvirt-python sees each change', { skip: missing }, async (t) => {
  const conn = await connect(t);
  const dom = await conn.defineDomainXML(DOMAIN_XML);
  t.equal(dom.id, -1);
  t.ok((await conn.listAllDomains()).some((d) => d.name === 'tsvirt-probe'));
  await dom.create();
  t.ok(dom.id > 0, 'create gives the handle the new id');
  t.equal((await dom.getInfo()).state, DomainState.RUNNING);
  await dom.suspend();
  t.equal((await dom.getInfo()).state, DomainState.PAUSED);
  if (!noPython) t.same(libvirtPython(daemon.unixUri(), `out['state'] = c.lookupByName('tsvirt-probe').state()`).state, [DomainState.PAUSED, 1]);
  await dom.resume();
  await dom.destroy();
  t.equal(dom.id, -1, 'destroy leaves the handle with id -1');
  t.equal((await dom.getInfo()).state, DomainState.SHUTOFF);
  await dom.setAutostart(true);
  t.equal(await dom.getAutostart(), true);
  await dom.undefine();
  t.notOk((await conn.listAllDomains()).some((d) => d.name === 'tsvirt-probe'));
});

t.test('errors are libvirt\'s, field by field, as libvirt-python reports them from the same daemon', { skip: missing || noPython }, async (t) => {
  const conn = await connect(t);
  const test = await conn.lookupDomainByName('test');
  const ours = {
    nosuch: await errorOf(() => conn.lookupDomainByName('nosuch')),
    badxml: await errorOf(() => conn.defineDomainXML('<domain')),
    resume: await errorOf(() => test.resume()),
    nouuid: await errorOf(() => conn.lookupDomainByUUID('00000000-0000-0000-0000-000000000001')),
  };
  const theirs = libvirtPython(daemon.unixUri(), `
out['nosuch'] = err(lambda: c.lookupByName('nosuch'))
out['badxml'] = err(lambda: c.defineXML('<domain'))
out['resume'] = err(lambda: c.lookupByName('test').resume())
out['nouuid'] = err(lambda: c.lookupByUUIDString('00000000-0000-0000-0000-000000000001'))
`);
  t.same(ours, theirs);
  t.ok(Object.values(ours).every((e) => e !== null), 'every call failed');
});

t.test('the program is found out, or named: tsvirt\'s against libvirtd is libvirt\'s own refusal, a bad name is refused', { skip: missing }, async (t) => {
  const named = await connect(t, `${daemon.unixUri()}&program=remote`);
  t.equal(await named.getType(), 'TEST');
  await t.rejects(open(`${daemon.unixUri()}&program=tsvirt`), {
    code: ErrorNumber.RPC, domain: ErrorDomain.RPC, message: /^Cannot find program 1953724018 version 1$/,
  });
  await t.rejects(open(`${daemon.unixUri()}&program=xml`), { code: ErrorNumber.INVALID_ARG, message: /program must be tsvirt, remote or auto, not 'xml'/ });
});

t.test('the read-only socket: reads work, writes get libvirtd\'s refusal', { skip: missing }, async (t) => {
  const ro = await open(`test+unix:///default?socket=${daemon.ro}`, { readOnly: true });
  t.teardown(() => ro.close());
  const dom = await ro.lookupDomainByName('test');
  t.equal(dom.name, 'test');
  await t.rejects(dom.suspend(), { code: ErrorNumber.OPERATION_DENIED, message: /read only access prevents virDomainSuspend/ });
});

t.test('events: lifecycle events from libvirtd arrive through the callback registrations (libvirt\'s test driver sends none for a reboot)', { skip: missing }, async (t) => {
  const conn = await connect(t);
  const seen: DomainEvent[] = [];
  const id = await conn.domainEventRegister((e) => seen.push(e));
  const dom = await conn.lookupDomainByName('test');
  await dom.suspend();
  await dom.resume();
  await dom.destroy();
  await dom.create();
  for (let i = 0; i < 100 && seen.length < 4; i++) await new Promise((r) => setTimeout(r, 20));
  t.same(seen.map((e) => [e.kind, e.domain.name, e.kind === 'lifecycle' ? [e.event, e.detail] : null]), [
    ['lifecycle', 'test', [3, 0]], // SUSPENDED, PAUSED
    ['lifecycle', 'test', [4, 0]], // RESUMED, UNPAUSED
    ['lifecycle', 'test', [5, 1]], // STOPPED, DESTROYED
    ['lifecycle', 'test', [2, 0]], // STARTED, BOOTED
  ]);
  t.equal(seen[0]!.domain.uuid, dom.uuid);
  await conn.domainEventDeregister(id);
  await dom.suspend();
  await new Promise((r) => setTimeout(r, 100));
  t.equal(seen.length, 4, 'nothing after deregistering');
});

t.test('virsh on a libvirtd socket works (it printed nothing and exited 0 before)', { skip: missing }, async (t) => {
  const r = virsh('-c', daemon.unixUri(), 'list --all; domstate test');
  t.equal(r.stderr, '');
  t.equal(r.stdout, ' Id   Name   State\n----------------------\n 1    test   running\n\nrunning\n\n');
  t.equal(r.status, 0);
});

t.test('snapshots travel with their domain whole (libvirtd finds it by UUID); typed parameters carry strings', { skip: missing }, async (t) => {
  const conn = await connect(t);
  const dom = await conn.lookupDomainByName('test');
  const snap = await dom.snapshotCreateXML('<domainsnapshot><name>s1</name><description>d1</description></domainsnapshot>');
  t.equal(snap.name, 's1');
  t.match(await snap.getXMLDesc(), /<description>d1<\/description>/);
  t.same((await dom.listAllSnapshots()).map((s) => s.name), ['s1']);
  t.equal(await snap.isCurrent(), true);
  await snap.delete();
  t.same(await dom.listAllSnapshots(), []);
  // libvirt's test driver has a string among its NUMA parameters: sent only to a client that says it takes them
  t.same(await dom.getNumaParameters(), { numa_mode: 0, numa_nodeset: '' });
});

t.test('CPU maps and domain statistics (sized by the host\'s CPU count, as libvirt\'s client sizes them) agree with libvirt-python', { skip: missing || noPython }, async (t) => {
  const conn = await connect(t);
  const dom = await conn.lookupDomainByName('test');
  const py = libvirtPython(daemon.unixUri(), `
d = c.lookupByName('test')
cpus, cpumap, online = c.getCPUMap()
out['cpumap'] = [cpus, [i for i, b in enumerate(cpumap) if b]]
info, maps = d.vcpus()
out['vcpus'] = [[v[0], v[1], v[3], [i for i, b in enumerate(m) if b]] for v, m in zip(info, maps)]
out['pins'] = [[i for i, b in enumerate(m) if b] for m in d.vcpuPinInfo(0)]
out['emulator'] = [i for i, b in enumerate(d.emulatorPinInfo(0)) if b]
out['stats'] = [[r[0].UUIDString(), r[1]] for r in c.getAllDomainStats()]
`);
  const map = await conn.getCPUMap();
  t.same([map.cpus, map.online], py.cpumap);
  t.same((await dom.getVcpus()).map((v) => [v.number, v.state, v.cpu, v.affinity]), py.vcpus);
  t.same((await dom.getVcpuPinInfo()).map((p) => p.cpus), py.pins);
  t.same(await dom.getEmulatorPinInfo(), py.emulator);
  t.same((await conn.getAllDomainStats()).map((r) => [r.domain, r.params]), py.stats);
});
