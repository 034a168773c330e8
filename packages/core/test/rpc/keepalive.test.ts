import t from 'tap';
import { FrameDecoder, Keepalive, KeepaliveProcedure, MessageType, Program, keepaliveFrame } from '../../src/rpc/index.js';
import { bytes } from './fixtures/frames.js';

t.test('PING and PONG are empty MESSAGE frames of the keepalive program', async (t) => {
  // length 28; program "keep"; version 1; procedure 1 (PING); type 2 (MESSAGE); serial 0; status 0
  t.same(keepaliveFrame(KeepaliveProcedure.PING), bytes('0000001c 6b656570 00000001 00000001 00000002 00000000 00000000'));
  const [pong] = new FrameDecoder().push(keepaliveFrame(KeepaliveProcedure.PONG));
  t.match(pong!.header, { program: Program.KEEPALIVE, procedure: KeepaliveProcedure.PONG, type: MessageType.MESSAGE });
  t.equal(pong!.body.length, 0);
});

/** Keepalive's timer does not hold the process open: the test does, until `work` ends. */
async function held<T>(work: Promise<T>): Promise<T> {
  const hold = setInterval(() => undefined, 1000);
  try {
    return await work;
  } finally {
    clearInterval(hold);
  }
}

t.test('a silent peer gets `count` pings, then is given up', async (t) => {
  let pings = 0;
  await held(new Promise<void>((resolve) => new Keepalive({ intervalMs: 5, count: 3, ping: () => pings++, dead: resolve })));
  t.equal(pings, 3);
});

t.test('a peer that answers every ping is never given up', async (t) => {
  let pings = 0;
  let dead = false;
  await held(new Promise<void>((resolve) => {
    const k: Keepalive = new Keepalive({
      intervalMs: 5, count: 1, dead: () => { dead = true; },
      ping: () => { if (++pings === 10) { k.stop(); resolve(); } else k.heard(); },
    });
  }));
  t.equal(pings, 10);
  t.notOk(dead);
});

t.test('interval 0 turns it off', async (t) => {
  const k = new Keepalive({ intervalMs: 0, count: 0, ping: () => t.fail('pinged'), dead: () => t.fail('dead') });
  await new Promise((r) => setTimeout(r, 20));
  k.stop();
  t.pass('no ping, no death');
});
