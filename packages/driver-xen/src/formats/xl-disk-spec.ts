// One disk of xl.cfg's `disk = [ ... ]`, read as xl reads it (xl-disk-configuration):
// comma-separated parameters, each `key=value`, a bare flag, or a positional value filling
// target, format, vdev, access in turn; `target=` takes the whole rest of the text, commas
// included; the old prefixes (phy:, file:, tap:aio:, qcow2:, ...) and `vdev:cdrom` are
// accepted. The result holds libxl's disk fields with xl's defaults applied.

export type LibxlDiskFormat = 'raw' | 'qcow' | 'qcow2' | 'vhd' | 'qed' | 'empty';
export type LibxlDiskBackend = 'phy' | 'tap' | 'qdisk' | 'standalone';

export interface XlDisk {
  /** the target (path or device); undefined when none was given, '' when given empty */
  pdevPath?: string;
  vdev: string;
  backend?: LibxlDiskBackend;
  format: LibxlDiskFormat;
  script?: string;
  removable: boolean;
  readwrite: boolean;
  isCdrom: boolean;
  directIoSafe: boolean;
  discard?: boolean;
  backendDomname?: string;
}

/** A disk specification xl would refuse: what is wrong, near which text. */
export class DiskSpecError extends Error {
  constructor(readonly what: string, readonly near: string | undefined, readonly spec: string) {
    super(`${what}${near !== undefined ? `: near '${near}'` : ''} in '${spec}'`);
  }
}

const FORMATS: Record<string, LibxlDiskFormat> = { raw: 'raw', qcow: 'qcow', qcow2: 'qcow2', vhd: 'vhd', qed: 'qed', empty: 'empty' };
const BACKENDS: Record<string, LibxlDiskBackend> = { phy: 'phy', tap: 'tap', qdisk: 'qdisk', standalone: 'standalone' };
const ACCESS: Record<string, boolean> = { r: false, ro: false, w: true, rw: true };
const FLAGS = new Set(['cdrom', 'direct-io-safe', 'discard', 'no-discard']);
// deprecated prefixes of a target: the format they name (or none)
const PREFIXES: [RegExp, LibxlDiskFormat | undefined][] = [
  [/^tap2?:tapdisk:/, undefined],
  [/^tap2?:/, undefined],
  [/^(?:phy|file|tapdisk|ioemu):/, undefined],
  [/^aio:/, 'raw'],
  [/^(raw|qcow2?|vhd|qed):/, undefined],
];
const POSITIONAL = ['target', 'format', 'vdev', 'access'] as const;
// the disk names libxl turns into a device number (libxl__device_disk_dev_number); xl's dry run does not check them, creating the domain does
const VDEV = /^(?:(?:xvd|hd|sd)[a-z]+[0-9]*|d[0-9]+(?:p[0-9]+)?)$/;

export function parseXlDisk(spec: string): XlDisk {
  const got: Partial<Record<string, string>> = {};
  const flags = new Set<string>();
  let rest = spec;
  // an old prefix on the target (phy:, file:, tap:aio:) stands for the format: no positional format follows it
  const hadPrefix = () => got.target !== undefined && PREFIXES.some(([re]) => re.test(got.target!));
  const take = (key: string, value: string) => {
    if (got[key] !== undefined) throw new DiskSpecError(`${key} specified more than once`, value, spec);
    got[key] = value;
  };
  while (rest.length) {
    rest = rest.replace(/^[ \t]+/, '');
    if (rest.startsWith('target=')) {
      take('target', rest.slice(7).replace(/,$/, ''));
      break;
    }
    const comma = rest.indexOf(',');
    const param = comma < 0 ? rest : rest.slice(0, comma);
    rest = comma < 0 ? '' : rest.slice(comma + 1);
    const eq = param.indexOf('=');
    if (eq > 0) {
      const key = param.slice(0, eq);
      if (!['format', 'vdev', 'access', 'devtype', 'backendtype', 'backend', 'script'].includes(key)) {
        throw new DiskSpecError('unknown parameter', key, spec);
      }
      take(key, param.slice(eq + 1));
    } else if (FLAGS.has(param)) flags.add(param);
    else {
      // a positional value fills the first of target, format, vdev, access not given yet
      const key = POSITIONAL.find((k) => got[k] === undefined && !(k === 'format' && hadPrefix()));
      if (key === undefined) throw new DiskSpecError('too many positional parameters', param, spec);
      if (param === '' && key !== 'target') got[key] = '';
      else take(key, param);
    }
  }

  let format: LibxlDiskFormat | undefined;
  if (got.format !== undefined && got.format !== '') {
    format = FORMATS[got.format];
    if (!format) throw new DiskSpecError('unknown value for format', got.format, spec);
  }
  let pdevPath = got.target;
  for (let again = true; again && pdevPath !== undefined;) {
    again = false;
    for (const [re, f] of PREFIXES) {
      const m = re.exec(pdevPath);
      if (!m) continue;
      if (m[1]) format ??= FORMATS[m[1]];
      else if (f) format ??= f;
      pdevPath = pdevPath.slice(m[0].length);
      again = true;
      break;
    }
  }

  let vdev = got.vdev;
  let isCdrom = flags.has('cdrom');
  if (vdev?.endsWith(':cdrom')) {
    vdev = vdev.slice(0, -6);
    isCdrom = true;
  }
  if (got.devtype !== undefined) {
    if (got.devtype === 'cdrom') isCdrom = true;
    else if (got.devtype !== 'disk') throw new DiskSpecError('unknown value for type', got.devtype, spec);
  }
  if (!vdev) throw new DiskSpecError('no vdev specified', undefined, spec);
  if (!VDEV.test(vdev)) throw new DiskSpecError('invalid virtual disk name (xvdX, hdX, sdX or dNpM)', vdev, spec);
  let readwrite = true;
  if (got.access !== undefined && got.access !== '') {
    const rw = ACCESS[got.access];
    if (rw === undefined) throw new DiskSpecError('unknown value for access', got.access, spec);
    readwrite = rw;
  }
  let backend: LibxlDiskBackend | undefined;
  if (got.backendtype !== undefined && got.backendtype !== '') {
    backend = BACKENDS[got.backendtype];
    if (!backend) throw new DiskSpecError('unknown value for backendtype', got.backendtype, spec);
  }
  if (isCdrom && !pdevPath) format = 'empty';
  return {
    pdevPath,
    vdev,
    backend,
    format: format ?? 'raw',
    script: got.script || undefined,
    removable: isCdrom,
    readwrite: isCdrom ? false : readwrite,
    isCdrom,
    directIoSafe: flags.has('direct-io-safe'),
    discard: flags.has('discard') ? true : flags.has('no-discard') ? false : undefined,
    backendDomname: got.backend || undefined,
  };
}
