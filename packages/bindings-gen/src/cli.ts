#!/usr/bin/env node
import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ApiXmlError, readApiXml } from './api-xml-reader.js';
import { emitters, type RegisteredEmitter } from './emitters/registry.js';
import { exportsDiff, exportsLockText, exportsOf, type ExportsLock } from './exports-lock.js';
import { breaksOf, lockText, orphanFiles, readLock, run, staleFiles, writeFiles } from './generate.js';

const USAGE = `usage: tsvirt-bindgen [--lang LANG]... [--out DIR] [--check] [--update-lock] [--record-exports] [API_XML]

  Generates code from api.xml (default: the nearest api.xml at or above the current folder).
  --lang LANG     an emitter (default: all the project's own); known: ${emitters.map((e) => e.name).join(', ')}
  --out DIR       write into DIR instead of the project's own places (with one --lang)
  --check         write nothing; fail if a generated file is stale or a released symbol broke
  --update-lock   record the current surface as released in api.lock.json (a release step)
  --record-exports  record the built packages' exported names in exports.lock.json, which
                  --check then compares them with (where that file exists beside api.xml)`;

function findApiXml(): string {
  for (let d = process.cwd(); ; d = dirname(d)) {
    if (existsSync(join(d, 'api.xml'))) return join(d, 'api.xml');
    if (dirname(d) === d) throw new Error('no api.xml found here or above; name one');
  }
}

function main(argv: string[]): number {
  let check = false;
  let updateLock = false;
  let recordExports = false;
  let out: string | null = null;
  let file: string | null = null;
  const langs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--check') check = true;
    else if (a === '--update-lock') updateLock = true;
    else if (a === '--record-exports') recordExports = true;
    else if (a === '--lang') langs.push(argv[++i] ?? '');
    else if (a === '--out') out = argv[++i] ?? '';
    else if (a === '--help' || a === '-h') { console.log(USAGE); return 0; }
    else if (a.startsWith('-')) { console.error(`tsvirt-bindgen: unknown option ${a}\n${USAGE}`); return 2; }
    else file = a;
  }
  const unknown = langs.filter((l) => !emitters.some((e) => e.name === l));
  if (unknown.length) { console.error(`tsvirt-bindgen: unknown language ${unknown.join(', ')} (known: ${emitters.map((e) => e.name).join(', ')})`); return 2; }
  if (out !== null && langs.length !== 1) { console.error('tsvirt-bindgen: --out goes with exactly one --lang'); return 2; }

  const apiFile = resolve(file ?? findApiXml());
  const root = dirname(apiFile);
  const api = readApiXml(apiFile);
  const lockFile = join(root, 'api.lock.json');
  const lock = readLock(lockFile);
  // A break of the released API is the first thing to say: the emitters may not even fit the changed API.
  const breaks = lock ? breaksOf(lock, api) : [];
  if (check && breaks.length) {
    console.error(`the stable API is broken (a break needs a new major version):\n  ${breaks.join('\n  ')}`);
    return 1;
  }
  const chosen = langs.length ? emitters.filter((e) => langs.includes(e.name)) : emitters.filter((e) => e.projectDir !== undefined);
  const files = run(chosen, api, (e) => resolve(out ?? join(root, (e as RegisteredEmitter).projectDir ?? '.')));
  // Only the project's own folders are pruned: a folder named with --out is the user's.
  const projectDirs = chosen.flatMap((e) => (e.projectDir === undefined ? [] : [join(root, e.projectDir)]));
  const orphans = out === null ? orphanFiles(files, projectDirs) : [];
  const exportsLockFile = join(root, 'exports.lock.json');
  if (recordExports) {
    writeFiles([{ path: exportsLockFile, text: exportsLockText(exportsOf(join(root, 'packages'))) }]);
    console.log('wrote exports.lock.json');
    return 0;
  }

  if (check) {
    let ok = true;
    const stale = staleFiles(files, root);
    if (stale.length) { ok = false; console.error(`stale generated files (run \`pnpm gen\`):\n  ${stale.join('\n  ')}`); }
    if (orphans.length) { ok = false; console.error(`files no longer generated (run \`pnpm gen\` to remove them):\n  ${orphans.map((f) => relative(root, f)).join('\n  ')}`); }
    if (!lock) { ok = false; console.error(`no ${lockFile}: run tsvirt-bindgen --update-lock to record the released surface`); }
    if (out === null && existsSync(exportsLockFile)) {
      const diff = exportsDiff(JSON.parse(readFileSync(exportsLockFile, 'utf8')) as ExportsLock, exportsOf(join(root, 'packages')));
      if (diff.length) { ok = false; console.error(`the packages' exports differ from exports.lock.json (record a deliberate change with \`pnpm gen:exports\`):\n  ${diff.join('\n  ')}`); }
    }
    if (ok) console.log(`generated files are fresh (${files.length}), the released API is intact and the packages export what is recorded`);
    return ok ? 0 : 1;
  }
  writeFiles(files);
  for (const f of orphans) unlinkSync(f);
  if (updateLock) writeFiles([{ path: lockFile, text: lockText(api) }]);
  console.log(`wrote ${files.length} files${updateLock ? ' and api.lock.json' : ''}`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  console.error(e instanceof ApiXmlError ? e.message : `tsvirt-bindgen: ${(e as Error).message}`);
  process.exitCode = 1;
}
