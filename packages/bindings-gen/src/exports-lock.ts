import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Node, Project, ts, type ExportedDeclarations } from 'ts-morph';

/**
 * The exported surface of a workspace's packages, as exports.lock.json records it: for
 * each package's entry point (`@tsvirt/core`, `@tsvirt/core/driver`, ...), each exported
 * name with its declaration, and each member of an exported class or interface as
 * `Name.member`. Read from the built declaration files, which are what users compile
 * against. A name that appears, goes or changes without being recorded fails the check,
 * so that internals do not leak into a public entry point unnoticed.
 */
export type ExportsLock = Record<string, Record<string, string>>;

/** A declaration's text as one line, without comments, `export` or `declare`. */
const oneLine = (node: Node): string => node.getText(false)
  .replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '')
  .replace(/\s+/g, ' ')
  .replace(/^(export )?(default )?(declare )?/, '')
  .trim();

/** The lines one exported name contributes: the declaration, or a class's or interface's header and members. */
function linesOf(name: string, decl: ExportedDeclarations, into: Record<string, string>): void {
  const add = (key: string, text: string) => { into[key] = into[key] === undefined ? text : `${into[key]} | ${text}`; };
  if (Node.isClassDeclaration(decl) || Node.isInterfaceDeclaration(decl)) {
    const text = oneLine(decl);
    add(name, text.slice(0, text.indexOf('{')).trim());
    for (const member of decl.getMembers()) {
      const memberName = Node.hasName(member) ? member.getName() : Node.isConstructorDeclaration(member) ? 'constructor' : oneLine(member);
      add(`${name}.${memberName}`, oneLine(member));
    }
  } else if (Node.isVariableDeclaration(decl)) {
    add(name, `const ${oneLine(decl)}`);
  } else if (Node.isSourceFile(decl)) {
    add(name, `namespace ${decl.getBaseNameWithoutExtension()}`);
  } else {
    add(name, oneLine(decl));
  }
}

/** The entry points a package's `exports` field declares, with their declaration files. */
function entryPointsOf(pkgDir: string): { name: string; types: string }[] {
  const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { name: string; exports?: Record<string, { types?: string }> };
  return Object.entries(manifest.exports ?? {}).flatMap(([sub, target]) => (target.types
    ? [{ name: sub === '.' ? manifest.name : `${manifest.name}/${sub.replace(/^\.\//, '')}`, types: join(pkgDir, target.types) }]
    : []));
}

/** The current surface of every package under `packagesDir`, from their built declaration files. */
export function exportsOf(packagesDir: string): ExportsLock {
  const project = new Project({ compilerOptions: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, skipLibCheck: true, noLib: true, types: [] }, skipAddingFilesFromTsConfig: true });
  const surface: ExportsLock = {};
  for (const pkg of readdirSync(packagesDir).sort()) {
    const dir = join(packagesDir, pkg);
    if (!existsSync(join(dir, 'package.json'))) continue;
    for (const entry of entryPointsOf(dir)) {
      if (!existsSync(entry.types)) throw new Error(`${entry.name}: ${entry.types} does not exist (build the packages first)`);
      const lines: Record<string, string> = {};
      for (const [name, decls] of project.addSourceFileAtPath(entry.types).getExportedDeclarations()) {
        for (const decl of decls) linesOf(name, decl, lines);
      }
      surface[entry.name] = Object.fromEntries(Object.entries(lines).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
  }
  return surface;
}

/** How `now` differs from the recorded surface, one line per name: empty when they agree. */
export function exportsDiff(recorded: ExportsLock, now: ExportsLock): string[] {
  const out: string[] = [];
  for (const entry of new Set([...Object.keys(recorded), ...Object.keys(now)])) {
    const was = recorded[entry];
    const cur = now[entry];
    if (!cur) { out.push(`${entry}: the entry point was removed`); continue; }
    if (!was) { out.push(`${entry}: a new entry point, not recorded`); continue; }
    for (const [name, text] of Object.entries(was)) {
      if (cur[name] === undefined) out.push(`${entry}: '${name}' was removed (it was: ${text})`);
      else if (cur[name] !== text) out.push(`${entry}: '${name}' changed: was '${text}', now '${cur[name]}'`);
    }
    for (const name of Object.keys(cur)) if (was[name] === undefined) out.push(`${entry}: '${name}' is new, not recorded`);
  }
  return out;
}

export const exportsLockText = (surface: ExportsLock): string => `${JSON.stringify(surface, null, 2)}\n`;
