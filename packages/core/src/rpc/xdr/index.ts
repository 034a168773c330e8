export * from './xdr-types.js';
export * from './xdr-error.js';
export * from './xdr-reader.js';
export * from './xdr-writer.js';
