import t from 'tap';
import { DomainCreateFlags, DomainState, ErrorNumber, VirError, enumName, flagNames, open, type Connect } from '../src/index.js';
import { registerDriver } from '../src/entry-points/driver.js';
import { driver } from '../../driver-test/dist/index.js';

registerDriver(driver);

t.test('await using closes a connection at the end of its block, also when the block throws', async (t) => {
  let kept: Connect | undefined;
  {
    await using conn = await open('test:///default');
    kept = conn;
    t.equal(await conn.getType(), 'TEST');
  }
  await t.rejects(kept.getType(), { code: ErrorNumber.INVALID_CONN }, 'closed after the block');
  await t.rejects((async () => {
    await using conn = await open('test:///default');
    kept = conn;
    throw new Error('the block failed');
  })(), /the block failed/);
  await t.rejects(kept.getType(), VirError, 'closed although the block threw');
  const closedFirst = await open('test:///default');
  await closedFirst.close();
  await t.resolves(closedFirst[Symbol.asyncDispose](), 'disposing a closed connection does not close it twice');
});

t.test('enum values have names, and flags the names of their bits', async (t) => {
  t.equal(enumName(DomainState, DomainState.RUNNING), 'RUNNING');
  t.equal(enumName(DomainState, 99), undefined);
  t.same(flagNames(DomainCreateFlags, DomainCreateFlags.START_PAUSED | DomainCreateFlags.START_BYPASS_CACHE), ['START_PAUSED', 'START_BYPASS_CACHE']);
  t.same(flagNames(DomainCreateFlags, 0), ['NONE']);
  t.same(flagNames({ HIGH: 0x80000000, LOW: 1 }, 0x80000001), ['HIGH', 'LOW'], 'the 32nd bit counts as set');
});
