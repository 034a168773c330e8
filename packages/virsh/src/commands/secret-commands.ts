import { spawnSync } from 'node:child_process';
import { readSync } from 'node:fs';
import { isatty } from 'node:tty';
import { ConnectListAllSecretsFlags as F, ErrorNumber, SecretDefineFlags, VirError, type Secret } from '@tsvirt/core';
import { secretUsageTypeName } from '@tsvirt/core/xml';
import { defineCommand, type CommandDef, type OptionDef, type OptionValues } from '../cli/command-def.js';
import { formatTable } from '../output/vsh-table.js';
import type { VirshContext } from '../virsh-context.js';
import { fromFileCommand, objectActionCommand, objectPrintCommand } from './object-commands.js';
import { readCommandFileBytes } from './domain-lifecycle-commands.js';

const G = 'secret';
const SECRET_OPTION = { name: 'secret', type: 'string', help: 'secret UUID', required: true, positional: true } as const satisfies OptionDef;

/** The secret a command names, by UUID only (as libvirt's virsh); a miss is "failed to get secret". */
async function findSecret(ctx: VirshContext, opts: OptionValues): Promise<Secret | null> {
  const conn = await ctx.connection();
  if (!conn) return null;
  const uuid = opts.get('secret') as string;
  try {
    return await conn.lookupSecretByUUID(uuid);
  } catch (e) {
    ctx.error(`failed to get secret '${uuid}'`);
    ctx.reportError(e);
    return null;
  }
}

/**
 * Base64 text as bytes, as libvirt's virsh decodes it (glib's lenient decoder): characters
 * outside the alphabet are skipped, and what does not decode is an empty value (which the
 * API then refuses).
 */
function fromBase64(text: string): Uint8Array {
  const clean = text.replace(/[^A-Za-z0-9+/=]/g, '');
  return new Uint8Array(Buffer.from(clean, 'base64'));
}

