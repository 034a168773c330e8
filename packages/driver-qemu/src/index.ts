// @tsvirt/driver-qemu: the QEMU/KVM driver (qemu:///system, qemu:///session) and its building blocks.
export { driver } from './driver.js';
export { QemuConnection, type QemuConnectionOptions } from './qemu-connection.js';
export { qemuDirs, type QemuDirs } from './qemu-dirs.js';
export { domainToQemuArgs, interfaceArgs, type NativeOptions } from './xml-to-native.js';
export { diskArgs, diskAlias } from './disk-args.js';
export { formatQemuArgv } from './native-format.js';
export { QmpClient, type QmpConnectOptions, type QmpClientEvents } from './qmp/qmp-client.js';
export { QmpError, QmpClosedError } from './qmp/qmp-error.js';
export * from './qmp/qmp-wire.js';
export { QemuProcess, QemuStartError, type QemuStartOptions, type QemuExit, type QemuStopResult } from './qemu-process.js';
export {
  probeQemuCapabilities, loadQemuCapabilities,
  type QemuCapabilities, type QemuCapabilitiesOptions, type QemuMachine, type QemuCpuModel,
} from './qemu-capabilities.js';
