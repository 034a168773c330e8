import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ErrorDomain, ErrorNumber, VirError } from '../../src/index.js';
import { MAX_XML_BYTES, formatElement, parseXmlDocument, textOf, textOfBytes, type XmlElement } from '../../src/entry-points/xml.js';
import { MALFORMED, WELL_FORMED } from './malformed-documents.js';

const bytes = (latin1: string) => Buffer.from(latin1, 'latin1');
const parse = (doc: string | Uint8Array) => parseXmlDocument(doc, '(domain_definition)', ErrorDomain.DOMAIN);
const failure = (doc: string | Uint8Array): VirError => {
  try {
    parse(doc);
  } catch (e) {
    if (e instanceof VirError) return e;
    throw e;
  }
  throw new Error('parsed');
};

const DOMAIN = `<?xml version="1.0"?>
<!-- a guest -->
<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>guest&amp;co</name>
  <description>line one
line two &lt;&#x41;&#66;&gt;</description>
  <os>
    <type arch="x86_64">hvm</type>
    <boot dev='hd'/>
  </os>
  <devices>
    <disk type='file' device='disk'>
      <source file='/var/lib/libvirt/images/a long path to a disk image.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
  </devices>
  <qemu:commandline><qemu:arg value='-S'/><![CDATA[<raw> & text]]></qemu:commandline>
</domain>
`;

t.test('a document becomes the light tree: names, attributes in order, text, lines', async (t) => {
  const root = parse(DOMAIN);
  t.equal(root.name, 'domain');
  t.same(root.attrs, { type: 'kvm', 'xmlns:qemu': 'http://libvirt.org/schemas/domain/qemu/1.0' }, 'namespace declarations are kept as attributes');
  t.equal(root.line, 3);
  const kids = root.children.filter((c): c is XmlElement => typeof c !== 'string');
  t.same(kids.map((k) => [k.name, k.line]), [['name', 4], ['description', 5], ['os', 7], ['devices', 11], ['qemu:commandline', 17]]);
  t.equal(textOf(kids[0]), 'guest&co', 'predefined entities');
  t.equal(textOf(kids[1]), 'line one\nline two <AB>', 'character references');
  const disk = (kids[3].children.find((c) => typeof c !== 'string') as XmlElement);
  const source = disk.children.find((c) => typeof c !== 'string' && c.name === 'source') as XmlElement;
  t.equal(source.attrs.file, '/var/lib/libvirt/images/a long path to a disk image.qcow2');
  t.equal(textOf(kids[4]), '<raw> & text', 'CDATA is text');
  t.equal(formatElement(kids[2], ''), "<os>\n  <type arch='x86_64'>hvm</type>\n  <boot dev='hd'/>\n</os>\n", 'formats back');
});

t.test('bytes are read as UTF-8, strings as they are', async (t) => {
  t.equal(textOf(parse(Buffer.from("<a>\u00e9t\u00e9 \u{1f600}</a>", 'utf8'))), '\u00e9t\u00e9 \u{1f600}');
  t.equal(textOf(parse("<a>\u00e9t\u00e9 \u{1f600}</a>")), '\u00e9t\u00e9 \u{1f600}');
  t.equal(parse(Buffer.from('\ufeff<a/>', 'utf8')).name, 'a', 'a byte order mark is skipped');
  t.equal(parse('<a b="1\t2\r\n3"/>').attrs.b, '1 2 3', 'attribute values are normalised');
  t.equal(textOf(parse('<a>1\r\n2\r3</a>')), '1\n2\n3', 'line ends are normalised');
});

t.test('every malformed document is VIR_ERR_XML_DETAIL from the caller\'s error domain', async (t) => {
  for (const [name, doc] of Object.entries(MALFORMED)) {
    const e = failure(bytes(doc));
    t.equal(e.code, ErrorNumber.XML_DETAIL, name);
    t.equal(e.domain, ErrorDomain.DOMAIN, name);
    t.match(e.message, /^\(domain_definition\):\d+: /, name);
  }
  for (const [name, doc] of Object.entries(WELL_FORMED)) t.ok(parse(bytes(doc)), name);
});

t.test('errors say where, as libvirt says it', async (t) => {
  t.equal(failure("<domain type='test'>\n  <name>x</nam>\n  <x/>\n</domain>").message,
    "(domain_definition):2: Opening and ending tag mismatch: name line 2 and nam\n  <name>x</nam>\n---------------^", 'the first error, not the last');
  t.equal(failure(bytes("<domain>\n  <name>a\xffb</name>\n</domain>")).message,
    '(domain_definition):2: Input is not proper UTF-8, indicate encoding !\nBytes: 0xFF 0x62 0x3C 0x2F\n  <name>a\ufffdb</name>\n---------^', 'invalid UTF-8');
  t.equal(failure('<a>\u00e9\u00e9</b>').message, '(domain_definition):1: Opening and ending tag mismatch: a line 1 and b\n<a>\u00e9\u00e9</b>\n-----------^', 'the pointer counts bytes');
  t.equal(failure('<a>\ud800</a>').code, ErrorNumber.XML_DETAIL, 'a lone surrogate in a string');
  t.equal(failure('').message, '(domain_definition):1: Document is empty\n(null)\n^');
});

