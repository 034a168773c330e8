// xen:///system on a host with no Xen hypervisor (this one): the connection opens,
// conversions work as on any host, and a call that needs the hypervisor says so with
// libvirt's error and xl's own words. Run with the real Debian xl where it is installed.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ErrorDomain, ErrorNumber, open, type VirError } from '@tsvirt/core';
import { registerDriver } from '@tsvirt/core/driver';
import t from 'tap';
import { driver } from '../src/driver.js';
import { domainXmlFromNative, domainXmlToNative } from '../src/native-format.js';
import { failure } from './fixtures/failure.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-xen-noxen-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
process.env.TSVIRT_XEN_CONFIG_DIR = path.join(dir, 'config');
process.env.TSVIRT_XEN_RUN_DIR = path.join(dir, 'run');
registerDriver(driver);


/** The same call on the converters themselves: the value or the error the connection must give. */
const direct = (work: () => string) => {
  try {
    return { value: work() };
  } catch (e) {
    const { code, domain, message } = e as VirError;
    return { error: { code, domain, message } };
  }
};
const viaConnection = async (work: () => Promise<string>) => {
  try {
    return { value: await work() };
  } catch (e) {
    const { code, domain, message } = e as VirError;
    return { error: { code, domain, message } };
  }
};

const debianXl = '/usr/lib/xen-4.17/bin/xl';
const cases = [
  { name: 'an xl binary that is not installed', binary: path.join(dir, 'no-such-xl'), says: /no-such-xl: not found$/ },
  { name: "Debian's real xl with no hypervisor", binary: debianXl, says: /cannot init xl context/, skip: existsSync(debianXl) ? false : `${debianXl} is not installed (xen-utils-4.17)` },
];

for (const c of cases) {
  t.test(c.name, { skip: c.skip ?? false }, async (t) => {
    process.env.TSVIRT_XEN_XL = c.binary;
    const conn = await open('xen:///system', { localOnly: true });
    t.teardown(() => conn.close());
    t.equal(await conn.getType(), 'Xen');
    t.equal(await conn.getURI(), 'xen:///system');
    t.equal(await conn.isAlive(), true);

    for (const call of [() => conn.getNodeInfo(), () => conn.getVersion()]) {
      t.match(await failure(call), {
        code: ErrorNumber.NO_XEN, domain: ErrorDomain.LIBXL, message: c.says,
      }, 'a call that needs the hypervisor: libvirt\'s "could not use Xen hypervisor entry", with xl\'s words');
    }
    t.match(await failure(() => conn.getNodeInfo()), { message: /^could not use Xen hypervisor entry / });

    const xml = "<domain type='xen'><name>conv</name><uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid><memory>65536</memory><vcpu>1</vcpu><os><type>linux</type></os></domain>";
    const cfg = 'name = "conv"\nuuid = "4dea22b3-1d52-d8f3-2516-782e98ab3fa0"\nmemory = 64\nvcpus = 1\n';
    for (const format of ['xen-xl', 'xen-xm', 'nosuch-format']) {
      t.same(await viaConnection(() => conn.domainXMLToNative(format, xml)), direct(() => domainXmlToNative(format, xml, 0)),
        `domxml-to-native ${format}: the converters' answer, with no hypervisor`);
      t.same(await viaConnection(() => conn.domainXMLFromNative(format, cfg)), direct(() => domainXmlFromNative(format, cfg, 0)),
        `domxml-from-native ${format}: the converters' answer, with no hypervisor`);
    }
  });
}

t.test('URIs: xen:///system and xen:///, other paths refused as libvirt refuses them, xen://host/ left to the remote driver', async (t) => {
  process.env.TSVIRT_XEN_XL = path.join(dir, 'no-such-xl');
  for (const uri of ['xen:///', 'xen:///system']) {
    const c = await open(uri, { localOnly: true });
    t.equal(await c.getURI(), uri);
    await c.close();
  }
  t.match(await failure(() => open('xen:///session', { localOnly: true })), {
    code: ErrorNumber.INTERNAL_ERROR, domain: ErrorDomain.LIBXL, message: "internal error: unexpected Xen URI path '/session', try xen:///system",
  });
  t.equal(await driver.open({ text: 'xen://h/system', scheme: 'xen', driver: 'xen', transport: null, user: null, host: 'h', port: null, path: '/system', query: new Map() }, {}), 'declined');
  t.equal(await driver.open({ text: 'xen+ssh://h/system', scheme: 'xen+ssh', driver: 'xen', transport: 'ssh', user: null, host: 'h', port: null, path: '/system', query: new Map() }, {}), 'declined');
});
