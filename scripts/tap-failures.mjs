// The failures in a tap run's TAP output, each with where it happened (file:line:column),
// the path of subtest names leading to it, and the lines that explain it (diff, found and
// wanted, or the error's stack). A failed subtest whose own assertions already failed is
// not listed again; one that failed by itself (a timeout, a throw) is.

const MAX_DETAIL_LINES = 16;

/** The YAML diagnostic block that follows line `i` (indented, between --- and ...), as lines. */
function diagnosticAfter(lines, i) {
  if (!/^\s*---\s*$/.test(lines[i + 1] ?? '')) return [];
  const block = [];
  for (let j = i + 2; j < lines.length && !/^\s*\.\.\.\s*$/.test(lines[j]); j++) block.push(lines[j]);
  const indent = Math.min(...block.filter((l) => l.trim()).map((l) => /^\s*/.exec(l)[0].length));
  // tap folds long values (YAML's >), putting a blank line after each of their lines
  return block.filter((l) => l.trim()).map((l) => l.slice(indent));
}

/** The value of a top-level key of a diagnostic: a scalar, or the lines of a block under it. */
function field(diag, key) {
  const at = diag.findIndex((l) => l.startsWith(`${key}:`));
  if (at < 0) return undefined;
  const inline = diag[at].slice(key.length + 1).trim();
  if (inline && !/^[|>]/.test(inline)) return [inline];
  const lines = [];
  for (let j = at + 1; j < diag.length && (/^\s/.test(diag[j]) || !diag[j]); j++) lines.push(diag[j].replace(/^ {2}/, ''));
  return lines;
}

/** file:line:column from a diagnostic's `at`, else from the first line of its stack. */
function locationOf(diag, file) {
  const at = field(diag, 'at');
  if (at) {
    const value = (k) => at.find((l) => l.startsWith(`${k}:`))?.slice(k.length + 1).trim();
    const name = value('fileName');
    if (name) return `${name}:${value('lineNumber') ?? '?'}:${value('columnNumber') ?? '?'}`;
  }
  const stack = field(diag, 'stack')?.find((l) => /\(?[^\s(]+:\d+:\d+\)?$/.test(l));
  if (stack) return /([^\s(]+:\d+:\d+)\)?$/.exec(stack)[1];
  return file ?? '(unknown place)';
}

/** What explains a failure: its diff, else found/wanted, else the error's message and stack. */
function detailsOf(diag) {
  const diff = field(diag, 'diff');
  if (diff) return diff.filter((l) => !/^(---|\+\+\+) (expected|actual)$/.test(l)).slice(0, MAX_DETAIL_LINES);
  const lines = [];
  for (const key of ['found', 'wanted', 'pattern', 'message', 'code', 'signal', 'expired', 'stack']) {
    const v = field(diag, key);
    if (v) lines.push(`${key}: ${v[0] ?? ''}`, ...v.slice(1).map((l) => `  ${l}`));
  }
  return lines.slice(0, MAX_DETAIL_LINES);
}

/** Every failure in `tapOutput`, as { where, title, details }. */
export function failuresOf(tapOutput) {
  const lines = tapOutput.split('\n');
  const open = []; // the subtests we are inside: { name, indent, failuresBefore }
  const failures = [];
  let closed; // the subtest closed last: tap reports a timed-out subtest twice
  for (let i = 0; i < lines.length; i++) {
    const subtest = /^(\s*)# Subtest: (.*)$/.exec(lines[i]);
    if (subtest) {
      open.push({ name: subtest[2], indent: subtest[1].length, failuresBefore: failures.length });
      continue;
    }
    const result = /^(\s*)(not ok|ok) \d+ - (.*?)(?: # (?:time=|SKIP|TODO).*)?$/.exec(lines[i]);
    if (!result) continue;
    const [, space, status, name] = result;
    const top = open.at(-1);
    const closesSubtest = top && top.indent === space.length && top.name === name;
    const repeated = !closesSubtest && closed?.indent === space.length && closed.name === name;
    closed = closesSubtest ? open.pop() : undefined;
    if (status === 'ok' || repeated) continue;
    if (closesSubtest && failures.length > top.failuresBefore) continue;
    const diag = diagnosticAfter(lines, i);
    const path = open.map((s) => s.name);
    const file = path[0];
    failures.push({
      where: locationOf(diag, file),
      title: [...path.slice(1), ...(closesSubtest ? [top.name] : [name])].join(' > '),
      details: detailsOf(diag),
    });
  }
  return failures;
}
