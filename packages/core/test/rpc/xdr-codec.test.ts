import t from 'tap';
import { decodeXdr, encodeXdr, minEncodedSize, XdrError, type XdrType } from '../../src/rpc/index.js';
import { remote_error, remote_nonnull_domain, remote_typed_param, remote_connect_list_all_domains_ret } from '../../src/gen/remote-program.gen.js';
import { bytes } from './fixtures/frames.js';

const UUID = 'c7a5fdbd-cdaf-9455-926a-d65c16db1809';
const uuidHex = UUID.replace(/-/g, '');
const dom = { name: 'test', uuid: Buffer.from(uuidHex, 'hex'), id: 1 };
// remote_nonnull_domain: string name (length, bytes), opaque uuid[16], int id
const domBytes = bytes(`00000004 74657374 ${uuidHex} 00000001`);

const xdrError = (pattern: RegExp) => ({ name: 'XdrError', reason: 'bad-xdr', message: pattern });

/** Every proper prefix of an encoding is refused as truncated, never read past its end. */
function refusesEveryPrefix(t: Tap.Test, type: XdrType, encoded: Buffer): void {
  for (let n = 0; n < encoded.length; n++) {
    t.throws(() => decodeXdr(type, encoded.subarray(0, n)), xdrError(/truncated/), `${n} of ${encoded.length} bytes`);
  }
}

t.test('a domain reference: hand-built bytes both ways, and every truncation refused', async (t) => {
  t.same(encodeXdr(remote_nonnull_domain, dom), domBytes);
  t.same(decodeXdr(remote_nonnull_domain, domBytes), dom);
  refusesEveryPrefix(t, remote_nonnull_domain, domBytes);
  t.throws(() => decodeXdr(remote_nonnull_domain, Buffer.concat([domBytes, Buffer.alloc(4)])), xdrError(/4 bytes follow/));
});

t.test('strings are padded to 4 bytes with zeros, and their maximum is checked before reading', async (t) => {
  const type: XdrType = { kind: 'string', max: 8 };
  t.same(encodeXdr(type, 'abcde'), bytes('00000005 61626364 65000000'));
  t.equal(decodeXdr(type, bytes('00000005 61626364 65000000')), 'abcde');
  t.same(encodeXdr(type, ''), bytes('00000000'));
  t.throws(() => encodeXdr(type, 'abcdefghi'), xdrError(/9-byte string is above the maximum of 8/));
  // a length far beyond the maximum, with no bytes behind it: refused on the length alone
  t.throws(() => decodeXdr(type, bytes('7fffffff')), xdrError(/string length 2147483647 is above the maximum of 8/));
  t.throws(() => decodeXdr({ kind: 'string', max: 0xffffffff }, bytes('7fffffff 41414141')), xdrError(/truncated/), 'a length the body cannot hold');
  t.throws(() => decodeXdr(type, bytes('00000003 61006200')), xdrError(/NUL/));
  t.throws(() => decodeXdr(type, bytes('00000002 c3280000')), xdrError(/not UTF-8/));
  t.throws(() => decodeXdr(type, bytes('00000005 61626364 65000100')), xdrError(/padding bytes that are not zero/));
});

t.test('opaque data, fixed and variable', async (t) => {
  t.same(encodeXdr({ kind: 'opaque', max: 4 }, Buffer.from([1, 2, 3])), bytes('00000003 01020300'));
  t.same(decodeXdr({ kind: 'opaque', max: 4 }, bytes('00000003 01020300')), Buffer.from([1, 2, 3]));
  t.throws(() => decodeXdr({ kind: 'opaque', max: 4 }, bytes('00000005 01020304 05000000')), xdrError(/above the maximum of 4/));
  t.same(encodeXdr({ kind: 'fixed-opaque', size: 3 }, Buffer.from([9, 8, 7])), bytes('09080700'));
  t.throws(() => encodeXdr({ kind: 'fixed-opaque', size: 3 }, Buffer.from([9, 8])), xdrError(/exactly 3 bytes/));
});

