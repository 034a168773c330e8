// core's conformance suites (the same lifecycle, events, errors, call signals and
// event iterators as every driver) against the Xen driver on the scripted stand-in for
// xl: NOT VERIFIED ON A HYPERVISOR. In this process and through a real tsvirtd, whose
// answers must be the same. This process and the daemon (which inherits the
// environment) share the stand-in's state, each with folders of its own.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorDomain, ErrorNumber, open } from '@tsvirt/core';
import { registerDriver } from '@tsvirt/core/driver';
import t from 'tap';
import {
  daemonSocket, inProcess, stopDaemon, throughDaemon, type Target,
} from '../../core/test/conformance/fixtures/conformance-target.js';
import { callSignalSuite } from '../../core/test/conformance/suites/call-signal.js';
import { eventIteratorSuite } from '../../core/test/conformance/suites/event-iterator.js';
import { inProcessVsRemoteSuite } from '../../core/test/conformance/suites/in-process-vs-remote.js';
import { lifecycleAndErrorsSuite } from '../../core/test/conformance/suites/lifecycle-and-errors.js';
import { driver } from '../src/driver.js';
import { XL_STANDIN } from './fixtures/xl-standin.js';

registerDriver(driver);
t.teardown(stopDaemon);
// every xl call is a process of the stand-in's: on a loaded machine each takes a while
t.setTimeout(900_000);

const scratch = mkdtempSync(join(tmpdir(), 'tsvirt-xen-conformance-'));
t.teardown(() => rmSync(scratch, { recursive: true, force: true }));
Object.assign(process.env, {
  TSVIRT_XEN_XL: XL_STANDIN, XL_STANDIN_STATE: join(scratch, 'xl-standin-state.json'), TSVIRT_XENSTORE_SOCKET: join(scratch, 'no-xenstored'),
  TSVIRT_XEN_CONFIG_DIR: join(scratch, 'xen-config'), TSVIRT_XEN_RUN_DIR: join(scratch, 'xen-run'),
});
const daemon = () => daemonSocket({ TSVIRT_XEN_CONFIG_DIR: join(scratch, 'daemon-xen-config'), TSVIRT_XEN_RUN_DIR: join(scratch, 'daemon-xen-run') });

const xenTraits = {
  xml: (name: string) => `<domain type='xen'><name>${name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
  <os><type>hvm</type></os><devices/></domain>`,
  errorDomain: ErrorDomain.LIBXL, alreadyRunning: () => /Domain is already running/,
  // libvirt's libxl driver names nothing in a lookup's miss
  lookupMiss: () => 'Domain not found',
  // libvirt's libxl driver: the shared domain layer's check (virDomainObjCheckActive)
  suspendStopped: () => ({ code: ErrorNumber.OPERATION_INVALID, domain: ErrorDomain.DOMAIN, message: 'Requested operation is not valid: domain is not running' }),
};

const local: Target = {
  name: 'Xen driver on an xl stand-in (not a hypervisor)', skip: false, connect: (o) => open('xen:///system', { ...o, localOnly: true }), ...xenTraits, ...inProcess,
};
const remote: Target = {
  name: 'Xen driver on an xl stand-in (not a hypervisor) through tsvirtd', skip: false,
  connect: async (o) => open(`xen+unix:///system?socket=${await daemon()}`, o), ...xenTraits, ...throughDaemon,
};

lifecycleAndErrorsSuite([local, remote]);
callSignalSuite([local, remote]);
eventIteratorSuite([local, remote]);
inProcessVsRemoteSuite([{ name: local.name, local, remote }]);
