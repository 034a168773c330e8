// Domain events from a real QEMU, in process on qemu:///session (the scenario is
// fixtures/device-events.ts; the daemon's tests run it through tsvirtd).

import { rmSync } from 'node:fs';
import { open } from '@tsvirt/core';
import { registerDriver } from '@tsvirt/core/driver';
import t from 'tap';
import { driver } from '../src/driver.js';
import { deviceEventsScenario } from './fixtures/device-events.js';
import { privateSession } from './fixtures/private-session.js';

const dir = privateSession('tsvirt-qemu-events-');
registerDriver(driver);
t.setTimeout(240_000);

t.test('graphics, tray-change, device-added, device-removed and tunable from a real QEMU, in process', async (t) => {
  const conn = await open('qemu:///session');
  t.teardown(async () => {
    const dom = await conn.lookupDomainByName('events').catch(() => undefined);
    await dom?.destroy().catch(() => undefined);
    await dom?.undefine().catch(() => undefined);
    await conn.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await deviceEventsScenario(t, conn, 'events', dir);
});
