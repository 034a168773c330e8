// @tsvirt/driver-xen: the Xen driver (xen:///system through xl, xenapi://host/ through XenAPI).
export { driver } from './driver.js';
