import type { Domain, DomainEvent } from '@tsvirt/core';
import { eventProcedures } from '@tsvirt/core/protocol';
import type { CommandDef, OptionValues } from '../cli/command-def.js';
import { eventLine, eventName } from '../output/domain-event-line.js';
import type { VirshContext } from '../virsh-context.js';
import { lookupDomain } from './domain-lookup.js';

/** The event kinds the API delivers, by the names virsh gives them, in libvirt's event id order. */
const EVENT_KINDS = new Map(eventProcedures.map((e) => [eventName(e.kind), e.kind]));
const EVENT_NAMES = [...EVENT_KINDS.keys()];

/** virTimeStringNowRaw's form: 2026-11-25 21:53:27.123+0000. */
function timestamp(): string {
  return `${new Date().toISOString().replace('T', ' ').replace('Z', '')}+0000`;
}

type WaitEnd = 'done' | 'interrupted' | 'timed out';

/**
 * Print events until the first (or, with --loop, until SIGINT or --timeout), then the
 * count, as virsh does.
 */
async function waitForEvents(ctx: VirshContext, opts: OptionValues, accept: (e: DomainEvent) => boolean): Promise<boolean> {
  const conn = (await ctx.connection())!;
  const loop = opts.has('loop');
  const limit = loop ? Infinity : 1;
  const timeoutMs = opts.has('timeout') ? Number(opts.get('timeout')) * 1000 : 0;
  let count = 0;
  let finish: (end: WaitEnd) => void = () => undefined;
  const ended = new Promise<WaitEnd>((resolve) => { finish = resolve; });
  const id = await conn.domainEventRegister((e) => {
    if (count >= limit || !accept(e)) return;
    ctx.print(`${opts.has('timestamp') ? `${timestamp()}: ` : ''}${eventLine(e)}`);
    if (++count >= limit) finish('done');
  });
  const onSigint = () => finish('interrupted');
  process.once('SIGINT', onSigint);
  const timer = timeoutMs > 0 ? setTimeout(() => finish('timed out'), timeoutMs) : null;
  // An in-process driver holds no handle open: keep the process alive while waiting.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const end = await ended;
  clearInterval(keepAlive);
  if (timer) clearTimeout(timer);
  process.off('SIGINT', onSigint);
  if (end !== 'done') ctx.print(`event loop ${end}\n`);
  ctx.print(`events received: ${count}\n`);
  await conn.domainEventDeregister(id).catch(() => undefined);
  return count > 0;
}

function badTimeout(opts: OptionValues): string | null {
  for (const name of ['timeout']) {
    const v = opts.get(name);
    if (v !== undefined && !(Number.isSafeInteger(Number(v)) && Number(v) > 0)) return `invalid ${name} value: '${v}'`;
  }
  return null;
}

export const eventCommands: CommandDef[] = [
  {
    name: 'event', group: 'domain', help: 'Domain Events', description: 'List event types, or wait for domain events to occur',
    options: [
      { name: 'domain', type: 'string', help: 'filter by domain name, id or uuid' },
      { name: 'event', type: 'string', help: 'which event type to wait for' },
      { name: 'all', type: 'bool', help: 'wait for all events instead of just one type' },
      { name: 'loop', type: 'bool', help: 'loop until timeout or interrupt, rather than one-shot' },
      { name: 'timeout', type: 'int', help: 'timeout seconds' },
      { name: 'list', type: 'bool', help: 'list valid event types' },
      { name: 'timestamp', type: 'bool', help: 'show timestamp for each printed event' },
    ],
    async run(ctx, opts) {
      for (const [a, b] of [['all', 'event'], ['list', 'all'], ['list', 'event']]) {
        if (opts.has(a!) && opts.has(b!)) {
          ctx.error(`Options --${a} and --${b} are mutually exclusive`);
          return false;
        }
      }
      if (opts.has('list')) {
        ctx.print(EVENT_NAMES.map((n) => `${n}\n`).join(''));
        return true;
      }
      const name = opts.get('event') as string | undefined;
      const kind = name === undefined ? undefined : EVENT_KINDS.get(name);
      if (name === undefined && !opts.has('all')) {
        ctx.error('one of --list, --all, or --event <type> is required');
        return false;
      }
      if (name !== undefined && kind === undefined) {
        ctx.error(`unknown event type ${name}`);
        return false;
      }
      const invalid = badTimeout(opts);
      if (invalid) {
        ctx.error(invalid);
        return false;
      }
      const conn = await ctx.connection();
      if (!conn) return false;
      let only: Domain | null = null;
      if (opts.has('domain')) {
        only = await lookupDomain(ctx, conn, opts.get('domain') as string);
        if (!only) return false;
      }
      const filterUuid = only?.uuid;
      try {
        return await waitForEvents(ctx, opts, (e) => (kind === undefined || e.kind === kind) && (filterUuid === undefined || e.domain.uuid === filterUuid));
      } catch (e) {
        ctx.reportError(e);
        return false;
      }
    },
  },
];
