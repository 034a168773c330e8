// Names from users become file names and QEMU arguments: core's check, in the QEMU driver's error domain.

import { ErrorDomain } from '@tsvirt/core';
import { checkDomainName } from '@tsvirt/core/driver';

export const validateDomainName = (name: string): void => checkDomainName(name, ErrorDomain.QEMU);
