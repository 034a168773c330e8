// The same lifecycle, events and errors, against every driver (fixtures/conformance-targets.ts).

import t from 'tap';
import { TARGETS, stopDaemon } from './fixtures/conformance-targets.js';
import { lifecycleAndErrorsSuite } from './suites/lifecycle-and-errors.js';

t.teardown(stopDaemon);
lifecycleAndErrorsSuite(TARGETS);
