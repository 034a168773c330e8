import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { breaksOf, surfaceOf, type ApiLock } from './api-lock.js';
import type { ApiDef } from './api-model.js';
import type { Emitter, GeneratedFile } from './emitters/emitter.js';

/** Write files atomically (temp file, rename) so that an interrupted run leaves whole files. */
export function writeFiles(files: GeneratedFile[]): void {
  for (const f of files) {
    mkdirSync(dirname(f.path), { recursive: true });
    const tmp = `${f.path}.tmp-${process.pid}`;
    writeFileSync(tmp, f.text);
    renameSync(tmp, f.path);
  }
}

/** The files whose committed text differs from what the generator makes now. */
export function staleFiles(files: GeneratedFile[], root: string): string[] {
  return files.filter((f) => !existsSync(f.path) || readFileSync(f.path, 'utf8') !== f.text).map((f) => relative(root, f.path));
}

/**
 * Files in the generator's own folders that it no longer makes (the page of an object
 * that was renamed, say): left in place they would read as current.
 */
export function orphanFiles(files: GeneratedFile[], dirs: string[]): string[] {
  const made = new Set(files.map((f) => resolve(f.path)));
  return dirs.filter((d) => existsSync(d)).flatMap((d) => readdirSync(d).map((n) => join(d, n)))
    .filter((p) => statSync(p).isFile() && !made.has(resolve(p)));
}

export function readLock(file: string): ApiLock | null {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ApiLock) : null;
}

export function lockText(api: ApiDef): string {
  return `${JSON.stringify(surfaceOf(api), null, 2)}\n`;
}

export function run(emitters: Emitter[], api: ApiDef, outDirOf: (e: Emitter) => string): GeneratedFile[] {
  return emitters.flatMap((e) => e.emit(api, outDirOf(e)));
}

export { breaksOf, join };
