import { isElement, type XmlElement } from '../xml-element.js';

// What libvirt writes into a domain's XML only when the caller asked for it with
// VIR_DOMAIN_XML_SECURE (which a read-only connection may not pass): a graphics
// password, and the cookies a network disk (or its backing chain) sends to its server.

/** Per device element: the attributes and (at any depth) child elements that are secret. */
const SECRETS: Record<string, { attrs: readonly string[]; elements: readonly string[] }> = {
  graphics: { attrs: ['passwd'], elements: [] },
  disk: { attrs: [], elements: ['cookies'] },
};

function strip(el: XmlElement, secret: { attrs: readonly string[]; elements: readonly string[] }): XmlElement {
  const attrs = secret.attrs.some((a) => a in el.attrs)
    ? Object.fromEntries(Object.entries(el.attrs).filter(([k]) => !secret.attrs.includes(k)))
    : el.attrs;
  const children = el.children.filter((c) => !isElement(c) || !secret.elements.includes(c.name)).map((c) => (isElement(c) ? strip(c, secret) : c));
  return { ...el, attrs, children };
}

/** A device element as a caller without VIR_DOMAIN_XML_SECURE sees it. */
export function withoutSecrets(device: XmlElement): XmlElement {
  const secret = SECRETS[device.name];
  return secret ? strip(device, secret) : device;
}
