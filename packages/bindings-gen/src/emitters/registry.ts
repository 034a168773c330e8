import type { Emitter } from './emitter.js';
import { docsEmitter } from './docs/docs-emitter.js';
import { typescriptEmitter } from './typescript/typescript-emitter.js';
import { perlEmitter } from './perl/perl-emitter.js';
import { pythonEmitter } from './python/python-emitter.js';

/** An emitter and, for the project's own languages, where its output lives (from the repository root). */
export type RegisteredEmitter = Emitter & { projectDir?: string };

export const emitters: RegisteredEmitter[] = [
  { ...typescriptEmitter, projectDir: 'packages/core/src/gen' },
  { ...docsEmitter, projectDir: 'docs/api' },
  { ...pythonEmitter, projectDir: 'bindings/python' },
  { ...perlEmitter, projectDir: 'bindings/perl' },
];
