import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ErrorDomain, ErrorNumber } from '../gen/errors.gen.js';
import type { ConnectDriver } from '../gen/driver.gen.js';
import { VirError } from '../errors/vir-error.js';
import type { ConnectUri } from '../uri/connect-uri.js';
import type { Driver, OpenOptions } from './driver.js';

/** The package that provides each scheme, so that it can be found when first used. */
export const DRIVER_PACKAGES: Readonly<Record<string, string>> = {
  test: '@tsvirt/driver-test',
  qemu: '@tsvirt/driver-qemu',
  xen: '@tsvirt/driver-xen',
  xenapi: '@tsvirt/driver-xen',
};

/**
 * Schemes whose driver reaches the host a URI names by itself, over the hypervisor's
 * own network API (xenapi://host/ speaks XenAPI to that host), as libvirt's ESX driver
 * does: such a URI is local unless it names a transport.
 */
const HOST_SPEAKING_SCHEMES: ReadonlySet<string> = new Set(['xenapi']);

/**
 * Schemes whose state belongs to one process at a time (a QEMU guest's monitor has one
 * client), known before their package is loaded so that a client of the daemon never
 * loads the driver. A driver registered in process says so with its daemonFirst flag.
 */
const DAEMON_SCHEMES: ReadonlySet<string> = new Set(['qemu']);

const registered: Driver[] = [];

/** Make a driver available to open(). Drivers registered first are tried first. */
export function registerDriver(driver: Driver): void {
  if (!registered.includes(driver)) registered.push(driver);
}

export function registeredDrivers(): readonly Driver[] {
  return registered;
}

/** Whether a local daemon serves this scheme's URIs (the daemon itself opens them in process). */
export function servedByDaemon(scheme: string): boolean {
  return DAEMON_SCHEMES.has(scheme) || registered.some((d) => !d.remote && d.daemonFirst && d.schemes.includes(scheme));
}

/**
 * A package's module: required where Node can require ES modules (20.19 and later),
 * which also works in a single-file build run from a code cache (virsh's); imported
 * where it cannot.
 */
async function loadModule(path: string): Promise<unknown> {
  try {
    return createRequire(path)(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_REQUIRE_ESM' || code === 'ERR_REQUIRE_ASYNC_MODULE') return import(pathToFileURL(path).href);
    throw e;
  }
}

/**
 * Import a driver package where packages are installed: beside the application (its
 * main script's folder and up) or beside core. Never from the working folder, which
 * for a root daemon may be anyone's. False when it is not installed (or provides no
 * driver yet).
 */
async function importDriverPackage(pkg: string): Promise<boolean> {
  const bases = [process.argv[1] ? dirname(resolve(process.argv[1])) : null, dirname(new URL(import.meta.url).pathname)];
  for (const base of bases) {
    if (!base) continue;
    let path: string;
    try {
      path = createRequire(`${base}/`).resolve(pkg);
    } catch {
      continue;
    }
    const mod = (await loadModule(path)) as { driver?: Driver; default?: Driver };
    const driver = mod.driver ?? mod.default;
    if (!driver) return false;
    registerDriver(driver);
    return true;
  }
  return false;
}

/**
 * The URI a scheme's driver offers for a connection opened without one (its probe),
 * loading its package if it is installed; null when it has none or is not installed.
 */
export async function probeDriver(scheme: string): Promise<string | null> {
  const pkg = DRIVER_PACKAGES[scheme];
  const ofScheme = () => registered.filter((d) => !d.remote && d.schemes.includes(scheme));
  if (!ofScheme().length && !(pkg && (await importDriverPackage(pkg)))) return null;
  for (const d of ofScheme()) {
    const uri = d.probe?.() ?? null;
    if (uri) return uri;
  }
  return null;
}

function noDriver(uri: ConnectUri, hint?: string): VirError {
  const e = VirError.of(ErrorNumber.NO_CONNECT, ErrorDomain.NONE, uri.text);
  return hint ? new VirError({ ...e.toJSON(), message: `${e.message} (${hint})` }) : e;
}

/** Whether the remote driver failed to reach a daemon at all (rather than the daemon refusing). */
const unreachable = (e: unknown) => VirError.is(e, ErrorNumber.SYSTEM_ERROR, ErrorDomain.RPC);

/**
 * Find the driver for a URI as libvirt does: local drivers by exact scheme (they
 * decline URIs naming a host or transport), then the remote driver for the rest,
 * and for local URIs whose driver is not in this process (unless `localOnly`).
 */
export async function openDriver(uri: ConnectUri, options: OpenOptions): Promise<ConnectDriver> {
  const isRemoteUri = uri.transport !== null || (uri.host !== null && !HOST_SPEAKING_SCHEMES.has(uri.driver));
  if (!isRemoteUri && !options.localOnly && servedByDaemon(uri.driver)) {
    const viaDaemon = await openSessionOrDaemon(uri, options);
    if (viaDaemon) return viaDaemon;
  }
  const local = () => (isRemoteUri ? [] : registered.filter((d) => !d.remote && d.schemes.includes(uri.driver)));
  const pkg = DRIVER_PACKAGES[uri.driver];
  const installed = isRemoteUri || local().length > 0 || (pkg !== undefined && (await importDriverPackage(pkg)));
  for (const d of local()) {
    const conn = await d.open(uri, options);
    if (conn !== 'declined') return conn;
  }
  const hint = pkg && !installed ? `install ${pkg} to use ${uri.driver}:// URIs` : undefined;
  if (options.localOnly || (!isRemoteUri && installed)) throw noDriver(uri, hint);
  return (await openRemote(uri, options, isRemoteUri)) ?? throwing(noDriver(uri, hint));
}

/**
 * A local URI whose driver belongs in a daemon, through the daemon that runs; for a
 * session URI, the user's daemon started first where none runs (as libvirt's clients do).
 * Null leaves the URI to this process: no daemon runs (or none is installed to start), or
 * the one that runs cannot serve it.
 */
async function openSessionOrDaemon(uri: ConnectUri, options: OpenOptions): Promise<ConnectDriver | null> {
  // A daemon that runs but cannot serve this driver leaves it to this process.
  const viaDaemon = (mustReach: boolean) => openRemote(uri, options, mustReach).catch((e: unknown) => {
    if (VirError.is(e, ErrorNumber.NO_CONNECT)) return null;
    throw e;
  });
  const running = await viaDaemon(false);
  if (running) return running;
  const { mayStartSessionDaemon, startSessionDaemon } = await import('../remote/session-daemon.js');
  if (!mayStartSessionDaemon(uri) || !(await startSessionDaemon(options.readOnly === true))) return null;
  return viaDaemon(true);
}

const throwing = (e: VirError): never => {
  throw e;
};

/** The URI through a daemon; null when no daemon answers (for a local URI, whose daemon may simply not run). */
async function openRemote(uri: ConnectUri, options: OpenOptions, mustReach: boolean): Promise<ConnectDriver | null> {
  const registeredRemotes = registered.filter((d) => d.remote);
  // Loaded on first use only: its transports (tls above all) cost start-up time.
  const remotes = registeredRemotes.length ? registeredRemotes : [(await import('../remote/remote-driver.js')).remoteDriver];
  for (const d of remotes) {
    try {
      const conn = await d.open(uri, options);
      if (conn !== 'declined') return conn;
    } catch (e) {
      if (mustReach || !unreachable(e)) throw e;
    }
  }
  return null;
}
