import { registerDriver } from '@tsvirt/core/driver';

// The mock hypervisor is built in, as in libvirt's virsh, but loaded when a test:// URI
// is first opened, so that a command on another URI does not pay for it at start-up.
// Other drivers are found when their URI scheme is first used.
registerDriver({
  name: 'test',
  schemes: ['test'],
  async open(uri, options) {
    return (await import('@tsvirt/driver-test')).driver.open(uri, options);
  },
});
