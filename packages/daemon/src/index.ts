export { DaemonServer } from './daemon-server.js';
export { DEFAULT_LIMITS, type DaemonLimits } from './daemon-limits.js';
export { listenUnixSockets } from './unix-listener.js';
export { listenTcp, type TlsFiles } from './tcp-listener.js';
