// libvirt's own domain corpora through tsvirt's test driver, beside libvirt 9.0's test
// driver on the same files: define + dumpxml --inactive must read the same, keep all that
// libvirt keeps, refuse what libvirt refuses with its error code, and validate against
// libvirt's schema. The counts are printed; the floors asserted are what the model reaches.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import { DomainXMLFlags, open, VirError, type Connect } from '@tsvirt/core';
import { registerDriver } from '@tsvirt/core/driver';
import { DOMAIN_SCHEMA } from '@tsvirt/core/xml';
import { driver } from '../src/index.js';
import { genericCorpus, qemuCorpus, type CorpusFile } from './corpus/corpus-files.js';
import { libvirtMissing, recordLibvirt } from './corpus/libvirt-reference.js';
import { missingFrom } from './corpus/xml-shape.js';

registerDriver(driver);
// recording libvirt's side runs one virsh per file: a few hundred of them
t.setTimeout(600_000);
const run = promisify(execFile);
const DOMAIN_RNG = '/usr/share/libvirt/schemas/domain.rng';

type TsvirtOutcome = { ok: true; xml: string } | { ok: false; code: number; message: string };

async function viaTsvirt(c: Connect, f: CorpusFile): Promise<TsvirtOutcome> {
  try {
    const dom = await c.defineDomainXML(f.xml);
    const xml = await dom.getXMLDesc(DomainXMLFlags.INACTIVE);
    await dom.undefine();
    return { ok: true, xml };
  } catch (e) {
    if (!(e instanceof VirError)) throw e;
    return { ok: false, code: e.code, message: e.message };
  }
}

/** The files among `written` that a schema refuses (one xmllint for all). */
async function failingSchema(written: string[], schema = DOMAIN_RNG): Promise<string[]> {
  if (written.length === 0) return [];
  const r = await run('xmllint', ['--noout', '--relaxng', schema, ...written], { maxBuffer: 1 << 26 }).catch((e) => e as { stderr: string });
  return String(r.stderr).split('\n').filter((l) => l.endsWith(' fails to validate')).map((l) => l.slice(0, -' fails to validate'.length));
}

/** What the model reaches today: each run must do at least as well. */
interface Floors { identical: number; lost: number; schemaFailures: number; wronglyAccepted: number; otherCode: number }

async function compareCorpus(t: Test, label: string, files: CorpusFile[], floors: Floors) {
  const cache = process.env.LIBVIRT_CORPUS_CACHE && `${process.env.LIBVIRT_CORPUS_CACHE}-${label}.json`;
  const reference = await recordLibvirt(files, cache || undefined);
  const c = await open('test:///default');
  t.teardown(() => c.close());
  const dir = mkdtempSync(join(tmpdir(), 'tsvirt-corpus-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  let compared = 0, identical = 0;
  const lost: string[] = [], wrongRefusal: string[] = [], accepted: string[] = [], refused: string[] = [], written: string[] = [];
  for (const f of files) {
    const name = basename(f.path);
    const theirs = reference.get(f.path)!;
    const ours = await viaTsvirt(c, f);
    if (!theirs.ok || f.mustFail) {
      if (ours.ok) accepted.push(name);
      else if (!theirs.ok && theirs.code !== undefined && theirs.code !== ours.code) wrongRefusal.push(`${name}: libvirt ${theirs.code} (${theirs.message}), tsvirt ${ours.code} (${ours.message})`);
      continue;
    }
    if (!ours.ok) {
      refused.push(`${name}: ${ours.message}`);
      continue;
    }
    compared++;
    if (ours.xml === theirs.xml) identical++;
    const missing = missingFrom(theirs.xml, ours.xml);
    if (missing.length) lost.push(`${name}: ${missing.join(' ')}`);
    const out = join(dir, name);
    writeFileSync(out, ours.xml);
    written.push(out);
  }
  const schema = existsSync(DOMAIN_RNG) ? await failingSchema(written) : undefined;
  // the project's own schema takes the corpus's inputs and tsvirt's outputs alike
  const inputs = files.filter((f) => reference.get(f.path)!.ok && !f.mustFail).map((f) => f.path);
  const ownSchema = await failingSchema([...inputs, ...written], DOMAIN_SCHEMA);
  const mustRefuse = files.filter((f) => f.mustFail || !reference.get(f.path)!.ok).length;
  t.comment(`${label}: ${files.length} files; libvirt refuses ${mustRefuse}, tsvirt accepts ${accepted.length} of those and gives another code for ${wrongRefusal.length}`);
  t.comment(`${label}: ${identical} of ${compared} byte-identical (${((100 * identical) / Math.max(compared, 1)).toFixed(1)}%), ${lost.length} losing data, ${refused.length} refused that libvirt accepts`);
  t.comment(`${label}: ${schema === undefined ? `schema check skipped (${DOMAIN_RNG} absent)` : `${schema.length} of ${written.length} outputs fail libvirt's domain.rng`}`);
  t.comment(`${label}: ${ownSchema.length} of ${inputs.length + written.length} inputs and outputs fail core's schemas/domain.rng`);
  for (const l of [...ownSchema.map((o) => `own schema: ${basename(o)}`), ...accepted.map((a) => `accepted: ${a}`), ...wrongRefusal, ...refused.map((r) => `refused: ${r}`), ...lost.map((l) => `lost: ${l}`), ...(schema ?? []).map((s) => `schema: ${basename(s)}`)]) t.comment(`  ${l}`);
  t.ok(identical >= floors.identical, `at least ${floors.identical} byte-identical`);
  t.ok(lost.length <= floors.lost, `at most ${floors.lost} files lose data`);
  t.ok(schema === undefined || schema.length <= floors.schemaFailures, `at most ${floors.schemaFailures} schema failures`);
  t.ok(accepted.length <= floors.wronglyAccepted, `at most ${floors.wronglyAccepted} accepted that libvirt refuses`);
  t.ok(wrongRefusal.length <= floors.otherCode, `at most ${floors.otherCode} refused with another code`);
  t.same(refused, [], 'nothing refused that libvirt accepts');
  t.same(ownSchema, [], "core's schema takes every input libvirt defines and every output");
}

const missing = libvirtMissing() ?? (genericCorpus().length === 0 ? "libvirt's test data is not beside the repository" : undefined);

t.test("libvirt's generic round-trip corpus", { skip: missing }, async (t) => {
  await compareCorpus(t, 'genericxml2xml', genericCorpus(), { identical: 38, lost: 0, schemaFailures: 0, wronglyAccepted: 0, otherCode: 0 });
});

t.test("libvirt's QEMU test domains", { skip: missing }, async (t) => {
  await compareCorpus(t, 'qemuxml2argv', qemuCorpus(), { identical: 353, lost: 0, schemaFailures: 0, wronglyAccepted: 0, otherCode: 0 });
});
