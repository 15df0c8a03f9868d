// Prompt and option HTML as the browser may show it: sanitised here even though the server
// sanitises on save too (imported or older rows, and defence in depth), then mathematics.
import DOMPurify from 'dompurify';
import renderMathInElement from 'katex/contrib/auto-render';

const FORBID_TAGS = ['style', 'form', 'input', 'button', 'textarea', 'select', 'option', 'iframe', 'object', 'embed'];

let hooked = false;

/** HTML safe to put in the page: no scripts, handlers, styles, forms or frames. */
export function sanitise(html: string): string {
  // Registered on first use, not at import: without a DOM (unit tests in Node import this
  // module through describe.ts) DOMPurify has no addHook.
  if (!hooked) {
    // An image its author gave no text is announced as decoration, not by its file name.
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'IMG' && !node.hasAttribute('alt')) node.setAttribute('alt', '');
    });
    hooked = true;
  }
  return DOMPurify.sanitize(html, { FORBID_TAGS, FORBID_ATTR: ['style'], ALLOW_DATA_ATTR: false });
}

/** An essay's HTML: only the few tags its editor makes, named as the server keeps them (<b> is <strong>). */
export function sanitiseEssay(html: string): string {
  const clean = DOMPurify.sanitize(html, {
    ALLOWED_TAGS: ['p', 'div', 'br', 'b', 'strong', 'i', 'em', 'ul', 'ol', 'li'],
    ALLOWED_ATTR: [],
  });
  // No attributes survive, so each tag is exactly <name> or </name>.
  const names: Record<string, string> = { b: 'strong', i: 'em', div: 'p' };
  return clean.replace(/<(\/?)(b|i|div)>/g, (_, slash: string, name: string) => `<${slash}${names[name]}>`);
}

/** The words a reader sees in some HTML (for drop-down options, which hold text only). */
export function plainText(html: string): string {
  const doc = new DOMParser().parseFromString(sanitise(html), 'text/html');
  return (doc.body.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/** Words in an essay, as a word processor counts them. */
export function wordCount(text: string): number {
  const words = text.trim().split(/\s+/u);
  return words[0] === '' ? 0 : words.length;
}

const delimiters = [
  { left: '$$', right: '$$', display: true },
  { left: '\\[', right: '\\]', display: true },
  { left: '\\(', right: '\\)', display: false },
  { left: '$', right: '$', display: false },
];

/** $…$, $$…$$, \(…\) and \[…\] inside `el` become KaTeX; a bad formula shows in red, never throws. */
export function renderMath(el: HTMLElement): void {
  renderMathInElement(el, { delimiters, throwOnError: false, trust: false, strict: 'ignore' });
}
