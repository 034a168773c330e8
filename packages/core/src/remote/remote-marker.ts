import type { ConnectDriver } from '../gen/driver.gen.js';

/** Marks the remote driver's connections; a registered symbol, so that every copy of core agrees. */
export const REMOTE_DRIVER = Symbol.for('tsvirt.remote-driver');

/** Whether a connection's driver is a daemon's: closing such a connection ends what it streams. Apart from the remote driver, which loads only when needed. */
export const isRemoteDriver = (driver: ConnectDriver): boolean => REMOTE_DRIVER in driver;
