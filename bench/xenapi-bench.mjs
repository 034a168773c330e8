#!/usr/bin/env node
// XenAPI calls per second, from the Xen driver's XenAPI client against a XenAPI server,
// rounds interleaved:
//  (a) VM.get_record over JSON-RPC, one call at a time: on kept-alive connections (the
//      client's default) and with a connection per call (the client before keep-alive)
//  (b) the same over XML-RPC (kept alive)
//  (c) JSON-RPC with 8 calls in flight (kept alive)
//  (d) through the public API (xenapi:// connection): lookupDomainByName + getInfo pairs
//      (plain HTTP: a connection per call, the URI's default there)
// The floor is the same server answering the same call posted as prebuilt bytes (no
// client codec), and a bare Node HTTP echo on this machine (no server work at all),
// each both ways: one kept-alive connection, and a connection per call.
// libvirt 9.0 has no XenAPI driver, so there is no libvirt side to run beside it.
//
// The server: XAPI_SIM=/path/to/a-xenapi-simulator.py (started as `python3 SCRIPT PORT`,
// logging in as root/secret), or none: then the bench says so and stops.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, interleaved, loadText } from './bench-kit.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const SECONDS = Number(process.env.SECONDS_PER_SIDE ?? 1.5);
const SIM = process.env.XAPI_SIM;

console.log(`xenapi-bench: ${loadText()}`);
if (!SIM) {
  console.log('no XenAPI server: set XAPI_SIM to a XenAPI simulator script (python3 SCRIPT PORT) to run this benchmark');
  process.exit(0);
}

const { XenApiClient } = await import(`${root}packages/driver-xen/dist/xenapi/xenapi-client.js`);
const { open } = await import(`${root}packages/core/dist/index.js`);
const { registerDriver } = await import(`${root}packages/core/dist/entry-points/driver.js`);
registerDriver((await import(`${root}packages/driver-xen/dist/index.js`)).driver);

const freePort = () => new Promise((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});
const port = await freePort();
const sim = spawn('python3', [SIM, String(port)], { stdio: 'ignore' });
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-xenapi-bench-'));
const cleanup = () => { sim.kill(); rmSync(tmp, { recursive: true, force: true }); };
process.on('exit', cleanup);
for (let i = 0; ; i++) {
  const up = await new Promise((r) => { const s = net.connect(port, '127.0.0.1', () => { s.destroy(); r(true); }); s.once('error', () => r(false)); });
  if (up) break;
  if (i > 400) throw new Error('the XenAPI simulator did not start');
  await new Promise((r) => setTimeout(r, 25));
}

const endpoint = { host: '127.0.0.1', port, tls: false, noVerify: false };
const client = (protocol, keepAlive = true) => new XenApiClient({ endpoint, user: 'root', password: 'secret', protocol, keepAlive });
const json = client('jsonrpc');
const jsonPerCall = client('jsonrpc', false);
const xml = client('xmlrpc');
const vmRef = Object.keys(await json.call('VM.get_all_records'))[0];
await xml.login();
await jsonPerCall.login();

writeFileSync(path.join(tmp, 'auth.conf'), '[credentials-b]\nusername=root\npassword=secret\n[auth-xenapi-127.0.0.1]\ncredentials=b\n');
process.env.LIBVIRT_AUTH_FILE = path.join(tmp, 'auth.conf');
const conn = await open(`xenapi://127.0.0.1:${port}/?tls=0&protocol=jsonrpc`, { localOnly: true });

/** Calls per second of `one` (each a promise), `inFlight` at a time, for SECONDS. */
async function rate(one, inFlight = 1) {
  let n = 0;
  const end = performance.now() + SECONDS * 1000;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (performance.now() < end) { await one(); n++; }
  }));
  return n / ((performance.now() - t0) / 1000);
}

// the floor: the same call as prebuilt bytes, and a bare echo
const rawBody = JSON.stringify({ jsonrpc: '2.0', method: 'VM.get_record', params: [json.session, vmRef], id: 1 });
const keptAlive = new http.Agent({ keepAlive: true, maxFreeSockets: 1 });
const rawPost = (p, pathName, body, agent = false) => new Promise((resolve, reject) => {
  const req = http.request({ host: '127.0.0.1', port: p, path: pathName, method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Connection: agent ? 'keep-alive' : 'close' } }, (res) => {
    res.resume();
    res.on('end', resolve);
  });
  req.on('error', reject);
  req.end(body);
});
const echo = http.createServer((req, res) => { req.resume(); req.on('end', () => res.end('{}')); });
await new Promise((r) => echo.listen(0, '127.0.0.1', r));
const echoPort = echo.address().port;

const result = await interleaved(ROUNDS, {
  'JSON-RPC, 1 in flight': () => rate(() => json.call('VM.get_record', [vmRef])),
  'JSON-RPC, 1 in flight, connection per call': () => rate(() => jsonPerCall.call('VM.get_record', [vmRef])),
  'XML-RPC, 1 in flight': () => rate(() => xml.call('VM.get_record', [vmRef])),
  'JSON-RPC, 8 in flight': () => rate(() => json.call('VM.get_record', [vmRef]), 8),
  'API: lookup + getInfo pairs (4 calls)': () => rate(async () => { const d = await conn.lookupDomainByName('db01'); await d.getInfo(); }),
  'floor: same call, prebuilt bytes': () => rate(() => rawPost(port, '/jsonrpc', rawBody, keptAlive)),
  'floor: same call, prebuilt, conn per call': () => rate(() => rawPost(port, '/jsonrpc', rawBody)),
  'floor: bare Node HTTP echo': () => rate(() => rawPost(echoPort, '/', '{}', keptAlive)),
  'floor: bare echo, connection per call': () => rate(() => rawPost(echoPort, '/', '{}')),
});
keptAlive.destroy();
echo.close();
await conn.close();
await Promise.all([json.close(), jsonPerCall.close(), xml.close()]);

console.log(`\n${ROUNDS} rounds of ${SECONDS} s per side, interleaved; medians (every round):`);
for (const [name, { median, all }] of Object.entries(result)) {
  const unit = name.startsWith('API') ? 'pairs/s' : 'calls/s';
  console.log(`  ${name.padEnd(44)} ${fmt(median).padStart(7)} ${unit}   (${all.map((x) => fmt(x)).join(', ')})`);
}
console.log('  libvirt: no XenAPI driver in libvirt 9.0, nothing to run beside');
console.log(`xenapi-bench: ${loadText()}`);
