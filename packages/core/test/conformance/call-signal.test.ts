// An AbortSignal on a call that can take long (api.xml's abortable calls), the same in
// process and through tsvirtd: a signal aborted before the call fails it with
// VIR_ERR_OPERATION_ABORTED and sends nothing; one aborted while the call is under way
// tells the caller at once, and the call's own reply, when it comes, is dropped without
// harm (the connection serves on).

import t from 'tap';
import { TARGETS, stopDaemon } from './fixtures/conformance-targets.js';
import { callSignalSuite } from './suites/call-signal.js';

t.teardown(stopDaemon);
t.setTimeout(240_000);
callSignalSuite(TARGETS);
