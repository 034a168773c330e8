import t from 'tap';
import { classifyQmpMessage, encodeQmpCommand, QmpDecoder, QmpWireError, type QmpMessage } from '../src/qmp/qmp-wire.js';

// Lines as QEMU 7.2 writes them (recorded from a real QEMU under TCG), "\r\n"-terminated.
const GREETING =
  '{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "Debian 1:7.2+dfsg-7+deb12u18+b3"}, "capabilities": ["oob"]}}\r\n';
const RETURN = '{"return": {"status": "running", "singlestep": false, "running": true}, "id": "tsvirt-2"}\r\n';
const ERROR = '{"id": 7, "error": {"class": "CommandNotFound", "desc": "The command bogus has not been found"}}\r\n';
const EVENT = '{"timestamp": {"seconds": 1795635594, "microseconds": 11048}, "event": "RESUME"}\r\n';
const SHUTDOWN = '{"timestamp": {"seconds": 1795635595, "microseconds": 5}, "event": "SHUTDOWN", "data": {"guest": true, "reason": "guest-shutdown"}}\r\n';

function decodeAll(decoder: QmpDecoder, chunks: Array<string | Uint8Array>): QmpMessage[] {
  const out: QmpMessage[] = [];
  for (const chunk of chunks) decoder.push(chunk, (m) => out.push(m));
  return out;
}

const EXPECTED: QmpMessage[] = [
  { kind: 'greeting', version: { major: 7, minor: 2, micro: 22, package: 'Debian 1:7.2+dfsg-7+deb12u18+b3' }, capabilities: ['oob'] },
  { kind: 'return', id: 'tsvirt-2', value: { status: 'running', singlestep: false, running: true } },
  { kind: 'error', id: 7, errorClass: 'CommandNotFound', desc: 'The command bogus has not been found' },
  { kind: 'event', event: 'RESUME', data: {}, timestamp: { seconds: 1795635594, microseconds: 11048 } },
  { kind: 'event', event: 'SHUTDOWN', data: { guest: true, reason: 'guest-shutdown' }, timestamp: { seconds: 1795635595, microseconds: 5 } },
];
const STREAM = GREETING + RETURN + ERROR + EVENT + SHUTDOWN;

t.test('classifies greeting, return, error and event', async (t) => {
  t.same(decodeAll(new QmpDecoder(), [STREAM]), EXPECTED, 'several messages in one chunk');
});

t.test('reassembles messages split at every byte offset', async (t) => {
  const bytes = Buffer.from(STREAM);
  for (let cut = 1; cut < bytes.length; cut++) {
    const got = decodeAll(new QmpDecoder(), [bytes.subarray(0, cut), bytes.subarray(cut)]);
    if (JSON.stringify(got) !== JSON.stringify(EXPECTED)) return t.fail(`split at ${cut}`);
  }
  t.pass('every two-way split decodes the same');
});

t.test('reassembles a byte-by-byte stream, multi-byte UTF-8 included', async (t) => {
  const line = '{"return": "größe ✓ 😀", "id": 1}\n';
  const decoder = new QmpDecoder();
  const got = decodeAll(decoder, [...Buffer.from(line)].map((b) => Uint8Array.of(b)));
  t.same(got, [{ kind: 'return', id: 1, value: 'größe ✓ 😀' }]);
  t.equal(decoder.bufferedBytes, 0);
});

t.test('keeps a partial message buffered until its newline', async (t) => {
  const decoder = new QmpDecoder();
  t.same(decodeAll(decoder, [RETURN.slice(0, 10)]), []);
  t.equal(decoder.bufferedBytes, 10);
  t.equal(decodeAll(decoder, [RETURN.slice(10)]).length, 1);
  t.equal(decoder.bufferedBytes, 0);
});

t.test('ignores blank lines', async (t) => {
  t.same(decodeAll(new QmpDecoder(), ['\r\n\n', EVENT, '\n']), [EXPECTED[3]]);
});

