/**
 * Split a virsh command string into commands and their words, as virsh does: `;` or a
 * newline ends a command, quotes group words ('...' literally, "..." with backslash
 * escapes), a backslash escapes the next character, `#` starts a comment at a word start.
 */
export function tokenizeScript(script: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word: string | null = null;
  const endWord = () => {
    if (word !== null) words.push(word);
    word = null;
  };
  const endCommand = () => {
    endWord();
    if (words.length) commands.push(words);
    words = [];
  };
  for (let i = 0; i < script.length; i++) {
    const c = script[i];
    if (c === ' ' || c === '\t') endWord();
    else if (c === ';' || c === '\n') endCommand();
    else if (c === '#' && word === null) {
      while (i < script.length && script[i] !== '\n') i++;
      endCommand();
    } else if (c === '\\') {
      word = (word ?? '') + (script[++i] ?? '');
    } else if (c === "'" || c === '"') {
      word ??= '';
      for (i++; i < script.length && script[i] !== c; i++) {
        if (c === '"' && script[i] === '\\' && i + 1 < script.length) i++;
        word += script[i];
      }
    } else {
      word = (word ?? '') + c;
    }
  }
  endCommand();
  return commands;
}