/** One line of standard input, without echo on a terminal (libvirt's virGetPassword); null at its end. */
function readSecretLine(): Uint8Array | null {
  const tty = isatty(0);
  if (tty) spawnSync('stty', ['-echo'], { stdio: ['inherit', 'ignore', 'ignore'] });
  try {
    const bytes: number[] = [];
    const one = Buffer.alloc(1);
    for (;;) {
      let n: number;
      try {
        n = readSync(0, one, 0, 1, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        throw e;
      }
      if (n === 0) return bytes.length > 0 ? new Uint8Array(bytes) : null;
      if (one[0] === 0x0a) return new Uint8Array(bytes);
      bytes.push(one[0]!);
    }
  } finally {
    if (tty) spawnSync('stty', ['echo'], { stdio: ['inherit', 'ignore', 'ignore'] });
  }
}

const secretSetValue = defineCommand({
  name: 'secret-set-value', group: G, help: 'set a secret value', description: 'Set a secret value.',
  options: [
    SECRET_OPTION,
    { name: 'file', type: 'string', help: 'read secret from file' },
    { name: 'plain', type: 'bool', help: 'read the secret from file without converting from base64' },
    { name: 'interactive', type: 'bool', help: 'read the secret from the terminal' },
    { name: 'base64', type: 'string', help: 'base64-encoded secret value' },
  ],
  async run(ctx, opts) {
    for (const [a, b] of [['file', 'base64'], ['plain', 'base64'], ['interactive', 'file'], ['interactive', 'base64']] as const) {
      if (opts.has(a) && opts.has(b)) {
        ctx.error(`Options --${a} and --${b} are mutually exclusive`);
        return false;
      }
    }
    const secret = await findSecret(ctx, opts);
    if (!secret) return false;
    let value: Uint8Array;
    const base64 = opts.get('base64');
    const file = opts.get('file');
    if (base64 !== undefined) {
      // as libvirt's virsh: a warning, and the value is set all the same
      ctx.error('Passing secret value as command-line argument is insecure!');
      value = fromBase64(base64);
    } else if (file !== undefined) {
      const bytes = readCommandFileBytes(ctx, file);
      if (bytes === null) return false;
      value = opts.has('plain') ? new Uint8Array(bytes) : fromBase64(bytes.toString('latin1'));
    } else if (opts.has('interactive')) {
      ctx.print('Enter new value for secret:');
      const line = readSecretLine();
      if (line === null) {
        ctx.error('Failed to read secret');
        return false;
      }
      value = line;
    } else {
      ctx.error('Input secret value is missing');
      return false;
    }
    try {
      await secret.setValue(value);
    } catch (e) {
      ctx.error('Failed to set secret value');
      ctx.reportError(e);
      return false;
    } finally {
      value.fill(0);
    }
    ctx.print('Secret value set\n');
    return true;
  },
});

const secretGetValue = objectPrintCommand(
  {
    name: 'secret-get-value', group: G, help: 'Output a secret value', description: 'Output a secret value to stdout.',
    options: [SECRET_OPTION, { name: 'plain', type: 'bool', help: 'get value without converting to base64' }],
  },
  findSecret,
  // no newline of its own: the one virsh prints after each command ends it (none with --quiet), as in libvirt
  async (s, opts) => {
    const value = Buffer.from(await s.getValue());
    return opts.has('plain') ? value : value.toString('base64');
  },
);

const LIST_FILTERS: [string, number, string][] = [
  ['ephemeral', F.EPHEMERAL, 'list ephemeral secrets'],
  ['no-ephemeral', F.NO_EPHEMERAL, 'list non-ephemeral secrets'],
  ['private', F.PRIVATE, 'list private secrets'],
  ['no-private', F.NO_PRIVATE, 'list non-private secrets'],
];

const secretList = defineCommand({
  name: 'secret-list', group: G, help: 'list secrets', description: 'Returns a list of secrets',
  options: LIST_FILTERS.map(([name, , help]) => ({ name, type: 'bool', help }) as const),
  async run(ctx, opts) {
    const conn = await ctx.connection();
    if (!conn) return false;
    let flags = 0;
    for (const [name, bit] of LIST_FILTERS) if (opts.has(name)) flags |= bit;
    let secrets: Secret[];
    try {
      secrets = await conn.listAllSecrets(flags);
    } catch (e) {
      // libvirt's virsh falls back to the legacy count when the list is not supported, and reports that
      const unsupported = e instanceof VirError && e.code === ErrorNumber.NO_SUPPORT;
      ctx.error(unsupported ? 'Failed to count secrets' : 'Failed to list secrets');
      ctx.reportError(unsupported ? VirError.of(ErrorNumber.NO_SUPPORT, e.domain, 'virConnectNumOfSecrets') : e);
      return false;
    }
    const rows = secrets.sort((a, b) => (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0))
      .map((s) => [s.uuid, s.usageType === 0 ? 'Unused' : `${secretUsageTypeName(s.usageType)} ${s.usageID}`]);
    ctx.print(formatTable(['UUID', 'Usage'], rows, ctx.options.quiet));
    return true;
  },
});

const secretDefine = fromFileCommand(
  {
    name: 'secret-define', group: G, help: 'define or modify a secret from an XML file', description: 'Define or modify a secret.',
    options: [
      { name: 'file', type: 'string', help: 'file containing secret attributes in XML', required: true, positional: true },
      { name: 'validate', type: 'bool', help: 'validate the XML against the schema' },
    ],
  },
  (conn, xml, opts) => conn.defineSecretXML(xml, opts.has('validate') ? SecretDefineFlags.VALIDATE : 0),
  (s) => `Secret ${s.uuid} created`, (file) => `Failed to set attributes from ${file}`,
);

export const secretCommands: CommandDef[] = [
  secretDefine,
  objectPrintCommand(
    { name: 'secret-dumpxml', group: G, help: 'secret attributes in XML', description: 'Output attributes of a secret as an XML dump to stdout.', options: [SECRET_OPTION] },
    findSecret, (s) => s.getXMLDesc(),
  ),
  secretGetValue,
  secretList,
  secretSetValue,
  objectActionCommand(
    { name: 'secret-undefine', group: G, help: 'undefine a secret', description: 'Undefine a secret.', options: [SECRET_OPTION] },
    findSecret, (s) => s.undefine(), (s) => `Secret ${s.uuid} deleted`, (s) => `Failed to delete secret ${s.uuid}`,
  ),
];
