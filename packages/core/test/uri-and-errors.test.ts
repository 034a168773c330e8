import t from 'tap';
import { ErrorDomain, ErrorNumber, VirError, errorMessage } from '../src/index.js';
import { parseConnectUri, toVirError } from '../src/entry-points/driver.js';

t.test('libvirt URI forms', async (t) => {
  const u = parseConnectUri('qemu+ssh://root@host.example:2222/system?socket=/run/x&no_verify=1');
  t.match(u, { driver: 'qemu', transport: 'ssh', user: 'root', host: 'host.example', port: 2222, path: '/system' });
  t.equal(u.query.get('socket'), '/run/x');
  t.match(parseConnectUri('test:///default'), { driver: 'test', transport: null, host: null, path: '/default' });
  t.match(parseConnectUri('test+unix:///default?socket=/tmp/s'), { transport: 'unix', host: null });
  t.match(parseConnectUri('qemu://[::1]/system'), { host: '::1' });
  for (const bad of ['', 'no-scheme', 'test:/x', 'qemu://host:99999/system']) {
    t.throws(() => parseConnectUri(bad), { code: ErrorNumber.INTERNAL_ERROR, domain: ErrorDomain.URI }, bad);
  }
});

t.test('error messages are libvirt\'s, with and without extra information', async (t) => {
  t.equal(errorMessage(ErrorNumber.NO_DOMAIN), 'Domain not found');
  t.equal(errorMessage(ErrorNumber.NO_DOMAIN, "no domain with matching name 'x'"), "Domain not found: no domain with matching name 'x'");
  t.equal(errorMessage(ErrorNumber.OPERATION_DENIED, 'read only access prevents virDomainDestroy'), 'operation forbidden: read only access prevents virDomainDestroy');
  t.equal(errorMessage(ErrorNumber.DOM_EXIST, 'x'), 'domain x exists already');
  t.equal(errorMessage(ErrorNumber.INTERNAL_ERROR, '$& $1'), 'internal error: $& $1', 'info is inserted literally');
  t.equal(ErrorNumber.MULTIPLE_DOMAINS, 110);
  t.equal(ErrorNumber.WAR_NO_NETWORK, 41);
  t.equal(ErrorDomain.CH, 72);
  const e = VirError.of(ErrorNumber.NO_SUPPORT, ErrorDomain.DOMAIN, 'virDomainFoo');
  t.match(e.toJSON(), { code: 3, domain: 20, level: 2, message: 'this function is not supported by the connection driver: virDomainFoo',
    str1: 'this function is not supported by the connection driver: %s', str2: 'virDomainFoo' }, 'str1 the format, str2 the detail, as libvirt fills them');
  t.ok(VirError.is(e, ErrorNumber.NO_SUPPORT));
  t.match(toVirError(new TypeError('boom')), { code: ErrorNumber.INTERNAL_ERROR, message: 'internal error: boom' });
});
