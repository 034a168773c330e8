// Save and restore of a guest's state through QEMU's migration stream, which
// QEMU writes to (or reads from) a unix socket that the driver pipes to the
// file: no shell, no "exec:" migration URI. The file is a header line (JSON:
// format and domain XML) followed by the raw stream.

import { once } from 'node:events';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import net from 'node:net';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorNumber } from '@tsvirt/core';
import { strerror } from '@tsvirt/core/driver';
import { qemuError } from './qemu-errors.js';
import type { JobProgress } from './qemu-jobs.js';
import type { QmpClient } from './qmp/qmp-client.js';

const MAGIC = 'tsvirt-qemu-save';
const FORMAT = 1;
const MAX_HEADER_BYTES = 1 << 20;
const POLL_MS = 10;

/**
 * Stream a paused QEMU's state into `file`, after a header holding the domain's XML.
 * `qemuUser`: the socket is given to the user QEMU runs as, so that it may connect.
 */
export async function saveToFile(
  qmp: QmpClient, socketPath: string, file: string, xml: string, qemuUser?: { uid: number; gid: number }, progress?: (p: JobProgress) => void,
): Promise<void> {
  await fs.rm(socketPath, { force: true });
  const server = net.createServer();
  server.listen(socketPath);
  await once(server, 'listening');
  const out = createWriteStream(file, { mode: 0o600 });
  try {
    if (qemuUser) await fs.chown(socketPath, qemuUser.uid, qemuUser.gid);
    out.write(`${JSON.stringify({ magic: MAGIC, format: FORMAT, xml })}\n`);
    const accepted = once(server, 'connection') as Promise<[net.Socket]>;
    await qmp.execute('migrate', { uri: `unix:${socketPath}` });
    const [conn] = await accepted;
    await Promise.all([pipeline(conn, out), waitForMigration(qmp, progress)]);
  } catch (e) {
    out.destroy();
    await fs.rm(file, { force: true });
    throw e;
  } finally {
    server.close();
    await fs.rm(socketPath, { force: true });
  }
}

/** The header of a save file: its domain XML and where the stream starts. */
export async function readSaveHeader(file: string): Promise<{ xml: string; offset: number }> {
  const handle = await fs.open(file, 'r').catch((e: NodeJS.ErrnoException) => {
    throw qemuError(ErrorNumber.SYSTEM_ERROR, `Failed to open domain image file '${file}': ${strerror(e)}`);
  });
  try {
    const buf = Buffer.alloc(MAX_HEADER_BYTES);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const end = buf.subarray(0, bytesRead).indexOf(0x0a);
    let header: { magic?: string; format?: number; xml?: string } | undefined;
    try { header = end > 0 ? JSON.parse(buf.subarray(0, end).toString('utf8')) : undefined; } catch { header = undefined; }
    if (header?.magic !== MAGIC || header.format !== FORMAT || typeof header.xml !== 'string') {
      throw qemuError(ErrorNumber.OPERATION_FAILED, 'image magic is incorrect');
    }
    return { xml: header.xml, offset: end + 1 };
  } finally {
    await handle.close();
  }
}

/** Feed a QEMU started with "-incoming defer" the stream saved in `file` from `offset`. */
export async function restoreFromFile(qmp: QmpClient, socketPath: string, file: string, offset: number): Promise<void> {
  await fs.rm(socketPath, { force: true });
  await qmp.execute('migrate-incoming', { uri: `unix:${socketPath}` });
  try {
    const conn = net.createConnection(socketPath);
    await once(conn, 'connect');
    // QEMU closes its end once it has read the whole state, which may cut the pipe
    // short of the file's (padded) end: QEMU's verdict is what counts.
    const piped = pipeline(createReadStream(file, { start: offset }), conn).catch(() => {});
    try {
      await waitForMigration(qmp);
    } finally {
      conn.destroy();
      await piped;
    }
  } finally {
    await fs.rm(socketPath, { force: true });
  }
}

/** Poll query-migrate until the stream is complete; a failure carries QEMU's reason. `progress` hears the RAM sent so far. */
async function waitForMigration(qmp: QmpClient, progress?: (p: JobProgress) => void): Promise<void> {
  for (;;) {
    const info = await qmp.execute<{ status?: string; 'error-desc'?: string; ram?: { total: number; transferred: number } }>('query-migrate');
    if (info.ram) progress?.({ current: info.ram.transferred, total: info.ram.total });
    if (info.status === 'completed') return;
    if (info.status === 'failed' || info.status === 'cancelled') {
      throw qemuError(ErrorNumber.OPERATION_FAILED, `migration job: ${info['error-desc'] ?? info.status}`);
    }
    await sleep(POLL_MS);
  }
}
