import t from 'tap';
import { RpcProtocolError } from '../../src/rpc/index.js';

t.test('RpcProtocolError carries a reason code and an optional cause', async (t) => {
  const cause = new SyntaxError('Unexpected end of JSON input');
  const e = new RpcProtocolError('bad-json', 'the body is not valid JSON', { cause });
  t.ok(e instanceof Error);
  t.equal(e.name, 'RpcProtocolError');
  t.equal(e.reason, 'bad-json');
  t.equal(e.message, 'the body is not valid JSON');
  t.equal(e.cause, cause);
  t.match(String(e), /^RpcProtocolError: the body is not valid JSON$/);
  t.equal(new RpcProtocolError('too-long', 'x').cause, undefined);
});
