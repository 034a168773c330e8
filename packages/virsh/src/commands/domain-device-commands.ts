import { DomainDeviceModifyFlags, DomainXMLFlags, type Domain } from '@tsvirt/core';
import { escapeXml, formatAttrs, formatDevice, parseDomainXml, type DomainDef, type InterfaceDef } from '@tsvirt/core/xml';
import type { CommandDef, OptionValues } from '../cli/command-def.js';
import { formatTable } from '../output/vsh-table.js';
import type { VirshContext } from '../virsh-context.js';
import { readCommandFile } from './domain-lifecycle-commands.js';
import { IMPACT_OPTIONS, domainCommand, impactFlags, impactOptions } from './domain-command.js';

/** A child element line of a device's XML, or nothing when none of its attributes is given. */
const childLine = (name: string, attrs: Record<string, string | undefined>) =>
  (Object.values(attrs).some((v) => v !== undefined) ? `  <${name}${formatAttrs(attrs)}/>\n` : '');

const PERSISTENT_OPTION = { name: 'persistent', type: 'bool', help: 'make live change persistent' } as const;

/** The domain's definition as a command sees it: the persistent one with --inactive or --config. */
async function domainDef(dom: Domain, inactive: boolean): Promise<DomainDef> {
  return parseDomainXml(await dom.getXMLDesc(inactive ? DomainXMLFlags.INACTIVE : 0));
}

/** Attach or detach the device a command built, or print its XML with --print-xml. */
async function applyDevice(ctx: VirshContext, dom: Domain, opts: OptionValues, xml: string, attach: boolean, done: string): Promise<boolean | void> {
  if (opts.has('print-xml')) {
    ctx.print(xml);
    return;
  }
  const flags = impactFlags(ctx, opts, dom);
  if (flags === null) return false;
  if (attach) await dom.attachDevice(xml, flags);
  else await dom.detachDevice(xml, flags);
  ctx.print(`${done}\n`);
}

const deviceFromFile = (attach: boolean): CommandDef => domainCommand({
  name: attach ? 'attach-device' : 'detach-device',
  help: attach ? 'attach device from an XML file' : 'detach device from an XML file',
  description: attach ? 'Attach device from an XML <file>.' : 'Detach device from an XML <file>',
  options: [
    { name: 'file', type: 'string', help: 'XML file', required: true, positional: true },
    PERSISTENT_OPTION, ...IMPACT_OPTIONS,
  ],
}, async (ctx, dom, opts) => {
  const xml = await readCommandFile(ctx, opts.get('file') as string);
  if (xml === null) return false;
  return applyDevice(ctx, dom, opts, xml, attach, attach ? 'Device attached successfully' : 'Device detached successfully');
}, (_, opts) => `Failed to ${attach ? 'attach' : 'detach'} device from ${opts.get('file')}`);

const updateDevice = domainCommand({
  name: 'update-device', help: 'update device from an XML file', description: 'Update device from an XML <file>.',
  options: [
    { name: 'file', type: 'string', help: 'XML file', required: true, positional: true },
    PERSISTENT_OPTION, ...IMPACT_OPTIONS,
    { name: 'force', type: 'bool', help: 'force device update' },
  ],
}, async (ctx, dom, opts) => {
  const xml = await readCommandFile(ctx, opts.get('file') as string);
  if (xml === null) return false;
  const flags = impactFlags(ctx, opts, dom);
  if (flags === null) return false;
  await dom.updateDevice(xml, (flags | (opts.has('force') ? DomainDeviceModifyFlags.FORCE : 0)) >>> 0);
  ctx.print('Device updated successfully\n');
}, (_, opts) => `Failed to update device from ${opts.get('file')}`);

