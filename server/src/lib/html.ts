// The HTML subset question texts and essay answers may carry. Everything else (scripts, event
// handlers, links, styles, iframes) is removed on the server on every save path; the web app
// sanitises again when it renders (defence in depth). KaTeX delimiters ($...$, $$...$$,
// \(...\), \[...\]) are plain text here: the browser renders them.
import sanitizeHtml from 'sanitize-html';

/** Largest inline (data:) image kept, in characters of its URL (about 300 KB of base64). */
export const MAX_DATA_IMAGE_CHARS = 300 * 1024;

const DATA_IMAGE = /^data:image\/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+={0,2}$/;
const DIMENSION = /^\d{1,4}$/;

export const ALLOWED_TAGS = [
  'p',
  'br',
  'strong',
  'em',
  'u',
  'sub',
  'sup',
  'ul',
  'ol',
  'li',
  'code',
  'pre',
  'span',
  'img',
] as const;

/** Classes a span may carry: markers for math the browser renders with KaTeX. */
export const MATH_CLASSES = ['math', 'math-inline', 'math-display'];

function imageAllowed(src: string): boolean {
  if (src.startsWith('https://')) {
    try {
      return new URL(src).protocol === 'https:';
    } catch {
      return false;
    }
  }
  return src.length <= MAX_DATA_IMAGE_CHARS && DATA_IMAGE.test(src);
}

const options: sanitizeHtml.IOptions = {
  allowedTags: [...ALLOWED_TAGS],
  allowedAttributes: { span: ['class'], img: ['src', 'alt', 'width', 'height'] },
  allowedClasses: { span: MATH_CLASSES },
  allowedSchemes: ['https'],
  allowedSchemesByTag: { img: ['https', 'data'] },
  allowProtocolRelative: false,
  allowedStyles: {},
  disallowedTagsMode: 'discard',
  transformTags: {
    img: (tagName, attribs) => {
      const kept: Record<string, string> = {};
      if (attribs.src && imageAllowed(attribs.src.trim())) kept.src = attribs.src.trim();
      if (attribs.alt !== undefined) kept.alt = attribs.alt.slice(0, 500);
      for (const d of ['width', 'height'] as const) {
        const v = attribs[d]?.trim();
        if (v && DIMENSION.test(v)) kept[d] = v;
      }
      return { tagName, attribs: kept };
    },
  },
  // An image whose source was refused is dropped rather than left as a broken <img>.
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
};

/** The allowed subset of `html`; plain text comes back with <, > and & escaped. Idempotent. */
export function sanitizeRichText(html: string): string {
  return sanitizeHtml(html, options);
}

/** Like sanitizeRichText for optional fields. */
export function sanitizeOptional<T extends string | null | undefined>(html: T): T {
  return (typeof html === 'string' ? sanitizeRichText(html) : html) as T;
}
