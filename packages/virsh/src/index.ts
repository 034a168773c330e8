export { VirshContext, type VirshOptions } from './virsh-context.js';
export { runCommands, commandsOfArgs } from './virsh-run.js';
export { allCommands, findCommand } from './commands/command-registry.js';
export { tokenizeScript } from './cli/command-tokenizer.js';
export { formatTable } from './output/vsh-table.js';
