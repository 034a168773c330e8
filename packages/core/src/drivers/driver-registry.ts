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
};

const registered: Driver[] = [];

/** Make a driver available to open(). Drivers registered first are tried first. */
export function registerDriver(driver: Driver): void {
  if (!registered.includes(driver)) registered.push(driver);
}

export function registeredDrivers(): readonly Driver[] {
  return registered;
}

/**
 * Import a driver package as the application would: from the main script's folder,
 * then the working folder, then core's own. False when it is not installed (or
 * provides no driver yet).
 */
async function importDriverPackage(pkg: string): Promise<boolean> {
  const bases = [process.argv[1] ? dirname(resolve(process.argv[1])) : null, process.cwd(), dirname(new URL(import.meta.url).pathname)];
  for (const base of bases) {
    if (!base) continue;
    let path: string;
    try {
      path = createRequire(`${base}/`).resolve(pkg);
    } catch {
      continue;
    }
    const mod = (await import(pathToFileURL(path).href)) as { driver?: Driver; default?: Driver };
    const driver = mod.driver ?? mod.default;
    if (!driver) return false;
    registerDriver(driver);
    return true;
  }
  return false;
}

function noDriver(uri: ConnectUri, hint?: string): VirError {
  const e = VirError.of(ErrorNumber.NO_CONNECT, ErrorDomain.NONE, uri.text);
  return hint ? new VirError({ ...e.toJSON(), message: `${e.message} (${hint})` }) : e;
}

/**
 * Find the driver for a URI as libvirt does: local drivers by exact scheme (they
 * decline URIs naming a host or transport), then the remote driver for the rest.
 */
export async function openDriver(uri: ConnectUri, options: OpenOptions): Promise<ConnectDriver> {
  const isRemoteUri = uri.transport !== null || uri.host !== null;
  const candidates = () => registered.filter((d) => (d.remote ? isRemoteUri || !d.schemes.length : !isRemoteUri && d.schemes.includes(uri.driver)));
  if (!isRemoteUri && !candidates().length) {
    const pkg = DRIVER_PACKAGES[uri.driver];
    if (pkg && !(await importDriverPackage(pkg))) throw noDriver(uri, `install ${pkg} to use ${uri.driver}:// URIs`);
  }
  for (const d of candidates()) {
    const conn = await d.open(uri, options);
    if (conn !== 'declined') return conn;
  }
  throw noDriver(uri);
}
