// fast-xml-parser's order-preserving tree (mixed content: the text and elements of an item
// body in their order), with the few walks QTI needs and a serializer back to HTML.
import { escapeXml } from './report.ts';
import { parseXml } from './xml.ts';

export type XNode = Record<string, unknown>;

export function parseTree(text: string, what: string): XNode[] {
  const tree = parseXml(text, what, { preserveOrder: true, removeNSPrefix: true });
  return Array.isArray(tree) ? (tree as XNode[]) : [];
}

export function tagOf(n: XNode): string | null {
  for (const k of Object.keys(n)) if (k !== ':@') return k === '#text' ? null : k;
  return null;
}
export function kids(n: XNode): XNode[] {
  const t = tagOf(n);
  const c = t ? n[t] : undefined;
  return Array.isArray(c) ? (c as XNode[]) : [];
}
export function attrOf(n: XNode, name: string): string | undefined {
  const a = (n[':@'] as Record<string, unknown> | undefined)?.[`@_${name}`];
  return typeof a === 'string' ? a : undefined;
}
export function isText(n: XNode): n is { '#text': string } {
  return typeof n['#text'] === 'string' || typeof n['#text'] === 'number';
}

/** Every descendant (depth first) with this tag. */
export function findAll(nodes: XNode[], tag: string): XNode[] {
  const out: XNode[] = [];
  const walk = (list: XNode[]) => {
    for (const n of list) {
      if (tagOf(n) === tag) out.push(n);
      walk(kids(n));
    }
  };
  walk(nodes);
  return out;
}
export const child = (n: XNode, tag: string) => kids(n).find((k) => tagOf(k) === tag);
export const children = (n: XNode, tag: string) => kids(n).filter((k) => tagOf(k) === tag);

/** The concatenated text inside a node. */
export function textIn(n: XNode): string {
  return isText(n) ? String(n['#text']) : kids(n).map(textIn).join('');
}

const VOID = new Set(['br', 'hr', 'img', 'input', 'col', 'area', 'source', 'wbr', 'embed', 'track', 'param']);

/**
 * HTML of nodes. `replace` may answer a string to put in a node's place (gap markers for
 * interactions) or '' to drop it (feedback); undefined keeps the node.
 */
export function serialize(nodes: XNode[], replace: (n: XNode) => string | undefined = () => undefined): string {
  return nodes
    .map((n) => {
      if (isText(n)) return escapeText(String(n['#text']));
      const tag = tagOf(n);
      if (!tag || tag.startsWith('?') || tag === '#comment') return '';
      const r = replace(n);
      if (r !== undefined) return r;
      const attrs = Object.entries((n[':@'] as Record<string, unknown>) ?? {})
        .map(([k, v]) => ` ${k.slice(2)}="${escapeXml(String(v))}"`)
        .join('');
      const inner = serialize(kids(n), replace);
      return VOID.has(tag) && !inner ? `<${tag}${attrs}/>` : `<${tag}${attrs}>${inner}</${tag}>`;
    })
    .join('');
}

const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
