import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { readApiXml } from '../src/index.js';

// How much of libvirt 9.0's public API api.xml declares, measured against libvirt's own list
// of functions (libvirt-dev's libvirt-api.xml). The C API has functions that a TypeScript API
// has no use for; they are left out of the count by the rules below, each with its reason, so
// that the percentage counts calls an application makes.
const LIBVIRT_API = '/usr/share/libvirt/api/libvirt-api.xml';
const apiXml = fileURLToPath(new URL('../../../api.xml', import.meta.url));

/** The share of the counted calls api.xml must declare: raised as groups are added, never lowered. */
const THRESHOLD = 0.51;

/** C-only plumbing: [rule, why, matches(function name, libvirt's file)]. */
const LEFT_OUT: readonly [string, string, (name: string, file: string) => boolean][] = [
  ['reference counting', 'Free/Ref: the garbage collector owns objects', (n) => /(Free|Ref)$/.test(n)],
  ['raw-byte UUIDs', 'GetUUID/LookupByUUID take 16 raw bytes; their String twins are the API', (n) => /(GetUUID|LookupByUUID)$/.test(n)],
  ['typed-parameter helpers', 'virTypedParams*: typed parameters are plain objects', (n) => n.startsWith('virTypedParams')],
  ['error functions', 'virterror: a failed call throws a VirError', (_n, f) => f === 'virterror'],
  ['event-loop functions', 'virEvent*: Node has its event loop', (_n, f) => f === 'libvirt-event'],
  ['library initialisation', 'virInitialize: nothing to initialise', (n) => n === 'virInitialize'],
  ['legacy lists', 'List/NumOf calls of names, superseded by ListAll* returning objects',
    (n) => /^vir(Connect(List(?!All)|NumOf)|NodeListDevices$|NodeNumOfDevices$|StoragePool(ListVolumes|NumOfVolumes)$|DomainSnapshot(ListNames|ListChildrenNames|Num|NumChildren)$)/.test(n)],
  ['legacy event registration', 'virConnectDomainEventRegister/Deregister, superseded by the *Any pair', (n) => /^virConnectDomainEvent(Register|Deregister)$/.test(n)],
];

/** libvirt functions that tsvirt offers in another form than a method of api.xml. */
const OTHER_FORM: Readonly<Record<string, string>> = {
  virConnectOpen: 'open(uri)',
  virConnectOpenReadOnly: 'open(uri, { readOnly: true })',
  virConnectSetKeepAlive: 'open(uri, { keepalive })',
};

interface Coverage { counted: string[][]; covered: string[][]; missing: string[][]; leftOut: Record<string, number> }

/**
 * libvirt's functions grouped as calls (a *Flags or *WithFlags function and the older one
 * without flags are one call), less the plumbing; a call is covered when api.xml declares
 * one of its functions as a method or property, or tsvirt has it in another form.
 */
function measure(libvirtXml: string): Coverage {
  const api = readApiXml(apiXml);
  const declared = new Set(api.objects.flatMap((o) => [...o.methods, ...o.properties].map((m) => m.c).filter((c): c is string => !!c)));
  // An object's virXGetConnect is its `connection`, which every generated object has.
  for (const o of api.objects) if (o.c) declared.add(`${o.c}GetConnect`);
  const functions = [...libvirtXml.matchAll(/<function name='(\w+)' file='([\w-]+)'/g)].map((m) => [m[1]!, m[2]!] as const);
  const leftOut: Record<string, number> = {};
  const kept = functions.filter(([n, f]) => {
    const rule = LEFT_OUT.find(([, , match]) => match(n, f));
    if (rule) leftOut[rule[0]] = (leftOut[rule[0]] ?? 0) + 1;
    return !rule;
  }).map(([n]) => n);
  const names = new Set(kept);
  const calls = new Map<string, string[]>();
  for (const n of kept) {
    const twin = /^(.+?)(WithFlags|Flags)$/.exec(n);
    const key = twin && names.has(twin[1]!) ? twin[1]! : n;
    calls.set(key, [...(calls.get(key) ?? []), n]);
  }
  const counted = [...calls.values()];
  const isCovered = (call: string[]) => call.some((n) => declared.has(n) || n in OTHER_FORM);
  return { counted, covered: counted.filter(isCovered), missing: counted.filter((c) => !isCovered(c)), leftOut };
}

t.test('api.xml declares enough of libvirt 9.0\'s public API, and says what is missing', { skip: existsSync(LIBVIRT_API) ? false : `needs ${LIBVIRT_API} (Debian: libvirt-dev)` }, async (t) => {
  const { counted, covered, missing, leftOut } = measure(readFileSync(LIBVIRT_API, 'utf8'));
  const share = covered.length / counted.length;
  t.comment(`left out as C-only plumbing: ${Object.entries(leftOut).map(([r, n]) => `${r} ${n}`).join(', ')}`);
  t.comment(`api.xml covers ${covered.length} of libvirt's ${counted.length} calls: ${(share * 100).toFixed(1)}%`);
  t.comment(`missing (${missing.length}):\n${missing.map((c) => c.join('/')).join('\n')}`);
  t.ok(counted.length > 350, `libvirt's list was read (${counted.length} calls counted)`);
  t.ok(share >= THRESHOLD, `${(share * 100).toFixed(1)}% covered, at least ${THRESHOLD * 100}%`);
});

t.test('every libvirt function api.xml names exists in libvirt 9.0', { skip: existsSync(LIBVIRT_API) ? false : `needs ${LIBVIRT_API} (Debian: libvirt-dev)` }, async (t) => {
  const libvirt = new Set([...readFileSync(LIBVIRT_API, 'utf8').matchAll(/<function name='(\w+)'/g)].map((m) => m[1]!));
  const api = readApiXml(apiXml);
  const unknown = api.objects.flatMap((o) => [...o.methods, ...o.properties].map((m) => m.c).filter((c): c is string => !!c && !libvirt.has(c)));
  t.strictSame(unknown, [], 'no misspelt or invented C name');
});