t.test('bytes carried as text (invalid ones escaped) are refused as the bytes are', async (t) => {
  for (const [name, doc] of Object.entries({ ...MALFORMED, ...WELL_FORMED })) {
    let asBytes: string | null = null;
    let asText: string | null = null;
    try { parse(bytes(doc)); } catch (e) { asBytes = (e as VirError).message; }
    try { parse(textOfBytes(bytes(doc))); } catch (e) { asText = (e as VirError).message; }
    t.equal(asText, asBytes, name);
  }
  t.equal(textOfBytes(Buffer.from('\u00e9t\u00e9', 'utf8')), '\u00e9t\u00e9', 'valid UTF-8 is plain text');
});

t.test('nothing is fetched, loaded or expanded without bound', async (t) => {
  const root = parse(bytes(WELL_FORMED['DOCTYPE with external entity (not loaded)']));
  t.equal(textOf(root.children[0] as XmlElement), '', 'an external entity is empty, as in libvirt');
  const laughs = `<!DOCTYPE a [<!ENTITY x '${'x'.repeat(1000)}'>]><a>${'&x;'.repeat(2000)}</a>`;
  t.match(failure(laughs).message, /amplification/, 'entity expansion is bounded');
  const nested = "<!DOCTYPE a [<!ENTITY x 'x'><!ENTITY y '&x;&x;'>]><a>&y;</a>";
  t.equal(textOf(parse(nested)), '', 'entities with references in them are not expanded');
  t.match(failure('<a>'.repeat(100000)).message, /Excessive depth in document: 256/, 'depth is bounded');
});

t.test('size is bounded before parsing', async (t) => {
  const big = `<a>${'x'.repeat(MAX_XML_BYTES)}</a>`;
  t.match(failure(big), { code: ErrorNumber.XML_ERROR, message: /larger than/ });
  t.match(failure(Buffer.from(big)), { code: ErrorNumber.XML_ERROR, message: /larger than/ });
  t.match(failure('\u00e9'.repeat(MAX_XML_BYTES / 2 + 1)), { code: ErrorNumber.XML_ERROR }, 'counted in bytes');
});

t.test('cut or corrupted at every offset: a tree or VIR_ERR_XML_DETAIL, nothing else', async (t) => {
  const doc = Buffer.from(DOMAIN, 'utf8');
  let refused = 0;
  for (let i = 0; i < doc.length; i++) {
    try {
      parse(doc.subarray(0, i));
    } catch (e) {
      if (!(e instanceof VirError) || e.code !== ErrorNumber.XML_DETAIL) throw e;
      refused++;
    }
    for (const b of [0x3c, 0x26, 0x27, 0x3e, 0xff, 0x00]) {
      const bad = Buffer.from(doc);
      bad[i] = b;
      try {
        parse(bad);
      } catch (e) {
        if (!(e instanceof VirError) || e.code !== ErrorNumber.XML_DETAIL) throw e;
      }
    }
  }
  t.equal(refused, doc.length - 1, 'every prefix that stops before the root\'s end tag is refused');
});

// libvirt's own parser is the reference: where python3 with libvirt's bindings is
// installed, the same bytes go to libvirt's test driver and the messages must match.
t.test('the same errors as libvirt 9.0, word for word', async (t) => {
  const python = '/usr/bin/python3';
  const script = fileURLToPath(new URL('./libvirt-parse.py', import.meta.url));
  const probe = existsSync(python) ? spawnSync(python, ['-c', 'import ctypes; ctypes.CDLL("libvirt.so.0")']) : null;
  if (!probe || probe.status !== 0) {
    t.skip('libvirt (libvirt.so.0 and /usr/bin/python3) is not installed here');
    return;
  }
  const all = { ...MALFORMED, ...WELL_FORMED };
  const r = spawnSync(python, [script], { input: JSON.stringify(all), encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  const theirs = JSON.parse(r.stdout) as Record<string, { code: number; message: string } | null>;
  for (const [name, doc] of Object.entries(all)) {
    const lv = theirs[name];
    const lvDetail = lv?.code === ErrorNumber.XML_DETAIL ? lv.message : null;
    let ours: string | null = null;
    try {
      parse(bytes(doc));
    } catch (e) {
      ours = (e as VirError).message;
    }
    t.equal(ours, lvDetail, name);
  }
});
