import type { Omitted } from './canonical-format.js';

// What libvirt writes into a domain's XML only when the caller asked for it with
// VIR_DOMAIN_XML_SECURE (which a read-only connection may not pass): a graphics
// password, and the cookies a network disk (or its backing chain) sends to its server.

/** Per device element: the attributes and (at any depth) child elements that are secret. */
const SECRETS: Record<string, Omitted> = {
  graphics: { attrs: ['passwd'], elements: [] },
  disk: { attrs: [], elements: ['cookies'] },
};

/** What the formatter leaves out of a device element for a caller without VIR_DOMAIN_XML_SECURE. */
export const secretsOf = (deviceName: string): Omitted | undefined => SECRETS[deviceName];