const attachDisk = domainCommand({
  name: 'attach-disk', help: 'attach disk device', description: 'Attach new disk device.',
  options: [
    { name: 'source', type: 'string', help: 'source of disk device or name of network disk', required: true, positional: true, emptyOk: true },
    { name: 'target', type: 'string', help: 'target of disk device', required: true, positional: true },
    { name: 'targetbus', type: 'string', help: 'target bus of disk device' },
    { name: 'driver', type: 'string', help: 'driver of disk device' },
    { name: 'subdriver', type: 'string', help: 'subdriver of disk device' },
    { name: 'cache', type: 'string', help: 'cache mode of disk device' },
    { name: 'type', type: 'string', help: 'target device type' },
    { name: 'mode', type: 'string', help: 'mode of device reading and writing' },
    { name: 'sourcetype', type: 'string', help: 'type of source (block|file|network)' },
    { name: 'serial', type: 'string', help: 'serial of disk device' },
    { name: 'print-xml', type: 'bool', help: 'print XML document rather than attach the disk' },
    PERSISTENT_OPTION, ...IMPACT_OPTIONS,
  ],
}, async (ctx, dom, opts) => {
  const o = (n: string) => opts.get(n) as string | undefined;
  const type = o('sourcetype') ?? 'file';
  const sourceAttr = type === 'block' ? 'dev' : type === 'dir' ? 'dir' : 'file';
  const mode = o('mode');
  const xml = `<disk${formatAttrs({ type, device: o('type') ?? 'disk' })}>\n`
    + childLine('driver', { name: o('driver'), type: o('subdriver'), cache: o('cache') })
    + childLine('source', { [sourceAttr]: o('source') })
    + childLine('target', { dev: o('target'), bus: o('targetbus') })
    + (mode === 'readonly' ? '  <readonly/>\n' : mode === 'shareable' ? '  <shareable/>\n' : '')
    + (o('serial') ? `  <serial>${escapeXml(o('serial')!)}</serial>\n` : '')
    + '</disk>\n';
  return applyDevice(ctx, dom, opts, xml, true, 'Disk attached successfully');
}, () => 'Failed to attach disk');

/** The attribute of <source> for each interface type. */
const SOURCE_ATTR: Record<string, string> = { network: 'network', bridge: 'bridge', direct: 'dev', user: '', ethernet: '' };

const attachInterface = domainCommand({
  name: 'attach-interface', help: 'attach network interface', description: 'Attach new network interface.',
  options: [
    { name: 'type', type: 'string', help: 'network interface type', required: true, positional: true },
    { name: 'source', type: 'string', help: 'source of network interface', required: true, positional: true },
    { name: 'target', type: 'string', help: 'target network name' },
    { name: 'mac', type: 'string', help: 'MAC address' },
    { name: 'script', type: 'string', help: 'script used to bridge network interface' },
    { name: 'model', type: 'string', help: 'model type' },
    { name: 'alias', type: 'string', help: 'custom alias name of interface device' },
    { name: 'print-xml', type: 'bool', help: 'print XML document rather than attach the interface' },
    PERSISTENT_OPTION, ...IMPACT_OPTIONS,
  ],
}, async (ctx, dom, opts) => {
  const o = (n: string) => opts.get(n) as string | undefined;
  const type = o('type')!;
  const attr = SOURCE_ATTR[type];
  if (attr === undefined) {
    ctx.error(`No support for ${type} in command 'attach-interface'`);
    return false;
  }
  const xml = `<interface${formatAttrs({ type })}>\n`
    + (attr ? childLine('source', { [attr]: o('source') }) : '')
    + childLine('target', { dev: o('target') }) + childLine('mac', { address: o('mac') }) + childLine('script', { path: o('script') })
    + childLine('model', { type: o('model') }) + childLine('alias', { name: o('alias') })
    + '</interface>\n';
  return applyDevice(ctx, dom, opts, xml, true, 'Interface attached successfully');
}, () => 'Failed to attach interface');

const detachInterface = domainCommand({
  name: 'detach-interface', help: 'detach network interface', description: 'Detach network interface.',
  options: [
    { name: 'type', type: 'string', help: 'network interface type', required: true, positional: true },
    { name: 'mac', type: 'string', help: 'MAC address' },
    PERSISTENT_OPTION, ...IMPACT_OPTIONS,
  ],
}, async (ctx, dom, opts) => {
  const type = opts.get('type') as string;
  const mac = (opts.get('mac') as string | undefined)?.toLowerCase();
  const def = await domainDef(dom, opts.has('config'));
  const matches = def.devices.filter((d): d is InterfaceDef => d.kind === 'interface' && d.type === type && (mac === undefined || d.mac === mac));
  if (matches.length === 0) {
    ctx.error(mac ? `No interface found whose type is ${type} and MAC address is ${mac}` : `No interface found whose type is ${type}`);
    ctx.error('Failed to detach interface');
    return false;
  }
  if (matches.length > 1) {
    ctx.error(`Domain has ${matches.length} interfaces. Please specify which one to detach using --mac`);
    ctx.error('Failed to detach interface');
    return false;
  }
  return applyDevice(ctx, dom, opts, formatDevice(matches[0], ''), false, 'Interface detached successfully');
}, () => 'Failed to detach interface');

