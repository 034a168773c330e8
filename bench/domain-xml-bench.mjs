#!/usr/bin/env node
// Domain XML end to end, in process on test:///default, beside libvirt-python doing the
// same work in its own process (libvirt's test driver, in process too), rounds interleaved:
//  (a) define + undefine of a realistic 57-line domain (bench/realistic-domain.mjs), pairs/s;
//  (b) dumpxml (getXMLDesc) of that domain, calls/s;
//  (c) memory: RSS growth per defined domain over 20,000 distinct domains, each side in a
//      fresh process (tsvirt's heap collected before each reading).
// Rates are given by wall time and by CPU time (the latter moves less on a busy machine).
// The floor printed beside them: core's XML parse alone, per document.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { realisticDomainXml } from './realistic-domain.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const PYTHON = '/usr/bin/python3';
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const PER_ROUND = Number(process.env.PER_ROUND ?? 2000);
const MEMORY_DOMAINS = Number(process.env.MEMORY_DOMAINS ?? 20000);
const MEMORY_ROUNDS = Number(process.env.MEMORY_ROUNDS ?? 3);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
const { open } = await import(`${root}packages/core/dist/index.js`);
const { registerDriver } = await import(`${root}packages/core/dist/entry-points/driver.js`);
const { parseDomainXml } = await import(`${root}packages/core/dist/entry-points/xml.js`);
const { driver } = await import(`${root}packages/driver-test/dist/index.js`);
registerDriver(driver);

const rssKiB = () => process.memoryUsage().rss / 1024;

