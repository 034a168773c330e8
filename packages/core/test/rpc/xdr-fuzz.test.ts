import t from 'tap';
import { decodeXdr, encodeXdr, XdrError, type XdrType } from '../../src/rpc/index.js';
import { remoteProcedures, remote_error } from '../../src/gen/remote-program.gen.js';
import { prng, sampleOf } from '../fixtures/xdr-samples.js';

// The XDR decoder against hostile bodies for every type of libvirt's REMOTE program (each
// procedure's call, reply and event message): random bytes, every truncation of a
// well-formed body, and well-formed bodies with each word overwritten by a length far
// past its maximum. It returns a value or throws XdrError, nothing else, and what it
// returns is exactly what the body holds (its encoding is the body), so that a body of n
// bytes never becomes more than the value n bytes can carry. The seed is printed.

const SEED = Number(process.env.TSVIRT_FUZZ_SEED ?? 0x0dd5eed) >>> 0;
t.comment(`xdr fuzz seed ${SEED} (replay: TSVIRT_FUZZ_SEED=${SEED})`);
const random = prng(SEED);
const RANDOM_BODIES = 40;

const types = new Map<string, XdrType>([['remote_error', remote_error]]);
for (const p of remoteProcedures) {
  if (p.args) types.set(`${p.name} call`, p.args);
  if (p.ret) types.set(`${p.name} reply`, p.ret);
}

/** Decode a hostile body: a value whose encoding is the body, or XdrError. */
function decodeHostile(type: XdrType, body: Buffer): 'value' | 'refused' | string {
  let value: unknown;
  try {
    value = decodeXdr(type, body);
  } catch (e) {
    return e instanceof XdrError ? 'refused' : `threw ${(e as Error).name}: ${(e as Error).message}`;
  }
  return encodeXdr(type, value).equals(body) ? 'value' : 'decoded to a value that is not the body';
}

t.test(`${types.size} XDR types of the REMOTE program against hostile bodies`, async (t) => {
  const problems: string[] = [];
  let refused = 0;
  let decoded = 0;
  const count = (what: string, outcome: string) => {
    if (outcome === 'refused') refused++;
    else if (outcome === 'value') decoded++;
    else problems.push(`${what}: ${outcome}`);
  };
  for (const [name, type] of types) {
    for (let i = 0; i < RANDOM_BODIES; i++) {
      const body = Buffer.from(Array.from({ length: Math.floor(random() * 200) }, () => Math.floor(random() * 256)));
      count(`${name}, random ${body.toString('hex')}`, decodeHostile(type, body));
    }
    const sample = encodeXdr(type, sampleOf(type, random));
    for (let n = 0; n < sample.length; n++) {
      const outcome = decodeHostile(type, sample.subarray(0, n));
      if (outcome !== 'refused') problems.push(`${name}: a body cut to ${n} of ${sample.length} bytes ${outcome === 'value' ? 'decoded' : outcome}`);
      else refused++;
    }
    for (let at = 0; at + 4 <= sample.length; at += 4) {
      for (const word of [0xffffffff, 0x7fffffff, 0x00100001]) {
        const body = Buffer.from(sample);
        body.writeUInt32BE(word, at);
        count(`${name}, word ${at / 4} = ${word.toString(16)}`, decodeHostile(type, body));
      }
    }
  }
  t.strictSame(problems, [], `seed ${SEED}`);
  t.ok(refused > decoded, `${refused} bodies refused, ${decoded} decoded`);
});
