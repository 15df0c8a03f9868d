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

// HTML element names: a '<' that does not open one of these (followed by white space, / or >)
// is text, as in math written without a space ("a<b", "\(x<y\)"), and is kept as &lt;
// instead of being swallowed as an unknown tag.
const ELEMENTS =
  'a|abbr|address|area|article|aside|audio|b|base|bdi|bdo|big|blink|blockquote|body|br|button|canvas|caption|center|cite|code|col|colgroup|data|datalist|dd|del|details|dfn|dialog|dir|div|dl|dt|em|embed|fieldset|figcaption|figure|font|footer|form|frame|frameset|h[1-6]|head|header|hgroup|hr|html|i|iframe|image|img|input|ins|isindex|kbd|keygen|label|legend|li|link|listing|main|map|mark|marquee|math|menu|meta|meter|nav|nobr|noembed|noframes|noscript|object|ol|optgroup|option|output|p|param|picture|plaintext|portal|pre|progress|q|rb|rp|rt|rtc|ruby|s|samp|script|search|section|select|slot|small|source|span|strike|strong|style|sub|summary|sup|svg|table|tbody|td|template|textarea|tfoot|th|thead|time|title|tr|track|tt|u|ul|var|video|wbr|xmp';
const STRAY_LT = new RegExp(`<(?!\\/?(?:${ELEMENTS})(?=[\\s/>])|!--)`, 'gi');

/** The allowed subset of `html`; plain text comes back with <, > and & escaped. Idempotent. */
export function sanitizeRichText(html: string): string {
  return sanitizeHtml(html.replace(STRAY_LT, '&lt;'), options);
}

/** Like sanitizeRichText for optional fields. */
export function sanitizeOptional<T extends string | null | undefined>(html: T): T {
  return (typeof html === 'string' ? sanitizeRichText(html) : html) as T;
}

/** True when sanitised HTML shows nothing: no text besides white space and no image. */
export function isBlankHtml(html: string): boolean {
  if (/<img\s/i.test(html)) return false;
  return (
    html
      .replace(/<[^>]*>/g, '')
      .replace(/&nbsp;|&#160;/g, ' ')
      .trim() === ''
  );
}

/** Sanitised HTML as a short line of plain text (tags dropped, basic entities decoded), for tallies. */
export function plainText(html: string, max = 60): string {
  const text = html
    .replace(/<img\b[^>]*\balt="([^"]*)"[^>]*>/gi, ' $1 ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&nbsp;|&#160;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
