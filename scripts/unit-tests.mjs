// The fast tests `pnpm test:unit` runs, by package folder: pure code and in-process
// drivers, needing nothing but Node and the built workspace (no QEMU, no daemon, no
// packing, no network, no code generation), under a minute on two idle cores. `pnpm test`
// runs these and everything else.
export const unitTests = {
  core: ['test/*.test.ts', 'test/rpc', 'test/remote'],
  'driver-qemu': ['test/xml-to-native.test.ts', 'test/qmp-wire.test.ts', 'test/host-facts.test.ts'],
  'driver-test': ['test'],
  'driver-xen': ['test/formats/config-syntax.test.ts', 'test/formats/device-specs.test.ts', 'test/formats/libvirt-corpus.test.ts', 'test/formats/libxl-json.test.ts'],
};
