// The URI of open() without one, chosen as libvirt chooses: LIBVIRT_DEFAULT_URI, then
// uri_default in the client configuration file, then the installed drivers' probes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { defaultUri } from '@tsvirt/core';
import { clientConfigPath, registerDriver, uriDefaultOf, type Driver } from '@tsvirt/core/driver';

const dir = mkdtempSync(join(tmpdir(), 'default-uri-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('the client configuration file: root\'s in /etc/tsvirt, a user\'s under $XDG_CONFIG_HOME', async (t) => {
  t.equal(clientConfigPath({ uid: 0, env: { XDG_CONFIG_HOME: dir } }), '/etc/tsvirt/tsvirt.conf');
  t.equal(clientConfigPath({ uid: 1000, env: { XDG_CONFIG_HOME: dir } }), join(dir, 'tsvirt/tsvirt.conf'));
  t.equal(clientConfigPath({ uid: 1000, env: { HOME: '/home/u' } }), '/home/u/.config/tsvirt/tsvirt.conf');
});

t.test('uri_default in libvirt.conf\'s syntax: comments, either quotes, the last one wins', async (t) => {
  t.equal(uriDefaultOf('# uri_default = "qemu:///system"\n'), undefined, 'a comment');
  t.equal(uriDefaultOf('uri_default = "qemu:///session"\n'), 'qemu:///session');
  t.equal(uriDefaultOf("  uri_default='test:///default'  # the mock\n"), 'test:///default');
  t.equal(uriDefaultOf('uri_default = "a:///"\nuri_default = "b:///"\n'), 'b:///');
  t.equal(uriDefaultOf('uri_default_x = "a:///"\nuri_aliases = ["x=y"]\n'), undefined);
});

t.test('the environment first, then the configuration file, then the drivers\' probes', async (t) => {
  const config = join(dir, 'config');
  mkdirSync(join(config, 'tsvirt'), { recursive: true });
  const env = { XDG_CONFIG_HOME: config };
  t.equal(await defaultUri({ uid: 1000, env: { ...env, LIBVIRT_DEFAULT_URI: 'test+unix:///default' } }), 'test+unix:///default');
  writeFileSync(join(config, 'tsvirt/tsvirt.conf'), 'uri_default = "test:///default"\n');
  t.equal(await defaultUri({ uid: 1000, env: { ...env, LIBVIRT_DEFAULT_URI: 'qemu:///session' } }), 'qemu:///session', 'the environment wins');
  t.equal(await defaultUri({ uid: 1000, env: { ...env, LIBVIRT_DEFAULT_URI: '' } }), 'test:///default', 'then the configuration');
  rmSync(join(config, 'tsvirt/tsvirt.conf'));
  // drivers registered for a scheme are asked before its package is looked for
  const cannot: Driver = { name: 'cannot', schemes: ['qemu'], probe: () => null, open: () => 'declined' };
  registerDriver(cannot);
  t.equal(await defaultUri({ uid: 1000, env }), 'test:///default', 'no driver can serve this user: the mock hypervisor');
  const can: Driver = { name: 'can', schemes: ['qemu'], probe: () => 'qemu:///session', open: () => 'declined' };
  registerDriver(can);
  t.equal(await defaultUri({ uid: 1000, env }), 'qemu:///session', 'an installed driver that can serve this user');
});
