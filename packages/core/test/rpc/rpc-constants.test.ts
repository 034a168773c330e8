import t from 'tap';
import { FrameSize, KeepaliveProcedure, MessageStatus, MessageType, Program, ProgramVersion } from '../../src/rpc/index.js';

t.test('program numbers', async (t) => {
  t.equal(Program.REMOTE, 0x20008086);
  t.equal(Buffer.from('keep').readUInt32BE(0), Program.KEEPALIVE, 'keepalive spells "keep"');
  t.equal(Buffer.from('tsvr').readUInt32BE(0), Program.TSVIRT, 'tsvirt spells "tsvr"');
  t.same(ProgramVersion, { REMOTE: 1, KEEPALIVE: 1, TSVIRT: 1 });
  t.same(KeepaliveProcedure, { PING: 1, PONG: 2 });
});

t.test('message types and statuses are libvirt\'s', async (t) => {
  t.same(MessageType, { CALL: 0, REPLY: 1, MESSAGE: 2, STREAM: 3, CALL_WITH_FDS: 4, REPLY_WITH_FDS: 5, STREAM_HOLE: 6 });
  t.same(MessageStatus, { OK: 0, ERROR: 1, CONTINUE: 2 });
});

t.test('sizes', async (t) => {
  t.same(FrameSize, { LENGTH_WORD: 4, HEADER: 24, MIN_FRAME: 28, DEFAULT_MAX_MESSAGE: 33554432, DEFAULT_MAX_BODY: 33554408 });
});
