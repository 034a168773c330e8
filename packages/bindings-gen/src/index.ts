export type * from './api-model.js';
export { ApiXmlError, readApiXml } from './api-xml-reader.js';
export { breaksOf, surfaceOf, type ApiLock } from './api-lock.js';
export type { Emitter, GeneratedFile } from './emitters/emitter.js';
export { emitters } from './emitters/registry.js';
export { typescriptEmitter } from './emitters/typescript/typescript-emitter.js';
export { docsEmitter } from './emitters/docs/docs-emitter.js';
export { pythonEmitter } from './emitters/python/python-emitter.js';
export { perlEmitter } from './emitters/perl/perl-emitter.js';
