import type { TypeRef } from '../../api-model.js';

/** Text made safe for one markdown table cell: no pipe ends the cell, no newline ends the row. */
export const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** A markdown table; empty when there are no rows, so that a section without rows says nothing. */
export function table(head: string[], rows: string[][]): string {
  if (!rows.length) return '';
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** GitHub's anchor for a heading that is a single name. */
export const anchor = (name: string) => name.toLowerCase().replace(/[^a-z0-9_-]/g, '');

/** An api.xml type as a link to where it is described; primitives stay plain. */
export function typeLink(t: TypeRef): string {
  const list = t.list ? '[]' : '';
  switch (t.kind) {
    case 'enum': return `[${t.name}](enums.md#${anchor(t.name)})${list}`;
    case 'struct': return `[${t.name}](structs.md#${anchor(t.name)})${list}`;
    case 'object': return `[${t.name}](${t.name}.md)${list}`;
    case 'listener': return `[${t.name}](events.md)${list}`;
    default: return `\`${t.name}${list}\``;
  }
}

/** The parts of a page joined by blank lines, leaving out empty parts. */
export const page = (...parts: string[]) => `${parts.filter((p) => p !== '').join('\n\n')}\n`;

/** A line of short facts (libvirt name, since, ...), leaving out those that do not apply. */
export const factLine = (facts: (string | null)[]) => facts.filter((f) => f !== null).join(' · ');

/** One named entry of a reference page: heading, description, facts, then its table. */
export const entry = (name: string, doc: string, facts: (string | null)[], rows: string) =>
  page(`## ${name}`, doc, factLine(facts), rows).trimEnd();
