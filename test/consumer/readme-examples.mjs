// The examples of a package README, in the form the consumer test runs them: the
// ```ts blocks as one program, and the command lines of the ```sh blocks.

/** Lines that set up rather than demonstrate: installing, building, running tests. */
const SETUP_COMMAND = /^(npm|pnpm|npx|yarn|cd)\b/;

/** The line of a README that installs the package: `npm install [-g] ... @tsvirt/PKG`. */
export const installLine = (pkg) => new RegExp(`^npm install( -g)? .*@tsvirt/${pkg}\\b`, 'm');

/** The fenced blocks of a markdown text, by language. */
function blocksOf(markdown, lang) {
  const fence = new RegExp('^```' + lang + '\\n([\\s\\S]*?)^```', 'gm');
  return [...markdown.matchAll(fence)].map((m) => m[1]);
}

/** The TypeScript example: the README's ```ts blocks, joined (they read as one program). */
export function typescriptExample(markdown) {
  const blocks = blocksOf(markdown, 'ts');
  return blocks.length ? blocks.join('\n') : null;
}

/**
 * The shell example's commands, in order, each without its trailing comment. The
 * example is the ```sh block that installs the package and then uses it; other blocks
 * are reference (starting a daemon, say) and are not run. Setup lines (installs,
 * builds, test runs) are left out: the consumer project is already set up.
 */
export function shellCommands(markdown, pkg) {
  return blocksOf(markdown, 'sh')
    .filter((b) => installLine(pkg).test(b))
    .flatMap((b) => b.split('\n'))
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l && !l.startsWith('#') && !SETUP_COMMAND.test(l));
}

/** The first word of a command line: the tool it needs. */
export const toolOf = (command) => command.split(/\s+/)[0];