const detachDisk = domainCommand({
  name: 'detach-disk', help: 'detach disk device', description: 'Detach disk device.',
  options: [
    { name: 'target', type: 'string', help: 'target of disk device', required: true, positional: true },
    PERSISTENT_OPTION, ...IMPACT_OPTIONS,
    { name: 'print-xml', type: 'bool', help: 'print XML document rather than detach the disk' },
  ],
}, async (ctx, dom, opts) => {
  const target = opts.get('target') as string;
  const def = await domainDef(dom, opts.has('config'));
  // As libvirt's virsh: the disk is named by its target or by its source path.
  const disk = def.devices.find((d) => d.kind === 'disk' && (d.target.dev === target || Object.values(d.source ?? {}).includes(target)));
  if (!disk) {
    ctx.error(`No disk found whose source path or target is ${target}`);
    return false;
  }
  return applyDevice(ctx, dom, opts, formatDevice(disk, ''), false, 'Disk detached successfully');
}, () => 'Failed to detach disk');

const domblklist = domainCommand({
  name: 'domblklist', help: 'list all domain blocks', description: 'Get the summary of block devices for a domain.',
  options: [
    { name: 'inactive', type: 'bool', help: 'get inactive rather than running configuration' },
    { name: 'details', type: 'bool', help: 'additionally display the type and device value' },
  ],
}, async (ctx, dom, opts) => {
  const def = await domainDef(dom, opts.has('inactive'));
  const details = opts.has('details');
  const rows = def.devices.flatMap((d) => {
    if (d.kind !== 'disk') return [];
    const source = d.source?.file ?? d.source?.dev ?? d.source?.dir ?? d.source?.name ?? d.source?.volume ?? '-';
    return [details ? [d.type, d.device, d.target.dev, source] : [d.target.dev, source]];
  });
  ctx.print(formatTable(details ? ['Type', 'Device', 'Target', 'Source'] : ['Target', 'Source'], rows, ctx.options.quiet));
});

const domiflist = domainCommand({
  name: 'domiflist', help: 'list all domain virtual interfaces', description: 'Get the summary of virtual interfaces for a domain.',
  options: [{ name: 'inactive', type: 'bool', help: 'get inactive rather than running configuration' }],
}, async (ctx, dom, opts) => {
  const def = await domainDef(dom, opts.has('inactive'));
  const rows = def.devices.flatMap((d) => (d.kind !== 'interface' ? [] : [[
    d.targetDev ?? '-', d.type, d.source?.network ?? d.source?.bridge ?? d.source?.dev ?? '-', d.model ?? '-', d.mac ?? '-',
  ]]));
  ctx.print(formatTable(['Interface', 'Type', 'Source', 'Model', 'MAC'], rows, ctx.options.quiet));
});

const changeMedia = domainCommand({
  name: 'change-media', help: 'Change media of CD or floppy drive', description: 'Change media of CD or floppy drive.',
  options: [
    { name: 'path', type: 'string', help: 'Fully-qualified path or target of disk device', required: true, positional: true },
    { name: 'source', type: 'string', help: 'source of the media', positional: true },
    { name: 'eject', type: 'bool', help: 'Eject the media' },
    { name: 'insert', type: 'bool', help: 'Insert the media' },
    { name: 'update', type: 'bool', help: 'Update the media' },
    ...impactOptions({
      current: 'can be either or both of --live and --config, depends on implementation hypervisor driver',
      live: 'alter live configuration of running domain', config: 'alter persistent configuration, effect observed on next boot',
    }, ['current', 'live', 'config']),
    { name: 'force', type: 'bool', help: 'force media changing' },
    { name: 'print-xml', type: 'bool', help: 'print XML document rather than change media' },
  ],
}, async (ctx, dom, opts) => {
  const path = opts.get('path') as string;
  const def = await domainDef(dom, opts.has('config'));
  const disk = def.devices.find((d) => d.kind === 'disk' && (d.target.dev === path || Object.values(d.source ?? {}).includes(path)));
  if (!disk || disk.kind !== 'disk') {
    ctx.error(`No disk found whose source path or target is ${path}`);
    return false;
  }
  const source = opts.get('source') as string | undefined;
  if (opts.has('eject')) delete disk.source;
  else if (source !== undefined) disk.source = { [disk.type === 'block' ? 'dev' : 'file']: source };
  const xml = formatDevice(disk, '');
  if (opts.has('print-xml')) {
    ctx.print(xml);
    return;
  }
  const flags = impactFlags(ctx, opts, dom);
  if (flags === null) return false;
  await dom.updateDevice(xml, flags);
  ctx.print(`Successfully ${opts.has('eject') ? 'ejected' : opts.has('insert') ? 'inserted' : 'updated'} media.\n`);
});

export const deviceCommands: CommandDef[] = [
  deviceFromFile(true), deviceFromFile(false), updateDevice, attachDisk, detachDisk, attachInterface, detachInterface, domblklist, domiflist, changeMedia,
];
