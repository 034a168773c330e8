// The fast tests `pnpm test:unit` runs, by package folder: pure code and in-process
// drivers, needing nothing but Node and the built workspace (no QEMU, no daemon, no
// packing, no network), under a minute on two idle cores. `pnpm test` runs these and
// everything else.
export const unitTests = {
  'bindings-gen': ['test/api-check.test.ts', 'test/docs-emitter.test.ts', 'test/release-sync.test.ts'],
  core: ['test/*.test.ts', 'test/rpc', 'test/remote'],
  'driver-qemu': ['test/xml-to-native.test.ts', 'test/qmp-wire.test.ts', 'test/host-facts.test.ts'],
  'driver-test': ['test'],
};
