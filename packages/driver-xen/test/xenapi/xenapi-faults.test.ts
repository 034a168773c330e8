// A XenAPI host that vanishes, stalls, or answers something that is not XenAPI
// gives libvirt-coded errors within the call's time limit, never a hang. The
// misbehaving hosts are stand-ins (small HTTP servers in this test), as their names
// say; the host that goes away and the XML-RPC-only host are the simulator.

import http from 'node:http';
import type net from 'node:net';
import { ErrorDomain, ErrorNumber } from '@tsvirt/core';
import t, { type Test } from 'tap';
import { XenApiClient } from '../../src/xenapi/xenapi-client.js';
import { startXapiSim, xapiSimMissing } from '../fixtures/xen-tools.js';
import { failure } from '../fixtures/failure.js';


const clientFor = (port: number, timeoutMs = 5000, protocol?: 'jsonrpc' | 'xmlrpc') =>
  new XenApiClient({ endpoint: { host: '127.0.0.1', port, tls: false, noVerify: false }, user: 'root', password: 'secret', timeoutMs, ...(protocol ? { protocol } : {}) });

/** A stand-in host: `answer` gets each request's path and body. */
async function standIn(t: Test, answer: (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void): Promise<number> {
  const sockets = new Set<net.Socket>();
  const srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => answer(req, body, res));
  });
  srv.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => { for (const s of sockets) s.destroy(); srv.close(() => r()); }));
  return (srv.address() as net.AddressInfo).port;
}