t.test('fails clearly on garbage, after delivering what came before', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['{bad json\n', /not JSON: "\{bad json"/],
    ['[1,2]\n', /not a JSON object/],
    ['"text"\n', /not a JSON object/],
    ['{"hello": 1}\n', /neither greeting, return, error nor event/],
    ['{"error": {"class": "GenericError"}}\n', /lacks class or desc/],
    ['{"return": {}, "id": {"a": 1}}\n', /id that is neither string nor number/],
    ['{"event": "STOP", "timestamp": 5}\n', /malformed data or timestamp/],
    ['{"QMP": {"version": {}, "capabilities": []}}\n', /greeting is malformed/],
  ];
  for (const [line, message] of cases) {
    const decoder = new QmpDecoder();
    const got: QmpMessage[] = [];
    t.throws(() => decoder.push(EVENT + line + RETURN, (m) => got.push(m)), { name: 'QmpWireError', message }, line.trim());
    t.same(got, [EXPECTED[3]], 'the message before the garbage was delivered');
    // Once failed, the stream cannot be re-synchronised: every later push fails.
    t.throws(() => decoder.push(RETURN, () => t.fail('no delivery after failure')), QmpWireError);
  }
});

t.test('bounds the size of one message', async (t) => {
  const small = new QmpDecoder({ maxMessageBytes: 64 });
  t.same(decodeAll(small, ['{"return": {}, "id": 1}\n']).length, 1, 'a small message passes');
  t.throws(() => small.push('{"return": "' + 'x'.repeat(100), () => {}), { name: 'QmpWireError', message: /exceeds 64 bytes/ }, 'while buffering');
  t.equal(small.bufferedBytes, 0, 'the buffer is released');

  const whole = new QmpDecoder({ maxMessageBytes: 64 });
  t.throws(() => whole.push('{"return": "' + 'x'.repeat(100) + '"}\n', () => {}), /exceeds 64 bytes/, 'a complete oversized line');

  const growing = new QmpDecoder({ maxMessageBytes: 64 });
  t.throws(() => {
    for (let i = 0; i < 20; i++) growing.push('xxxxxxxx', () => {});
  }, /exceeds 64 bytes/, 'across many chunks');

  const exact = new QmpDecoder({ maxMessageBytes: 64 });
  const line = '{"return": "' + 'y'.repeat(64 - 14) + '"}';
  t.equal(Buffer.byteLength(line), 64);
  t.equal(decodeAll(exact, [line + '\n']).length, 1, 'a message of exactly the bound passes');
  t.throws(() => exact.push(line.replace('y', 'yy') + '\n', () => {}), /exceeds 64 bytes/, 'one byte more fails');
});

t.test('a throwing listener does not corrupt the decoder', async (t) => {
  const decoder = new QmpDecoder();
  t.throws(() => decoder.push(EVENT + RETURN.slice(0, 5), () => { throw new Error('listener bug'); }), /listener bug/);
  t.same(decodeAll(decoder, [RETURN.slice(5)]), [EXPECTED[1]], 'the buffered part was kept');
});

t.test('classifies an already-parsed value', async (t) => {
  t.same(classifyQmpMessage({ return: [], id: 'a' }), { kind: 'return', id: 'a', value: [] });
  t.same(classifyQmpMessage({ return: {} }), { kind: 'return', value: {} }, 'id is optional');
  t.throws(() => classifyQmpMessage(null), QmpWireError);
});

t.test('encodes commands as one line', async (t) => {
  t.equal(encodeQmpCommand('qmp_capabilities'), '{"execute":"qmp_capabilities"}\n');
  t.equal(encodeQmpCommand('qom-list-types', { implements: 'device' }, 'tsvirt-3'), '{"execute":"qom-list-types","arguments":{"implements":"device"},"id":"tsvirt-3"}\n');
  const encoded = encodeQmpCommand('human-monitor-command', { 'command-line': 'info\nstatus' }, 1);
  t.equal(encoded.indexOf('\n'), encoded.length - 1, 'newlines in arguments are escaped');
  t.throws(() => encodeQmpCommand(''), TypeError);
});
