// The same calls in process and through tsvirtd give the same answers: handle ids
// (a value that follows only the calls made with it, as libvirt's virDomainPtr),
// events (what, in which order, naming which id, through per-domain filters), and
// errors (code, error domain, wording).

import t from 'tap';
import { PAIRS, stopDaemon } from './fixtures/conformance-targets.js';
import { inProcessVsRemoteSuite } from './suites/in-process-vs-remote.js';

t.teardown(stopDaemon);
inProcessVsRemoteSuite(PAIRS);
