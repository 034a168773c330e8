import type { ConnectDriver } from '../gen/driver.gen.js';
import type { ConnectUri } from '../uri/connect-uri.js';

export interface OpenOptions {
  readOnly?: boolean;
  /** only drivers in this process: no fallback to the daemon (the daemon itself opens this way) */
  localOnly?: boolean;
  /**
   * the folders from which the driver may read the files the URI names, itself or through
   * what it names (a test driver node file and its `file=` references); absent: any. The
   * daemon sets it for clients that may open files only where an administrator allowed.
   */
  fileDirs?: readonly string[];
  /**
   * through a daemon: a keepalive ping after `interval` seconds of silence (0: none), and
   * the daemon given up after `count` unanswered (virConnectSetKeepAlive; default 5 and 6,
   * or the URI's keepalive_interval and keepalive_count)
   */
  keepalive?: { interval: number; count: number };
}

/**
 * A hypervisor driver: the URI schemes it answers to, and how it opens a connection.
 * `open` says 'declined' for a URI that it does not take (another driver may).
 */
export interface Driver {
  name: string;
  schemes: readonly string[];
  /** whether it serves URIs that name a host or a transport (only the remote driver does) */
  remote?: boolean;
  /**
   * whether its state belongs to one process at a time (the QEMU driver: a guest's
   * monitor has one client): a local daemon that runs then serves its URIs, as libvirt's
   * always does, and this process opens it only when none runs
   */
  daemonFirst?: boolean;
  open(uri: ConnectUri, options: OpenOptions): Promise<ConnectDriver | 'declined'> | ConnectDriver | 'declined';
  /**
   * The URI this driver would serve a connection opened without one, or null when it
   * cannot serve this user here (libvirt's URI probe)
   */
  probe?(): string | null;
}
