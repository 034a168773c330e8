/**
 * virsh's table: a header, a rule of dashes, and rows; each cell padded to its
 * column's width, three spaces between columns, the last column left unpadded.
 * Quiet mode prints the rows alone, sized without the header.
 */
export function formatTable(header: string[], rows: string[][], quiet: boolean): string {
  const all = quiet ? rows : [header, ...rows];
  const widths = header.map((_, c) => Math.max(0, ...all.map((r) => [...(r[c] ?? '')].length)));
  const line = (r: string[]) => ` ${r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('   ')}\n`;
  if (quiet) return rows.map(line).join('');
  const rule = '-'.repeat(1 + widths.reduce((a, b) => a + b, 0) + 3 * (widths.length - 1) + 2);
  return `${line(header)}${rule}\n${rows.map(line).join('')}`;
}
