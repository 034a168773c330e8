// The QEMU driver's building blocks; the driver entry (qemu:///system, qemu:///session) comes next.
export { QmpClient, type QmpConnectOptions, type QmpClientEvents } from './qmp/qmp-client.js';
export { QmpError, QmpClosedError } from './qmp/qmp-error.js';
export * from './qmp/qmp-wire.js';
export { QemuProcess, QemuStartError, type QemuStartOptions, type QemuExit, type QemuStopResult } from './qemu-process.js';
export {
  probeQemuCapabilities, loadQemuCapabilities,
  type QemuCapabilities, type QemuCapabilitiesOptions, type QemuMachine, type QemuCpuModel,
} from './qemu-capabilities.js';
