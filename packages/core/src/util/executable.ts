import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

/** Whether this process may run the file at `path`. */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A program by name as a shell finds it on PATH (a name with a slash is that path), or null. */
export function findProgram(name: string): string | null {
  if (name.includes('/')) return isExecutable(name) ? name : null;
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return null;
}
