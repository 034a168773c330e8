/**
 * @tsvirt/core: tsvirt's public API, for applications. `open(uri)` gives a Connect;
 * everything else hangs off it. Every failure is a VirError with libvirt's code,
 * domain and message. What drivers and tools need beyond this lives in the subpath
 * exports: `@tsvirt/core/driver`, `@tsvirt/core/protocol`, `@tsvirt/core/xml`.
 */
export * from './gen/api.gen.js';
export * from './gen/errors.gen.js';
export { VirError, type VirErrorData } from './errors/vir-error.js';
export { enumName, flagNames } from './enum-names.js';
export { open } from './open.js';
export { defaultUri } from './uri/default-uri.js';
export type { OpenOptions } from './drivers/driver.js';
