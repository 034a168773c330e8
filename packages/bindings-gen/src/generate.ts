import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
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