t.test('integers: ranges both ways, hypers beyond 2^53 as bigint', async (t) => {
  t.same(encodeXdr({ kind: 'int' }, -2), bytes('fffffffe'));
  t.equal(decodeXdr({ kind: 'int' }, bytes('fffffffe')), -2);
  t.equal(decodeXdr({ kind: 'uint' }, bytes('fffffffe')), 0xfffffffe);
  t.throws(() => encodeXdr({ kind: 'uint' }, -1), xdrError(/uint must be an integer/));
  t.throws(() => encodeXdr({ kind: 'int' }, 1.5), xdrError(/int must be an integer/));
  t.throws(() => decodeXdr({ kind: 'uchar' }, bytes('00000100')), xdrError(/outside uchar's range/));
  t.same(encodeXdr({ kind: 'hyper' }, -1), bytes('ffffffff ffffffff'));
  t.equal(decodeXdr({ kind: 'hyper' }, bytes('ffffffff ffffffff')), -1);
  t.equal(decodeXdr({ kind: 'uhyper' }, bytes('00000000 ffffffff')), 0xffffffff);
  t.equal(decodeXdr({ kind: 'uhyper' }, bytes('ffffffff ffffffff')), 2n ** 64n - 1n);
  t.same(encodeXdr({ kind: 'uhyper' }, 2n ** 64n - 1n), bytes('ffffffff ffffffff'));
  t.throws(() => encodeXdr({ kind: 'uhyper' }, 2n ** 64n), xdrError(/uhyper must be/));
  t.same(encodeXdr({ kind: 'double' }, 1.5), bytes('3ff80000 00000000'));
});

t.test('booleans, optional values and enums refuse what XDR does not allow', async (t) => {
  t.equal(decodeXdr({ kind: 'bool' }, bytes('00000001')), true);
  t.throws(() => decodeXdr({ kind: 'bool' }, bytes('00000002')), xdrError(/0 or 1, not 2/));
  const opt: XdrType = { kind: 'optional', of: { kind: 'int' } };
  t.equal(decodeXdr(opt, bytes('00000000')), null);
  t.equal(decodeXdr(opt, bytes('00000001 00000007')), 7);
  t.same(encodeXdr(opt, null), bytes('00000000'));
  t.same(encodeXdr(opt, undefined), bytes('00000000'));
  t.throws(() => decodeXdr(opt, bytes('00000002 00000007')), xdrError(/flag is 0 or 1/));
});

t.test('arrays: the count is checked against the maximum and the bytes left before anything is allocated', async (t) => {
  const list = remote_connect_list_all_domains_ret;
  const encoded = bytes(`00000001 ${domBytes.toString('hex')} 00000001`);
  t.same(encodeXdr(list, { domains: [dom], ret: 1 }), encoded);
  t.same(decodeXdr(list, encoded), { domains: [dom], ret: 1 });
  refusesEveryPrefix(t, list, encoded);
  t.throws(() => decodeXdr(list, bytes('00004001')), xdrError(/array count 16385 is above the maximum of 16384/));
  // 16384 domains claimed, each at least 24 bytes: refused at once for want of the bytes
  t.throws(() => decodeXdr(list, bytes('00004000 00000000')), xdrError(/truncated: array count 16384 needs 393216 bytes/));
  t.equal(minEncodedSize(remote_nonnull_domain), 24);
  const fixed: XdrType = { kind: 'fixed-array', of: { kind: 'char' }, size: 3 };
  t.same(encodeXdr(fixed, [65, 66, 0]), bytes('00000041 00000042 00000000'));
  t.throws(() => encodeXdr(fixed, [65]), xdrError(/exactly 3 items/));
});

t.test("unions: libvirt's typed parameters", async (t) => {
  const ul = bytes('00000006 77656967 68740000 00000004 00000000 00000100');
  t.same(decodeXdr(remote_typed_param, ul), { field: 'weight', value: { type: 4, ul: 256 } });
  t.same(encodeXdr(remote_typed_param, { field: 'weight', value: { type: 4, ul: 256 } }), ul);
  const s = bytes('00000001 73000000 00000007 00000002 6f6b0000');
  t.same(decodeXdr(remote_typed_param, s), { field: 's', value: { type: 7, s: 'ok' } });
  refusesEveryPrefix(t, remote_typed_param, s);
  t.throws(() => decodeXdr(remote_typed_param, bytes('00000001 73000000 00000008 00000000')), xdrError(/no arm for type 8/));
  t.throws(() => encodeXdr(remote_typed_param, { field: 'x', value: { type: 0 } }), xdrError(/no arm for type 0/));
});

t.test("libvirt's remote_error", async (t) => {
  const err = {
    code: 42, domain: 10, message: 'Domain not found', level: 2, dom: null,
    str1: 'Domain not found: %s', str2: null, str3: null, int1: -1, int2: -1, net: null,
  };
  const encoded = encodeXdr(remote_error, err);
  t.same(encoded.subarray(0, 12), bytes('0000002a 0000000a 00000001'), 'code, domain, then the message present');
  t.same(decodeXdr(remote_error, encoded), err);
  refusesEveryPrefix(t, remote_error, encoded);
});

t.test('a value that does not fit its type is refused with the path to it', async (t) => {
  t.throws(() => encodeXdr(remote_nonnull_domain, { name: 'x', uuid: Buffer.alloc(16), id: 'one' }), xdrError(/^id: int must be/));
  t.throws(() => encodeXdr(remote_nonnull_domain, null), xdrError(/remote_nonnull_domain must be an object/));
  t.ok(new XdrError('a.b', 'x') instanceof Error);
});
