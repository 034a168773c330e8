// The network driver's flag check: errors in VIR_FROM_NETWORK naming the call.

import { ErrorDomain } from '@tsvirt/core';
import { flagChecker } from '@tsvirt/core/driver';

export const checkFlags = flagChecker(ErrorDomain.NETWORK);
