import type { Emitter } from '../emitter.js';
import { emitApi } from './emit-api.js';
import { emitDriver } from './emit-driver.js';
import { emitEntry } from './emit-entry.js';
import { emitErrors } from './emit-errors.js';
import { emitProcedures } from './emit-procedures.js';
import { emitWireProgram } from './emit-wire.js';

/** TypeScript: the generated half of @tsvirt/core (written into core/src/gen by default). */
export const typescriptEmitter: Emitter = {
  name: 'ts',
  description: 'the TypeScript API surface, errors, driver interface, entry points, RPC table and libvirt\'s wire programs',
  emit: (api, outDir) => [
    emitApi(api, `${outDir}/api.gen.ts`),
    emitErrors(api, `${outDir}/errors.gen.ts`),
    emitDriver(api, `${outDir}/driver.gen.ts`),
    emitEntry(api, `${outDir}/entry.gen.ts`),
    emitProcedures(api, `${outDir}/procedures.gen.ts`),
    ...api.wire.map((p) => emitWireProgram(api, p, outDir)),
  ],
};
