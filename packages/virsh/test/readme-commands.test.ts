// The README names virsh's commands: exactly those the registry has, so that it cannot go stale.

import { readFileSync } from 'node:fs';
import t from 'tap';
import { allCommands } from '../src/commands/command-registry.js';

t.test('README lists every command, and only those', async (t) => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const list = /Its commands[^\n]*\n\n([\s\S]*?)\n\n/.exec(readme)?.[1];
  t.ok(list, 'the list is there');
  const named = (list ?? '').split(/,\s*/).map((s) => s.trim()).filter(Boolean);
  t.same(named, allCommands.map((c) => c.name).sort());
});
