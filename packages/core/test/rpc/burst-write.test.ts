// Frames written in one burst of work leave together once it is over: a real socket pair,
// the peer reading what arrives.
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { writeInBurst } from '../../src/rpc/burst-write.js';

t.test('frames written in one burst leave together at its end, in order; a later burst starts afresh', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'burst-write-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const server = createServer();
  server.listen(join(dir, 'sock'));
  await once(server, 'listening');
  t.teardown(() => server.close());
  const accepted = once(server, 'connection');
  const client = connect(join(dir, 'sock'));
  await once(client, 'connect');
  const [peer] = (await accepted) as [Socket];
  t.teardown(() => { client.destroy(); peer.destroy(); });
  const received: Buffer[] = [];
  peer.on('data', (d: Buffer) => received.push(d));

  const frames = [Buffer.from('one'), Buffer.from('two'), Buffer.from('three')];
  await Promise.resolve().then(() => {
    for (const f of frames) t.equal(writeInBurst(client, f), true, 'accepted');
    t.equal(client.writableCorked, 1, 'held while the burst goes on');
    t.equal(client.writableLength, 11, 'nothing has left yet');
  });
  await new Promise((resolve) => process.nextTick(resolve));
  t.equal(client.writableCorked, 0, 'released once the burst is over, before the event loop turns');
  while (Buffer.concat(received).length < 11) await once(peer, 'data');
  t.equal(Buffer.concat(received).toString(), 'onetwothree', 'all of it, in order');

  writeInBurst(client, Buffer.from('four'));
  t.equal(client.writableCorked, 1, 'the next burst holds its own');
  await new Promise((resolve) => process.nextTick(resolve));
  while (Buffer.concat(received).length < 15) await once(peer, 'data');
  t.equal(Buffer.concat(received).toString(), 'onetwothreefour');
});
