import { IndentationText, Project, QuoteKind, type SourceFile } from 'ts-morph';
import type { ApiDef, TypeRef } from '../../api-model.js';
import { BANNER_TEXT, type GeneratedFile } from '../emitter.js';

const project = new Project({
  useInMemoryFileSystem: true,
  manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Single },
});

/** A fresh ts-morph source file to build one generated module in. */
export function newSource(name: string): SourceFile {
  return project.createSourceFile(`/${name}`, '', { overwrite: true });
}

/** The finished text of a generated module: banner first, formatted by ts-morph. */
export function finish(file: SourceFile, path: string): GeneratedFile {
  file.insertStatements(0, `// ${BANNER_TEXT}`);
  file.formatText({ indentSize: 2, convertTabsToSpaces: true, semicolons: 'insert' as never });
  return { path, text: file.getFullText() };
}

/** A doc comment body that is safe inside /** *\/. */
export const jsdoc = (text: string) => text.replace(/\*\//g, '*\\/');

/**
 * The TypeScript type of an api.xml type. `objects` chooses how object types appear:
 * as the public interfaces (Domain) or as the driver's plain references (DomainRef).
 */
export function tsType(t: TypeRef, objects: 'public' | 'ref'): string {
  let base: string;
  switch (t.kind) {
    case 'primitive':
      base = t.name === 'string' || t.name === 'uuid' ? 'string' : t.name === 'boolean' ? 'boolean' : t.name === 'void' ? 'void'
        : t.name === 'params' ? 'TypedParams' : t.name === 'stream' ? 'Duplex' : t.name === 'bytes' ? 'Uint8Array' : 'number';
      break;
    case 'listener':
      base = objects === 'ref' ? 'DomainEventSink' : 'DomainEventListener';
      break;
    case 'filter':
      base = objects === 'ref' ? 'DomainEventFilterData' : 'DomainEventFilter';
      break;
    case 'callback': // the same function on both sides
      base = t.name;
      break;
    case 'object':
      base = objects === 'ref' ? `${t.name}Ref` : t.name;
      break;
    default:
      base = t.name;
  }
  return t.list ? `${base}[]` : base;
}

/** The union of domain events: one member per <event>, discriminated by `kind`. */
export function eventUnion(api: ApiDef, objects: 'public' | 'ref'): string {
  const domain = objects === 'ref' ? 'DomainRef' : 'Domain';
  return api.events.map((e) => `{ kind: '${e.name}'; domain: ${domain}${e.fields.map((f) => `; ${f.name}${f.optional ? '?' : ''}: ${tsType(f.type, objects)}`).join('')} }`).join('\n  | ') || 'never';
}

/** The error domain (ErrorDomain key) that an object's API calls report in, as libvirt's do. */
/**
 * The error domain of a call's own checks: libvirt's public API functions report from the
 * domain of the file that holds them (libvirt-domain.c: VIR_FROM_DOMAIN, libvirt-network.c:
 * VIR_FROM_NETWORK, ...), which the C name tells; libvirt-host.c reports from VIR_FROM_DOMAIN.
 */
export function errorDomainOf(c: string | null): string {
  const name = c ?? '';
  const rules: [RegExp, string][] = [
    [/^virDomainSnapshot/, 'DOMAIN_SNAPSHOT'], [/^virDomainCheckpoint/, 'DOMAIN_CHECKPOINT'],
    [/^virConnect(?:ListAll)?Networks?|^virNetwork/, 'NETWORK'],
    [/^virConnect(?:ListAll)?StoragePools?|^virStorage/, 'STORAGE'],
    [/^virConnect(?:ListAll)?Interfaces?|^virInterface/, 'INTERFACE'],
    [/^virConnect(?:ListAll)?NodeDevices?|^virNodeDevice/, 'NODEDEV'],
    [/^virConnect(?:ListAll)?Secrets?|^virSecret/, 'SECRET'],
    [/^virConnect(?:ListAll)?NWFilters?|^virNWFilter/, 'NWFILTER'],
    [/^virConnect(?:Open|Close|Ref)/, 'NONE'],
    [/^vir(?:Domain|Connect|Node)/, 'DOMAIN'],
  ];
  return rules.find(([re]) => re.test(name))?.[1] ?? 'NONE';
}

const RESERVED = new Set(['interface', 'package', 'private', 'protected', 'public', 'static', 'let', 'yield', 'implements', 'function', 'delete', 'new', 'class', 'enum']);

/** The parameter name for an object's own reference (domain, network, iface...), never a reserved word. */
export function selfParam(object: string): string {
  const name = object[0].toLowerCase() + object.slice(1);
  return RESERVED.has(name) ? `${name}Ref` : name;
}

/** Import Node's Duplex into a generated module when some call returns a stream. */
export function importStreamType(f: SourceFile, api: ApiDef): void {
  if (api.objects.some((o) => o.methods.some((m) => m.returns.name === 'stream'))) {
    f.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: 'node:stream', namedImports: ['Duplex'] });
  }
}
