export { HvNativeError, type HvNativeErrorCode } from './hv-native-error.js';
export { nativeStatus, type NativeStatus } from './native-loader.js';
export { capabilities, type FeaturePath, type FeatureSupport, type HvCapabilities } from './capabilities.js';
export { cpuid, probeCpu, type CpuInfo, type CpuidRegisters } from './cpu-probe.js';
export { CPUID_FEATURE_WORDS, type CpuidFeatureWord } from './cpu-features.js';
export {
  KVM_EXTENSIONS,
  KVM_QEMU_REQUIRED,
  probeKvm,
  type KvmCpuidEntry,
  type KvmExtensionName,
  type KvmInfo,
} from './kvm-probe.js';
export {
  MAX_FDS_PER_MESSAGE,
  recvFds,
  sendFds,
  type ReceivedFds,
  type RecvFdsOptions,
} from './fd-passing.js';
export { formatCpuList, getAffinity, parseCpuList, setAffinity } from './affinity.js';
export { openTap, type OpenedTap } from './tap-device.js';
export { peerCredentials, type PeerCredentials } from './peer-credentials.js';
