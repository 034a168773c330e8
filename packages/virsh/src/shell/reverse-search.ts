import type { Interface } from 'node:readline';

// Reverse incremental search through history (Ctrl+R), as GNU readline offers it in
// libvirt's virsh; Node's readline has none. While searching, the prompt reads
// (reverse-i-search)`TEXT': and the line shows the newest entry containing TEXT. Ctrl+R
// again finds an older one, Backspace shortens TEXT, Enter runs the entry, Ctrl+G or
// Escape gives the line back as it was, and any other key keeps the entry and edits on.

interface Key { name?: string; ctrl?: boolean; meta?: boolean; sequence?: string }

/** The parts of Node's readline Interface that line editing goes through (not in its types). */
interface EditableLine {
  line: string;
  cursor: number;
  history: string[];
  _ttyWrite(s: string | undefined, key: Key): void;
  _refreshLine(): void;
  getPrompt(): string;
  setPrompt(prompt: string): void;
}

export function addReverseSearch(rl: Interface): void {
  const editable = rl as unknown as EditableLine;
  const write = editable._ttyWrite.bind(editable);
  let search: { text: string; from: number; prompt: string; line: string; cursor: number } | null = null;

  /**
   * Show the newest entry at or after history index `from` that contains the text (an
   * older one when `older`, skipping entries the same as the one shown).
   */
  const find = (from: number, older = false): boolean => {
    const s = search!;
    const shown = editable.line;
    const at = s.text ? editable.history.findIndex((entry, i) => i >= from && entry.includes(s.text) && !(older && entry === shown)) : -1;
    if (at >= 0) {
      s.from = at;
      editable.line = editable.history[at];
      editable.cursor = editable.line.indexOf(s.text);
    }
    editable.setPrompt(`(${at < 0 && s.text ? 'failed ' : ''}reverse-i-search)\`${s.text}': `);
    editable._refreshLine();
    return at >= 0;
  };

  const leave = (line: string, cursor: number) => {
    editable.setPrompt(search!.prompt);
    search = null;
    editable.line = line;
    editable.cursor = cursor;
    editable._refreshLine();
  };

  editable._ttyWrite = (s, key = {}) => {
    if (!search) {
      if (key.ctrl && key.name === 'r') {
        search = { text: '', from: 0, prompt: editable.getPrompt(), line: editable.line, cursor: editable.cursor };
        find(0);
        return;
      }
      write(s, key);
      return;
    }
    if (key.ctrl && key.name === 'r') {
      find(search.from + 1, true);
    } else if ((key.ctrl && key.name === 'g') || key.name === 'escape') {
      leave(search.line, search.cursor);
    } else if (key.name === 'backspace') {
      search.text = search.text.slice(0, -1);
      find(0);
    } else if (s && !key.ctrl && !key.meta && key.name !== 'return' && key.name !== 'enter' && s.length === 1 && s >= ' ') {
      search.text += s;
      find(search.from);
    } else {
      leave(editable.line, editable.cursor);
      write(s, key);
    }
  };
}
