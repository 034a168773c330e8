import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DomainState, ErrorDomain, ErrorNumber, VirError, type NodeInfo } from '@tsvirt/core';
import { checkOpenedInside } from '@tsvirt/core/driver';
import {
  MAX_XML_BYTES, childElement, expectRoot, childElements, childText, domainDefFromTree, interfaceDefFromTree, networkDefFromTree,
  nodeDeviceDefFromTree, parseXmlDocument, storagePoolDefFromTree, storageVolDefFromTree, type XmlElement,
} from '@tsvirt/core/xml';
import { DEFAULT_NODE_INFO, defaultCapabilities } from './default-node.js';
import type { TestNode } from './driver-state.js';

// A custom node file (test:///ABS/PATH.xml): a <node> with the host's CPU and memory and
// its domains, networks, pools (with volumes), interfaces and devices, each written
// inline or in a file named relative to the node file. Opened for a client the daemon
// confines to some folders, every one of these files must lie in them.

const TEST_NS = 'http://libvirt.org/schemas/domain/test/1.0';

/** What libvirt reports for a file it cannot load (libxml's I/O warning aside, which virsh prints). */
const cannotLoad = (path: string) => VirError.of(ErrorNumber.XML_ERROR, ErrorDomain.TEST, `failed to parse xml document '${path}'`);

/** The folders a node's files may be read from; null: anywhere. */
type FileDirs = readonly string[] | null;

/**
 * A node file's text. Synchronous: opening a connection reads its node once, before
 * anything else can run; so only a regular file of a bounded size is read, never a
 * FIFO or a device, which could block the process (a daemon's every client) for good.
 */
function readNodeText(path: string, dirs: FileDirs): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch {
    throw cannotLoad(path);
  }
  try {
    if (dirs !== null) checkOpenedInside(fd, path, dirs, ErrorDomain.TEST);
    const st = fstatSync(fd);
    if (!st.isFile()) throw VirError.of(ErrorNumber.XML_ERROR, ErrorDomain.TEST, `failed to parse xml document '${path}': not a regular file`);
    if (st.size > MAX_XML_BYTES) throw VirError.of(ErrorNumber.XML_ERROR, ErrorDomain.TEST, `failed to parse xml document '${path}': larger than ${MAX_XML_BYTES} bytes`);
    return readFileSync(fd, 'utf8');
  } catch (e) {
    throw e instanceof VirError ? e : cannotLoad(path);
  } finally {
    closeSync(fd);
  }
}

function loadXml(path: string, dirs: FileDirs): XmlElement {
  return parseXmlDocument(readNodeText(path, dirs), path);
}

/** An object of the node: the element itself, or the root of the file its `file` attribute names. */
function objectTree(el: XmlElement, dir: string, dirs: FileDirs): XmlElement {
  const file = el.attrs.file;
  if (file === undefined) return el;
  return loadXml(file.startsWith('/') ? file : `${dir}/${file}`, dirs);
}

/** The <cpu> and <memory> of the node over libvirt's default host. */
function nodeInfoOf(root: XmlElement): NodeInfo {
  const info = { ...DEFAULT_NODE_INFO };
  const num = (el: XmlElement, name: string, what: string): number | undefined => {
    const t = childText(el, name);
    if (t === undefined) return undefined;
    if (!/^\d+$/.test(t)) throw VirError.of(ErrorNumber.XML_ERROR, ErrorDomain.TEST, `invalid node cpu ${what} value`);
    return Number(t);
  };
  const cpu = childElement(root, 'cpu');
  if (cpu) {
    info.nodes = num(cpu, 'nodes', 'nodes') ?? info.nodes;
    info.sockets = num(cpu, 'sockets', 'sockets') ?? info.sockets;
    info.cores = num(cpu, 'cores', 'cores') ?? info.cores;
    info.threads = num(cpu, 'threads', 'threads') ?? info.threads;
    info.cpus = Math.min(num(cpu, 'active', 'active') ?? info.nodes * info.sockets * info.cores * info.threads,
      info.nodes * info.sockets * info.cores * info.threads);
    info.mhz = num(cpu, 'mhz', 'mhz') ?? info.mhz;
    info.model = childText(cpu, 'model') ?? info.model;
  }
  const memory = childText(root, 'memory');
  if (memory !== undefined) info.memory = Number(memory);
  return info;
}

/** A domain's initial state: running, unless the test namespace's <runstate> says otherwise. */
function runState(dom: XmlElement): number {
  const prefix = Object.entries(dom.attrs).find(([k, v]) => k.startsWith('xmlns:') && v === TEST_NS)?.[0].slice(6);
  const text = prefix && childText(dom, `${prefix}:runstate`);
  return text ? Number(text) : DomainState.RUNNING;
}

/** Read a node file into the objects a test connection starts with; `dirs`: the folders its files must lie in. */
export function loadNodeFile(path: string, dirs: FileDirs = null): TestNode {
  const root = loadXml(path, dirs);
  expectRoot(root, 'node');
  const dir = dirname(path);
  const trees = (name: string) => childElements(root, name).map((el) => objectTree(el, dir, dirs));
  return {
    nodeInfo: nodeInfoOf(root),
    capabilities: defaultCapabilities(),
    domains: trees('domain').map((t) => ({ def: domainDefFromTree(t), state: runState(t), persistent: true })),
    networks: trees('network').map((t) => ({ def: networkDefFromTree(t), active: true })),
    // a pool's volumes are the children of its definition: those beside a file reference are not read, as in libvirt
    pools: trees('pool').map((t) => ({
      def: storagePoolDefFromTree(t),
      active: true,
      volumes: childElements(t, 'volume').map((v) => storageVolDefFromTree(objectTree(v, dir, dirs))),
    })),
    interfaces: trees('interface').map((t) => ({ def: interfaceDefFromTree(t), active: true })),
    nodeDevices: trees('device').map(nodeDeviceDefFromTree),
  };
}
