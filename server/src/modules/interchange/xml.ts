// Reading XML from outside safely: no DTD at all (so no external entities and no entity
// expansion bombs), a depth limit, and a validation pass that turns garbage into a message.
import { XMLParser, XMLValidator, type X2jOptions } from 'fast-xml-parser';
import { UnreadableFile } from './report.ts';

const MAX_DEPTH = 64;

/** Refuses what must never be parsed, then validates; answers the reason as UnreadableFile. */
function check(text: string, what: string) {
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) {
    throw new UnreadableFile(
      `The ${what} file declares a DTD or entities (<!DOCTYPE ...>), which are not accepted for safety. Remove the declaration and try again.`,
    );
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new UnreadableFile(
      `The file is not well-formed XML (line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg})`,
    );
  }
}

export function parseXml(text: string, what: string, options: Partial<X2jOptions>): unknown {
  check(text, what);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    textNodeName: '#text',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: true,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    maxNestedTags: MAX_DEPTH,
    ...options,
  });
  try {
    return parser.parse(text);
  } catch (err) {
    // Depth and other limits of the parser: the file's fault, never the server's.
    throw new UnreadableFile(
      `The ${what} file could not be read: ${err instanceof Error ? err.message : 'unknown error'}`,
    );
  }
}

/** An object's child as a record, or undefined. */
export function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** A child that may occur once or many times, as a list. */
export function list(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** The text of an element: a string, or its #text, or its <text> child's. */
export function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const o = obj(v);
  if (!o) return '';
  if ('text' in o) return textOf(Array.isArray(o.text) ? o.text[0] : o.text);
  return typeof o['#text'] === 'string' ? o['#text'] : '';
}

export function attr(v: unknown, name: string): string | undefined {
  const a = obj(v)?.[`@_${name}`];
  return typeof a === 'string' ? a : undefined;
}

/** Text safe inside CDATA. */
export function cdata(s: string): string {
  return `<![CDATA[${s.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}
