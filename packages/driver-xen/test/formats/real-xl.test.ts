// tsvirt's xl.cfg against Debian's real xl (Xen 4.17), which reads a config and prints the
// libxl configuration it would create (`xl -N create`, no hypervisor needed):
//  - every xl.cfg tsvirt writes for libvirt's test domains is accepted, and the libxl
//    configuration xl builds from it is the one tsvirt says it builds ('xl' policy);
//  - the bad configs recorded from xl are refused by tsvirt's reader, each with an error
//    that says what xl says (or more, where xl only warns and goes on).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ErrorNumber, VirError } from '@tsvirt/core';
import t from 'tap';
import { libxlDomainConfig } from '../../src/formats/libxl-json.js';
import { domainXmlFromNative, domainXmlToNative, parseXenDomainXml } from '../../src/native-format.js';
import { LIBVIRT_TESTS, REAL_XL, XL_DRYRUN, realXlMissing, replaceFirmwareDir, sortedJson } from './reference-cases.js';

const missing = realXlMissing() || (readdirSafe(LIBVIRT_TESTS).length ? false : `${LIBVIRT_TESTS} is absent`);

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

const work = mkdtempSync(path.join(os.tmpdir(), 'tsvirt-real-xl-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

/** Real xl's dry run of a config: its exit status, the JSON it prints, its errors. */
function xlDryRun(cfg: string): { status: number | null; json?: unknown; stderr: string } {
  const file = path.join(work, 'domain.cfg');
  writeFileSync(file, cfg);
  const r = spawnSync(REAL_XL, ['-N', 'create', file], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, json: r.status === 0 ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
}

// This host's xl sees one NUMA node: a vNUMA config that places virtual node 1 on host node 1
// (libvirt's mapping, virtual node N on host node N) is refused for the host, not the syntax.
const HOST_NUMA_REFUSAL = 'xl: invalid pnode number: 1';

t.test("every xl.cfg tsvirt writes for libvirt's test domains: real xl accepts it and builds tsvirt's libxl configuration", { skip: missing }, async (t) => {
  const files = ['xlconfigdata', 'xmconfigdata', 'libxlxml2domconfigdata'].flatMap((d) =>
    readdirSync(path.join(LIBVIRT_TESTS, d)).filter((f) => f.endsWith('.xml')).map((f) => path.join(LIBVIRT_TESTS, d, f)));
  let written = 0;
  let accepted = 0;
  let same = 0;
  const numa: string[] = [];
  for (const file of files) {
    const xml = replaceFirmwareDir(readFileSync(file, 'utf8'));
    const name = path.relative(LIBVIRT_TESTS, file);
    let cfg: string;
    try {
      cfg = domainXmlToNative('xen-xl', xml, 0);
    } catch (e) {
      // what libvirt too cannot say in xl.cfg (a hostdev NIC, a reset clock on an HVM guest)
      t.equal((e as VirError).code, ErrorNumber.CONFIG_UNSUPPORTED, `${name}: not writable as xl.cfg: ${(e as Error).message}`);
      continue;
    }
    written++;
    const real = xlDryRun(cfg);
    if (real.status !== 0) {
      t.match(real.stderr, HOST_NUMA_REFUSAL, `${name}: refused by xl only for this host's NUMA nodes`);
      numa.push(name);
      continue;
    }
    accepted++;
    const ours = libxlDomainConfig(parseXenDomainXml(xml), 'xl');
    if (JSON.stringify(sortedJson(ours)) === JSON.stringify(sortedJson(real.json))) same++;
    else t.same(sortedJson(ours), sortedJson(real.json), `${name}: the libxl configuration xl builds`);
  }
  t.comment(`${written} configs written, ${accepted} accepted by xl (${numa.length} refused for this host's single NUMA node), ${same} with tsvirt's libxl configuration exactly`);
  t.ok(written >= 98, `at least 98 configs written (${written})`);
  t.equal(accepted + numa.length, written, 'xl refuses none for its syntax or values');
  t.equal(same, accepted, 'tsvirt predicts xl\'s libxl configuration for every config xl accepts');
});

t.test("xl's recorded example configs: read by tsvirt, written back, accepted by xl with tsvirt's libxl configuration", { skip: missing || (existsDir(XL_DRYRUN) ? false : `${XL_DRYRUN} is absent`) }, async (t) => {
  const files = readdirSync(XL_DRYRUN).filter((f) => f.endsWith('.cfg'));
  t.ok(files.length >= 6, `${files.length} example configs`);
  for (const f of files) {
    const xml = domainXmlFromNative('xen-xl', readFileSync(path.join(XL_DRYRUN, f), 'utf8'), 0);
    const real = xlDryRun(domainXmlToNative('xen-xl', xml, 0));
    t.equal(real.status, 0, `${f}: xl accepts what tsvirt wrote back ${real.stderr}`);
    t.same(sortedJson(libxlDomainConfig(parseXenDomainXml(xml), 'xl')), sortedJson(real.json), `${f}: the libxl configuration xl builds`);
  }
});

/**
 * xl's recorded bad configs: what tsvirt says of each. `xl` is xl's own verdict: its message
 * when it refuses, or what it only warns of; `tsvirt` the error tsvirt's reader gives, or
 * `accepted` with the reason.
 */
const BAD: Record<string, { tsvirt: RegExp | { accepted: string }; code?: number }> = {
  'bad-disk-format': { tsvirt: /disk specification: unknown value for format: near 'vmdkx' in 'format=vmdkx,vdev=xvda,target=\/x'/ },
  // target= takes the rest of the text, vdev= included: xl's reading, and its message
  'bad-disk': { tsvirt: /disk specification: no vdev specified in 'target=\/x.img,vdev=xvda,access=bogus'/ },
  // xl warns "Invalid parameter `mac'" and makes up a MAC address
  'bad-mac': { tsvirt: /vif 0: malformed mac address 'zz:16:3e:00:00:01'/ },
  'bad-memory-string': { tsvirt: /config value memory was malformed \(line 2\): 'abc' is not a valid number/ },
  'bad-onpoweroff': { tsvirt: /unknown on_poweroff action 'explode'/ },
  'bad-type': { tsvirt: /type kvm is not supported/, code: ErrorNumber.CONFIG_UNSUPPORTED },
  // xl's dry run takes any vdev; creating the domain would fail on it
  'bad-vdev': { tsvirt: /invalid virtual disk name \(xvdX, hdX, sdX or dNpM\): near 'notadev'/ },
  // which CPUs exist is the host's business, not the config's: xl's dry run takes it too
  'cpus-beyond-host': { tsvirt: { accepted: 'host-dependent' } },
  // xl's dry run takes a balloon target above the maximum
  'maxmem-lt-mem': { tsvirt: /memory \(2048 MiB\) is more than maxmem \(1024 MiB\)/, code: ErrorNumber.CONFIG_UNSUPPORTED },
  'no-name': { tsvirt: /a domain name must be specified/ },
  // a well-formed PCI address: whether the host has the device is the host's business
  pci: { tsvirt: { accepted: 'host-dependent' } },
  'pv-no-kernel': { tsvirt: /Neither kernel nor bootloader specified/ },
  'syntax': { tsvirt: /line 4, column 6: unexpected name 'is', expecting '=' or '\+='/ },
  // xl.cfg has many keys libvirt's model has no place for: they are left out, as xl and libvirt do
  'unknown-key': { tsvirt: { accepted: 'an unknown key is ignored' } },
  'vcpus-gt-max': { tsvirt: /maxvcpus \(2\) is less than vcpus \(8\)/, code: ErrorNumber.CONFIG_UNSUPPORTED },
  // xl warns "unrecognized argument `foo=bar'" and goes on
  'vif-unknown-key': { tsvirt: /vif 0: unrecognized argument 'foo=bar'/ },
  // xl warns that vncdisplay is not a number and goes on
  'vncdisplay-str': { tsvirt: /config value vncdisplay was malformed \(line 5\): 'x' is not a valid number/ },
};

t.test("xl's recorded bad configs: refused by tsvirt's reader with xl's reason", { skip: existsDir(path.join(XL_DRYRUN, 'bad')) ? false : `${XL_DRYRUN} is absent` }, async (t) => {
  const files = readdirSync(path.join(XL_DRYRUN, 'bad')).filter((f) => f.endsWith('.cfg'));
  t.same(files.map((f) => f.replace(/\.cfg$/, '')).sort(), Object.keys(BAD).sort(), 'every recorded bad config has a verdict');
  let refused = 0;
  for (const f of files) {
    const name = f.replace(/\.cfg$/, '');
    const cfg = readFileSync(path.join(XL_DRYRUN, 'bad', f), 'utf8');
    const { tsvirt, code } = BAD[name];
    let error: VirError | undefined;
    try {
      domainXmlFromNative('xen-xl', cfg, 0);
    } catch (e) {
      error = e as VirError;
    }
    if (tsvirt instanceof RegExp) {
      refused++;
      t.ok(error instanceof VirError, `${name}: refused with a VirError`);
      t.match(error?.message, tsvirt, `${name}: ${error?.message}`);
      t.equal(error?.code, code ?? ErrorNumber.CONF_SYNTAX, `${name}: libvirt's code`);
    } else t.equal(error, undefined, `${name}: accepted (${tsvirt.accepted})`);
  }
  t.comment(`${refused} of ${files.length} bad configs refused; the others are valid configs whose fault is the host's`);
});

function existsDir(dir: string): boolean {
  return readdirSafe(dir).length > 0;
}
