// What libvirt 9.0 itself makes of a domain file on its test driver: the XML its virsh
// prints after `define` + `dumpxml --inactive` (one virsh process per file), or, when the
// define is refused, virsh's message and libvirt's error code (asked through
// python3-libvirt, since virsh does not print codes). Recorded at test time from the
// libvirt installed on the machine; nothing of libvirt's is kept in the repository.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type LibvirtOutcome = { ok: true; xml: string } | { ok: false; message: string; code?: number };

/** Why libvirt cannot be asked here, or undefined when it can. */
export function libvirtMissing(): string | undefined {
  if (!existsSync('/usr/bin/virsh')) return "libvirt's virsh is not installed";
  return undefined;
}

/** The domain's <name>, which `dumpxml` needs (a plain scan: the files are trusted test data). */
const nameOf = (xml: string) => /<name>([^<]*)<\/name>/.exec(xml)?.[1]?.trim() ?? '';

/** virsh's reading of one file: define then dumpxml --inactive, in one virsh process. */
async function viaVirsh(file: string, xml: string): Promise<LibvirtOutcome> {
  const name = nameOf(xml).replace(/(["\\])/g, '\\$1');
  // virsh goes on after a failed command and exits with the last one's status
  const { stdout, stderr } = await run('virsh', ['-q', '-c', 'test:///default', `define ${file}; dumpxml --inactive "${name}"`], { env: { ...process.env, LC_ALL: 'C' } })
    .catch((e) => e as { stdout: string; stderr: string });
  if (!String(stderr).includes('error: ')) {
    // virsh -q prints nothing for define; dumpxml's text ends with one newline of its own and virsh adds one
    return { ok: true, xml: String(stdout).replace(/\n\n$/, '\n') };
  }
  const message = String(stderr).split('\n').filter((l) => l.startsWith('error: ') && !l.startsWith('error: Failed to define')).map((l) => l.slice(7)).join('\n');
  return { ok: false, message };
}

const CODES_SCRIPT = `
import json, sys, libvirt
libvirt.registerErrorHandler(lambda *a: None, None)
out = {}
for f in sys.argv[1:]:
    c = libvirt.open('test:///default')
    try:
        c.defineXML(open(f).read())
        out[f] = 0
    except libvirt.libvirtError as e:
        out[f] = e.get_error_code()
    c.close()
print(json.dumps(out))
`;

/** libvirt's error codes for files its test driver refuses (one python3-libvirt process). */
async function errorCodes(files: string[]): Promise<Record<string, number>> {
  if (files.length === 0 || !existsSync('/usr/bin/python3')) return {};
  try {
    const { stdout } = await run('/usr/bin/python3', ['-c', CODES_SCRIPT, ...files], { maxBuffer: 1 << 24 });
    return JSON.parse(stdout) as Record<string, number>;
  } catch {
    return {};
  }
}

/**
 * libvirt's outcome for each file, two virsh processes at a time. With `cacheFile`, outcomes
 * recorded there by an earlier run are reused (for working on the model: a run takes a minute).
 */
export async function recordLibvirt(files: { path: string; xml: string }[], cacheFile?: string): Promise<Map<string, LibvirtOutcome>> {
  if (cacheFile && existsSync(cacheFile)) {
    const cached = new Map(Object.entries(JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, LibvirtOutcome>));
    if (files.every((f) => cached.has(f.path))) return cached;
  }
  const out = new Map<string, LibvirtOutcome>();
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const f = files[next++];
      out.set(f.path, await viaVirsh(f.path, f.xml));
    }
  };
  await Promise.all([worker(), worker()]);
  const refused = [...out].filter(([, o]) => !o.ok).map(([p]) => p);
  const codes = await errorCodes(refused);
  for (const p of refused) {
    const o = out.get(p) as { ok: false; message: string; code?: number };
    o.code = codes[p];
  }
  if (cacheFile) writeFileSync(cacheFile, JSON.stringify(Object.fromEntries(out)));
  return out;
}
