import type { ApiDef, TypeRef } from './api-model.js';

/**
 * The released surface of the API, as api.lock.json records it: one line per public
 * symbol. A released symbol is never removed or changed (libvirt's stable-API promise);
 * only a new major version may break it.
 */
export interface ApiLock { version: string; symbols: Record<string, string> }

const typeText = (t: TypeRef) => (t.list ? `${t.name}[]` : t.name);

export function surfaceOf(api: ApiDef): ApiLock {
  const symbols: Record<string, string> = {};
  for (const c of api.errors.codes) symbols[`error code ${c.name}`] = String(c.value);
  for (const d of api.errors.domains) symbols[`error domain ${d.name}`] = String(d.value);
  for (const l of api.errors.levels) symbols[`error level ${l.name}`] = String(l.value);
  for (const e of api.enums) {
    symbols[`${e.kind} ${e.name}`] = e.prefix;
    for (const v of e.values) symbols[`${e.kind} ${e.name}.${v.name}`] = String(v.value);
  }
  for (const s of api.structs) for (const f of s.fields) symbols[`struct ${s.name}.${f.name}`] = typeText(f.type);
  for (const o of api.objects) {
    for (const p of o.properties) symbols[`property ${o.name}.${p.name}`] = typeText(p.type);
    for (const m of o.methods) {
      const args = m.args.map((a) => `${a.name}${a.optional ? '?' : ''}: ${typeText(a.type)}`).join(', ');
      const writeFlags = m.args.flatMap((a) => a.writeFlags.map((w) => `${a.name}.${w.name}`));
      const flagAccess = writeFlags.length ? `; write ${writeFlags.join(' ')}` : '';
      symbols[`method ${o.name}.${m.name}`] = `(${args}) => ${typeText(m.returns)}; proc ${m.proc ?? 'none'}; ${m.access}${flagAccess}`;
    }
  }
  for (const e of api.events) {
    symbols[`event ${e.name}`] = `id ${e.id}; proc ${e.proc}; ${e.fields.map((f) => `${f.name}: ${typeText(f.type)}`).join(', ')}`;
  }
  return { version: api.version, symbols };
}

/** A method may gain optional arguments at its end; anything else is a change. */
function compatibleMethod(was: string, now: string): boolean {
  const parse = (s: string) => {
    const m = /^\((.*)\) => (.*)$/.exec(s)!;
    return { args: m[1] ? m[1].split(', ') : [], rest: m[2] };
  };
  const a = parse(was);
  const b = parse(now);
  return a.rest === b.rest && a.args.every((x, i) => b.args[i] === x) && b.args.slice(a.args.length).every((x) => x.includes('?:'));
}

const major = (v: string) => Number(v.split('.')[0]);

/** The breaks of the released surface by the current API: empty when it is compatible. */
export function breaksOf(lock: ApiLock, api: ApiDef): string[] {
  const now = surfaceOf(api).symbols;
  if (major(api.version) > major(lock.version)) return [];
  const breaks: string[] = [];
  for (const [name, was] of Object.entries(lock.symbols)) {
    const cur = now[name];
    if (cur === undefined) breaks.push(`released symbol '${name}' was removed (it was: ${was})`);
    else if (cur !== was && !(name.startsWith('method ') && compatibleMethod(was, cur))) {
      breaks.push(`released symbol '${name}' changed: was '${was}', now '${cur}'`);
    }
  }
  return breaks;
}
