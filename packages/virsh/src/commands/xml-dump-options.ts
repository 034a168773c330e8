import type { OptionDef } from '../cli/command-def.js';

/** The options every *dumpxml command has for filtering its output, as in libvirt's virsh. */
export const XPATH_OPTIONS: OptionDef[] = [
  { name: 'xpath', type: 'string', help: 'xpath expression to filter the XML document' },
  { name: 'wrap', type: 'bool', help: 'wrap xpath results in an common root element' },
];
