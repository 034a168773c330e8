import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { breaksOf, readApiXml, surfaceOf } from '../src/index.js';

const root = new URL('../../../', import.meta.url).pathname;
const cli = join(root, 'packages/bindings-gen/dist/cli.js');
const apiXml = join(root, 'api.xml');

t.test('the committed generated files are fresh and the released API is intact', async (t) => {
  const r = spawnSync(process.execPath, [cli, '--check'], { cwd: root, encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /generated files are fresh/);
});

/** A scratch copy of api.xml and its lock, with `edit` applied to api.xml. */
function scratch(edit: (xml: string) => string) {
  const dir = mkdtempSync(join(tmpdir(), 'bindgen-'));
  writeFileSync(join(dir, 'api.xml'), edit(readFileSync(apiXml, 'utf8')));
  copyFileSync(join(root, 'api.lock.json'), join(dir, 'api.lock.json'));
  return dir;
}

t.test('changing a released call fails the check and names the symbol', async (t) => {
  const dir = scratch((x) => x.replace('<method name="lookupDomainByName" c="virDomainLookupByName" proc="23"', '<method name="lookupDomainByName" c="virDomainLookupByName" proc="923"'));
  const r = spawnSync(process.execPath, [cli, '--check', '--lang', 'ts', '--out', join(dir, 'gen'), join(dir, 'api.xml')], { encoding: 'utf8' });
  t.equal(r.status, 1);
  t.match(r.stderr, /released symbol 'method Connect\.lookupDomainByName' changed/);
});

t.test('removing a released enum value is a break; adding an optional argument is not', async (t) => {
  const lock = JSON.parse(readFileSync(join(root, 'api.lock.json'), 'utf8'));
  const removed = readApiXml(apiXml, readFileSync(apiXml, 'utf8').replace('<value name="PMSUSPENDED" value="7" doc="the domain is suspended by guest power management"/>', ''));
  t.match(breaksOf(lock, removed), [/released symbol 'enum DomainState.PMSUSPENDED' was removed/]);
  const extended = readApiXml(apiXml, readFileSync(apiXml, 'utf8').replace(
    '<method name="suspend" c="virDomainSuspend" proc="34" access="write" since="0.1.0" python="suspend" perl="suspend">\n      <doc>Pause all virtual CPUs; memory stays allocated.</doc>',
    '<method name="suspend" c="virDomainSuspend" proc="34" access="write" since="0.1.0" python="suspend" perl="suspend">\n      <doc>Pause all virtual CPUs; memory stays allocated.</doc>\n      <arg name="flags" type="flags" optional="true"/>',
  ));
  t.same(breaksOf(lock, extended), []);
  t.not(surfaceOf(extended).symbols['method Domain.suspend'], lock.symbols['method Domain.suspend']);
});

t.test('a new major version may break the released API', async (t) => {
  const lock = JSON.parse(readFileSync(join(root, 'api.lock.json'), 'utf8'));
  const text = readFileSync(apiXml, 'utf8').replace('version="0.1.0"', 'version="1.0.0"').replace(/<value name="PMSUSPENDED"[^>]*\/>/, '');
  t.same(breaksOf(lock, readApiXml(apiXml, text)), []);
});

t.test('a broken api.xml is reported with its line', async (t) => {
  const dir = scratch((x) => x.replace('<method name="getType" c="virConnectGetType" proc="3"', '<method name="getType" c="virConnectGetType" proc="three"'));
  const r = spawnSync(process.execPath, [cli, '--check', join(dir, 'api.xml')], { encoding: 'utf8' });
  t.equal(r.status, 1);
  t.match(r.stderr, /api\.xml:\d+: .*proc/);
  const dup = scratch((x) => x.replace('proc="34"', 'proc="28"'));
  const r2 = spawnSync(process.execPath, [cli, '--check', join(dup, 'api.xml')], { encoding: 'utf8' });
  t.match(r2.stderr, /api\.xml:\d+: procedure 28 of Domain\.(suspend|resume) is already used by Domain\.(suspend|resume)/);
  const streamArg = scratch((x) => x.replace('<arg name="devname" type="string" optional="true"/>', '<arg name="devname" type="stream" optional="true"/>'));
  const r4 = spawnSync(process.execPath, [cli, '--check', join(streamArg, 'api.xml')], { encoding: 'utf8' });
  t.match(r4.stderr, /api\.xml:\d+: Domain\.openConsole: a stream is only returned, never passed/);
  const iteratorless = scratch((x) => x.replace('proc="3" access="read"', 'proc="3" access="read" iterator="typeEvents"'));
  const r5 = spawnSync(process.execPath, [cli, '--check', join(iteratorless, 'api.xml')], { encoding: 'utf8' });
  t.match(r5.stderr, /api\.xml:\d+: Connect\.getType: iterator="typeEvents" needs an event listener argument/);
  const clash = scratch((x) => x.replace('iterator="events"', 'iterator="getType"'));
  const r6 = spawnSync(process.execPath, [cli, '--check', join(clash, 'api.xml')], { encoding: 'utf8' });
  t.match(r6.stderr, /api\.xml:\d+: Connect\.getType: the iterator of domainEventRegister has the name of a method/);
  const promiseless = scratch((x) => x.replace('proc="3" access="read"', 'proc="3" access="read" promise="typeChanged"'));
  const r7 = spawnSync(process.execPath, [cli, '--check', join(promiseless, 'api.xml')], { encoding: 'utf8' });
  t.match(r7.stderr, /api\.xml:\d+: Connect\.getType: promise="typeChanged" needs a callback argument/);
  const objectArg = scratch((x) => x.replace('<arg name="reason" type="ConnectCloseReason"/>', '<arg name="reason" type="Domain"/>'));
  const r8 = spawnSync(process.execPath, [cli, '--check', join(objectArg, 'api.xml')], { encoding: 'utf8' });
  t.match(r8.stderr, /api\.xml:\d+: callback ConnectCloseCallback: argument reason must be a primitive or an enum/);
  const malformed = scratch((x) => x.replace('</api>', ''));
  const r3 = spawnSync(process.execPath, [cli, '--check', join(malformed, 'api.xml')], { encoding: 'utf8' });
  t.equal(r3.status, 1);
  t.match(r3.stderr, /api\.xml:\d+: /);
});

t.test('the CLI refuses unknown languages and options', async (t) => {
  const r = spawnSync(process.execPath, [cli, '--lang', 'cobol'], { cwd: root, encoding: 'utf8' });
  t.equal(r.status, 2);
  t.match(r.stderr, /unknown language cobol/);
  const r2 = spawnSync(process.execPath, [cli, '--frobnicate'], { cwd: root, encoding: 'utf8' });
  t.equal(r2.status, 2);
});