t.test('a host that answers with what is not XenAPI (stand-in hosts)', async (t) => {
  type Answer = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;
  const idOf = (body: string) => (JSON.parse(body) as { id: number }).id;
  const cases: [string, 'jsonrpc' | 'xmlrpc' | undefined, Answer, RegExp][] = [
    ['plain text, to a client finding out the protocol: neither JSON-RPC nor XML-RPC', undefined, (_q, _b, res) => res.end('hello'),
      /^session.login_with_password: the XenAPI host's answer is not XenAPI's XML-RPC$/],
    ['HTTP 500', 'jsonrpc', (_q, _b, res) => { res.statusCode = 500; res.end('oops'); }, /answered HTTP 500/],
    ['JSON of another shape', 'jsonrpc', (_q, body, res) => res.end(JSON.stringify({ id: idOf(body), nothing: 1 })), /answer is not JSON-RPC/],
    ['an error that is not a XenAPI error', 'jsonrpc', (_q, body, res) => res.end(JSON.stringify({ id: idOf(body), error: 42 })), /sent an error that is not XenAPI's/],
    ['the answer to another request', 'jsonrpc', (_q, _b, res) => res.end(JSON.stringify({ id: 999999, result: 'x' })), /answered another request \(id 999999\)/],
    ['XML that is not a method response', 'xmlrpc', (_q, _b, res) => res.end('<?xml version="1.0"?><html><body>login</body></html>'), /not XenAPI's XML-RPC/],
    ['XML-RPC with an unknown value type', 'xmlrpc', (_q, _b, res) => res.end('<methodResponse><params><param><value><blob>x</blob></value></param></params></methodResponse>'), /not XenAPI's XML-RPC/],
    ['XML-RPC with entities', 'xmlrpc', (_q, _b, res) => res.end('<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><methodResponse><params><param><value>&e;</value></param></params></methodResponse>'), /not XenAPI's XML-RPC/],
  ];
  for (const [name, protocol, answer, message] of cases) {
    const port = await standIn(t, answer);
    t.match(await failure(() => clientFor(port, 5000, protocol).login()), { code: ErrorNumber.RPC, domain: ErrorDomain.XENAPI, message }, name);
  }

  const port = await standIn(t, (_q, _b, res) => res.end(JSON.stringify({ jsonrpc: '2.0', id: 1, result: 'OpaqueRef:s' })));
  const c = clientFor(port, 5000, 'jsonrpc');
  t.equal(await c.login(), 'OpaqueRef:s', 'a well-formed answer from a stand-in is taken');
  const badRecords = await standIn(t, (_q, body, res) => {
    const { id, method } = JSON.parse(body);
    res.end(JSON.stringify({ jsonrpc: '2.0', id, result: method === 'session.login_with_password' ? 'OpaqueRef:s' : { 'OpaqueRef:v': { uuid: 'nope', power_state: 'Running' } } }));
  });
  const { XenApiState } = await import('../../src/xenapi/xenapi-state.js');
  const state = new XenApiState('xenapi://x/', clientFor(badRecords, 5000, 'jsonrpc'));
  t.match(await failure(() => state.allVms()), { code: ErrorNumber.RPC, message: /a VM record with a bad uuid/ }, 'a record with fields that do not check out');

  const huge = await standIn(t, (_q, _b, res) => {
    const chunk = Buffer.alloc(1 << 20, 0x20);
    let sent = 0;
    const more = () => { while (sent < 70 && res.write(chunk)) sent++; if (sent < 70) res.once('drain', more); else res.end(); };
    more();
  });
  t.match(await failure(() => clientFor(huge, 20_000, 'jsonrpc').login()), { code: ErrorNumber.RPC, message: /sent more than 67108864 bytes/ }, 'a reply without end is cut off');
});

t.test('a host that accepts and never answers: a timeout, not a hang (stand-in host)', async (t) => {
  const port = await standIn(t, () => undefined);
  const started = Date.now();
  t.match(await failure(() => clientFor(port, 300).login()), {
    code: ErrorNumber.OPERATION_TIMEOUT, domain: ErrorDomain.XENAPI, message: /did not answer within 0.3 s/,
  });
  t.ok(Date.now() - started < 5000, `gave up after ${Date.now() - started} ms`);
});

t.test('nobody listening', async (t) => {
  t.match(await failure(() => clientFor(1, 2000).login()), { code: ErrorNumber.SYSTEM_ERROR, domain: ErrorDomain.XENAPI, message: /unable to reach the XenAPI host at 127.0.0.1:1: / });
});

t.test('with the simulator', { skip: xapiSimMissing() }, async (t) => {
  t.test('a host that goes away mid-session', async (t) => {
    const { port, proc } = await startXapiSim(t);
    const c = clientFor(port, 2000);
    await c.call('VM.get_all');
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
    const started = Date.now();
    t.match(await failure(() => c.call('VM.get_all')), { code: ErrorNumber.SYSTEM_ERROR, domain: ErrorDomain.XENAPI, message: /unable to reach the XenAPI host at 127.0.0.1:\d+: Connection refused/ });
    t.ok(Date.now() - started < 2000);
  });

  t.test('a host that offers only XML-RPC: found out on the first call, kept after (a proxy refusing JSON-RPC in front of the simulator)', async (t) => {
    const { port: simPort } = await startXapiSim(t);
    const paths: string[] = [];
    const port = await standIn(t, (req, body, res) => {
      paths.push(req.url ?? '');
      if (req.url === '/jsonrpc') {
        res.statusCode = 404;
        res.end('not found');
        return;
      }
      const up = http.request({ host: '127.0.0.1', port: simPort, path: req.url, method: 'POST', headers: { 'Content-Type': 'text/xml' } }, (r) => {
        res.statusCode = r.statusCode ?? 500;
        r.pipe(res);
      });
      up.end(body);
    });
    const c = clientFor(port);
    const vms = (await c.call('VM.get_all_records')) as Record<string, { name_label: string; memory_static_max: unknown }>;
    t.equal(c.protocol, 'xmlrpc');
    t.ok(Object.values(vms).some((v) => v.name_label === 'web01'));
    t.equal(typeof Object.values(vms)[0].memory_static_max, 'string', 'XML-RPC carries XenAPI\'s ints as strings');
    t.same(paths, ['/jsonrpc', '/', '/'], 'JSON-RPC tried once, then XML-RPC only');
  });
});
