// Fonts for the PDFs the server prints (certificates, access-code slips). DejaVu (from npm,
// free licence) covers Latin, Greek and Cyrillic scripts, so names such as Łukasz, Şükrü or
// Дмитрий print as written; fonts are subset into each PDF.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { PDFFont } from 'pdf-lib';

const require = createRequire(import.meta.url);
export const FONT_FILES = {
  serif: 'dejavu-fonts-ttf/ttf/DejaVuSerif.ttf',
  serifBold: 'dejavu-fonts-ttf/ttf/DejaVuSerif-Bold.ttf',
  sans: 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf',
  sansBold: 'dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf',
  monoBold: 'dejavu-fonts-ttf/ttf/DejaVuSansMono-Bold.ttf',
} as const;
export type FontName = keyof typeof FONT_FILES;

const cache = new Map<FontName, Promise<Uint8Array>>();

/** One font file's bytes, read once per process. */
export function fontBytes(name: FontName): Promise<Uint8Array> {
  let bytes = cache.get(name);
  if (!bytes) {
    bytes = readFile(require.resolve(FONT_FILES[name]));
    // A failed read is not kept: the next document tries again.
    bytes.catch(() => cache.delete(name));
    cache.set(name, bytes);
  }
  return bytes;
}

/** Several fonts' bytes at once, by name. */
export async function fontsBytes<N extends FontName>(...names: N[]): Promise<Record<N, Uint8Array>> {
  const all = await Promise.all(names.map(fontBytes));
  return Object.fromEntries(names.map((n, i) => [n, all[i]])) as Record<N, Uint8Array>;
}

// A font's character set is thousands of code points: built once per embedded font, not per text.
const characterSets = new WeakMap<object, Set<number>>();

/** Characters the font has no glyph for (e.g. Chinese in DejaVu) become "?" rather than empty boxes. */
export function printable(text: string, font: Pick<PDFFont, 'getCharacterSet'>): string {
  let known = characterSets.get(font);
  if (!known) characterSets.set(font, (known = new Set(font.getCharacterSet())));
  return [...text]
    .map((ch) => {
      if (known.has(ch.codePointAt(0)!)) return ch;
      const plain = ch.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
      return [...plain].every((c) => known.has(c.codePointAt(0)!)) && plain ? plain : '?';
    })
    .join('');
}