// The memory child: defines MEMORY_DOMAINS domains and prints the RSS growth per domain.
if (process.argv[2] === '--memory') {
  const conn = await open('test:///default');
  await conn.defineDomainXML(realisticDomainXml(0)); // first use loads what defining needs
  await (await conn.lookupDomainByName('bench-guest-0')).undefine();
  gc();
  const before = rssKiB();
  for (let i = 1; i <= MEMORY_DOMAINS; i++) await conn.defineDomainXML(realisticDomainXml(i));
  gc();
  console.log((rssKiB() - before) / MEMORY_DOMAINS);
  process.exit(0);
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'domain-xml-bench-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
const docs = Array.from({ length: PER_ROUND }, (_, i) => realisticDomainXml(i));
const docsFile = path.join(tmp, 'docs.json');
writeFileSync(docsFile, JSON.stringify(docs));

// libvirt-python answers one command per line: a round of work, then its wall and CPU seconds.
const PY = `
import json, resource, sys, time, libvirt
libvirt.registerErrorHandler(lambda c, e: None, None)
docs = json.load(open(sys.argv[1]))
def rss():
    return int(open('/proc/self/status').read().split('VmRSS:')[1].split()[0])
if sys.argv[2] == 'memory':
    n = int(sys.argv[3])
    c = libvirt.open('test:///default')
    d = c.defineXML(docs[0]); d.undefine()
    before = rss()
    base = docs[0]
    for i in range(1, n + 1):
        c.defineXML(base.replace('bench-guest-0', 'bench-guest-%d' % i).replace('-000000000000<', '-%012x<' % i).replace("52:54:00:00:00:00", "52:54:00:%02x:%02x:%02x" % (i >> 16 & 255, i >> 8 & 255, i & 255)))
    print((rss() - before) / n)
    sys.exit(0)
c = libvirt.open('test:///default')
keep = c.defineXML(docs[0])
for line in sys.stdin:
    what = line.strip()
    w0, c0 = time.perf_counter(), time.process_time()
    if what == 'define':
        for x in docs[1:]:
            c.defineXML(x).undefine()
        n = len(docs) - 1
    else:
        for i in range(len(docs)):
            keep.XMLDesc(0)
        n = len(docs)
    print(n / (time.perf_counter() - w0), n / (time.process_time() - c0), flush=True)
`;

const havePython = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import libvirt'], { stdio: 'ignore' }).status === 0;
let py = null;
let pyLines = null;
if (havePython) {
  py = spawn(PYTHON, ['-c', PY, docsFile, 'rounds'], { stdio: ['pipe', 'pipe', 'inherit'] });
  pyLines = (async function* lines() {
    let buf = '';
    for await (const chunk of py.stdout) {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        yield buf.slice(0, nl);
        buf = buf.slice(nl + 1);
      }
    }
  })();
}
const libvirtRound = async (what) => {
  py.stdin.write(`${what}\n`);
  const { value } = await pyLines.next();
  const [wall, cpu] = value.split(' ').map(Number);
  return { wall, cpu };
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const conn = await open('test:///default');
const kept = await conn.defineDomainXML(docs[0]);
const timed = async (n, work) => {
  const w0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  await work();
  const c = process.cpuUsage(c0);
  return { wall: n / (Number(process.hrtime.bigint() - w0) / 1e9), cpu: n / ((c.user + c.system) / 1e6) };
};
const tsvirtRound = (what) => (what === 'define'
  ? timed(docs.length - 1, async () => {
    for (let i = 1; i < docs.length; i++) await (await conn.defineDomainXML(docs[i])).undefine();
  })
  : timed(docs.length, async () => {
    for (let i = 0; i < docs.length; i++) await kept.getXMLDesc();
  }));

const rate = (x) => Math.round(x).toLocaleString('en').padStart(7);
// The floor: core's parse of the same documents into the model, alone, in the same rounds.
const parseRound = () => timed(docs.length, async () => {
  for (const d of docs) parseDomainXml(d);
});
const results = {};
const floor = [];
for (const what of ['define', 'dumpxml']) {
  await tsvirtRound(what); // warm-up of both sides
  if (py) await libvirtRound(what);
  if (what === 'define') await parseRound();
  const ours = [];
  const theirs = [];
  for (let r = 0; r < ROUNDS; r++) {
    ours.push(await tsvirtRound(what));
    if (py) theirs.push(await libvirtRound(what));
    if (what === 'define') floor.push(await parseRound());
  }
  results[what] = { ours, theirs };
}
py?.stdin.end();
const parseRate = { wall: median(floor.map((x) => x.wall)), cpu: median(floor.map((x) => x.cpu)) };

// Memory: each side in fresh processes, alternately.
const memOurs = [];
const memTheirs = [];
for (let r = 0; r < MEMORY_ROUNDS; r++) {
  const m = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--memory'], { encoding: 'utf8', env: { ...process.env, MEMORY_DOMAINS: String(MEMORY_DOMAINS) } });
  if (m.status !== 0) throw new Error(`memory run failed: ${m.stderr}`);
  memOurs.push(Number(m.stdout.trim()));
  if (havePython) {
    const p = spawnSync(PYTHON, ['-c', PY, docsFile, 'memory', String(MEMORY_DOMAINS)], { encoding: 'utf8' });
    if (p.status !== 0) throw new Error(`libvirt memory run failed: ${p.stderr}`);
    memTheirs.push(Number(p.stdout.trim()));
  }
}

console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} CPUs; ${ROUNDS} interleaved rounds of ${PER_ROUND.toLocaleString('en')}, medians`);
const line = (label, what, unit) => {
  const { ours, theirs } = results[what];
  const o = { wall: median(ours.map((x) => x.wall)), cpu: median(ours.map((x) => x.cpu)) };
  let s = `${label}: tsvirt ${rate(o.wall)} ${unit} (CPU: ${rate(o.cpu)})`;
  if (theirs.length) {
    const t = { wall: median(theirs.map((x) => x.wall)), cpu: median(theirs.map((x) => x.cpu)) };
    s += `; libvirt-python ${rate(t.wall)} (CPU: ${rate(t.cpu)}); ratio ${(o.wall / t.wall).toFixed(2)}x (CPU: ${(o.cpu / t.cpu).toFixed(2)}x)`;
  } else s += '; libvirt-python: not installed here';
  console.log(s);
};
line('(a) define + undefine, in process', 'define', 'pairs/s');
line('(b) dumpxml, in process          ', 'dumpxml', 'calls/s');
console.log(`    floor: core's parse of the same document into its model alone: ${rate(parseRate.wall)} documents/s (CPU: ${rate(parseRate.cpu)})`);
const kib = (x) => `${x.toFixed(2)} KiB`;
console.log(`(c) RSS growth per defined domain over ${MEMORY_DOMAINS.toLocaleString('en')}: tsvirt ${kib(median(memOurs))}`
  + (memTheirs.length ? `; libvirt-python ${kib(median(memTheirs))}; ratio ${(median(memOurs) / median(memTheirs)).toFixed(2)}x (medians of ${MEMORY_ROUNDS} fresh processes each)` : '; libvirt-python: not installed here'));
