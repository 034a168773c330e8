// XenAPI over XML-RPC (POST /), for hosts that offer only that: requests as
// <methodCall>, replies as a struct {Status: "Success", Value} or {Status: "Failure",
// ErrorDescription: [NAME, ...]}. XenAPI sends its 64-bit integers as strings; the
// reply is parsed by core's XML adapter (no entities, no DTD, bounded).

import { ErrorDomain, ErrorNumber } from '@tsvirt/core';
import { childElement, childElements, escapeXml, isElement, parseXmlDocument, textOf, type XmlElement } from '@tsvirt/core/xml';
import { failureOf, xenapiError } from './xenapi-errors.js';
import type { RpcOutcome } from './xenapi-jsonrpc.js';

export const XMLRPC_PATH = '/';

/** A XenAPI float parameter (event.from's timeout): <double> over XML-RPC, a number over JSON-RPC. */
export class XenFloat {
  constructor(readonly value: number) {}
  toJSON(): number {
    return this.value;
  }
}

function encodeValue(v: unknown): string {
  if (v instanceof XenFloat) return `<value><double>${v.value}</double></value>`;
  if (typeof v === 'boolean') return `<value><boolean>${v ? 1 : 0}</boolean></value>`;
  // XenAPI's ints travel as strings over XML-RPC
  if (typeof v === 'number' || typeof v === 'bigint') return `<value><string>${String(v)}</string></value>`;
  if (typeof v === 'string') return `<value><string>${escapeXml(v)}</string></value>`;
  if (Array.isArray(v)) return `<value><array><data>${v.map(encodeValue).join('')}</data></array></value>`;
  if (v && typeof v === 'object') {
    const members = Object.entries(v).map(([k, x]) => `<member><name>${escapeXml(k)}</name>${encodeValue(x)}</member>`);
    return `<value><struct>${members.join('')}</struct></value>`;
  }
  return '<value><string></string></value>';
}

export function encodeXmlRpc(method: string, params: readonly unknown[]): string {
  return `<?xml version="1.0"?>\n<methodCall><methodName>${escapeXml(method)}</methodName><params>${
    params.map((p) => `<param>${encodeValue(p)}</param>`).join('')}</params></methodCall>`;
}

const MAX_DEPTH = 64;

function decodeValue(el: XmlElement, depth: number, method: string): unknown {
  if (depth > MAX_DEPTH) throw notXmlRpc(method);
  const typed = el.children.find(isElement);
  if (!typed) return textOf(el); // a bare <value>text</value> is a string
  switch (typed.name) {
    case 'string': return textOf(typed);
    case 'int': case 'i4': case 'i8': case 'double': {
      const n = Number(textOf(typed).trim());
      if (!Number.isFinite(n)) throw notXmlRpc(method);
      return n;
    }
    case 'boolean': return textOf(typed).trim() === '1';
    case 'dateTime.iso8601': return textOf(typed).trim();
    case 'nil': return null;
    case 'array': {
      const data = childElement(typed, 'data');
      return data ? childElements(data, 'value').map((v) => decodeValue(v, depth + 1, method)) : [];
    }
    case 'struct': {
      const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const m of childElements(typed, 'member')) {
        const name = childElement(m, 'name');
        const value = childElement(m, 'value');
        if (!name || !value) throw notXmlRpc(method);
        out[textOf(name)] = decodeValue(value, depth + 1, method);
      }
      return out;
    }
    default: throw notXmlRpc(method);
  }
}

export function decodeXmlRpc(body: string, method: string): RpcOutcome {
  let root: XmlElement;
  try {
    root = parseXmlDocument(body, 'xmlrpc', ErrorDomain.XENAPI);
  } catch {
    throw notXmlRpc(method);
  }
  const value = root.name === 'methodResponse' ? childElement(childElement(childElement(root, 'params') ?? root, 'param') ?? root, 'value') : undefined;
  if (!value) throw notXmlRpc(method);
  const result = decodeValue(value, 0, method) as { Status?: unknown; Value?: unknown; ErrorDescription?: unknown };
  if (result?.Status === 'Success') return { value: result.Value };
  if (result?.Status === 'Failure') return { failure: failureOf(result.ErrorDescription, method) };
  throw notXmlRpc(method);
}

const notXmlRpc = (method: string) => xenapiError(ErrorNumber.RPC, `${method}: the XenAPI host's answer is not XenAPI's XML-RPC`);
