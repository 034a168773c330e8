export * from './rpc-constants.js';
export * from './rpc-error.js';
export * from './frame-codec.js';
export * from './json-body-codec.js';
export * from './keepalive.js';
export * from './xdr/index.js';
export * from './wire-procedure.js';
export * from './wire-values.js';
