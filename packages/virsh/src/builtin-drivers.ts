import { registerDriver } from '@tsvirt/core/driver';
import { driver as testDriver } from '@tsvirt/driver-test';

// The mock hypervisor is built in, as in libvirt's virsh; other drivers are found when
// their URI scheme is first used.
registerDriver(testDriver);
