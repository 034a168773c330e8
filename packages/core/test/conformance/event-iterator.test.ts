// conn.events(): domain events as an async iterator, the same in process and through
// tsvirtd: per-domain and per-kind filters, an AbortSignal that ends the iteration and
// removes its registration, `break` that does the same, and a bound on what waits for
// a slow consumer (past it the iteration ends with an error, nothing is dropped silently);
// closing the connection ends it too, as its close callback is told (CLIENT).

import t from 'tap';
import { TARGETS, stopDaemon } from './fixtures/conformance-targets.js';
import { eventIteratorSuite } from './suites/event-iterator.js';

t.teardown(stopDaemon);
t.setTimeout(180_000);
eventIteratorSuite(TARGETS);
