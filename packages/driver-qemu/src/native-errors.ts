// The error of a definition that cannot be expressed as QEMU arguments.

import { ErrorDomain, ErrorNumber, VirError } from '@tsvirt/core';

/** VIR_ERR_CONFIG_UNSUPPORTED from the QEMU driver, naming what cannot be expressed. */
export const unsupported = (what: string): VirError => VirError.of(ErrorNumber.CONFIG_UNSUPPORTED, ErrorDomain.QEMU, what);
