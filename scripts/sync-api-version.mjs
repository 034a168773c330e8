#!/usr/bin/env node
// A release step, run right after `changeset version` (see docs/releasing.md): carry the
// packages' new version (one version for all, a changesets "fixed" group) into api.xml,
// refuse a release that would break the released API without a new major version, then
// regenerate and record the released surface in api.lock.json.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { breaksOf, readApiXml } from '../packages/bindings-gen/dist/index.js';

const root = new URL('..', import.meta.url).pathname;
const apiFile = join(root, 'api.xml');
const release = JSON.parse(readFileSync(join(root, 'packages/core/package.json'), 'utf8')).version;
const xml = readFileSync(apiFile, 'utf8');
const API_VERSION = /(<api\b[^>]*\bversion=")([^"]+)(")/;
const declared = API_VERSION.exec(xml)?.[2];
if (!declared) throw new Error('api.xml: no version on <api>');

const parts = (v) => v.split(/[.-]/).slice(0, 3).map(Number);
const below = (a, b) => { const [x, y] = [parts(a), parts(b)]; const i = x.findIndex((n, k) => n !== y[k]); return i >= 0 && x[i] < y[i]; };

// A breaking change raises api.xml's major version by hand (the check demands it); the
// release must then be that major too, which takes a "major" changeset.
if (below(release, declared)) {
  console.error(`api.xml declares ${declared}, above the release ${release}: a breaking API change needs a "major" changeset`);
  process.exit(1);
}
const next = xml.replace(API_VERSION, `$1${release}$3`);
const lock = JSON.parse(readFileSync(join(root, 'api.lock.json'), 'utf8'));
const breaks = breaksOf(lock, readApiXml(apiFile, next));
if (breaks.length) {
  console.error(`release ${release} would break the released API (a break needs a major version):\n  ${breaks.join('\n  ')}`);
  process.exit(1);
}
writeFileSync(apiFile, next);
const gen = spawnSync(process.execPath, [join(root, 'packages/bindings-gen/dist/cli.js'), '--update-lock'], { cwd: root, stdio: 'inherit' });
if (gen.status !== 0) process.exit(gen.status ?? 1);
console.log(`api.xml and api.lock.json now at ${release}`);
