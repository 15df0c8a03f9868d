// Answers and answer keys of the newer types in words, for the result review and the teacher's
// question list. Content and responses arrive loosely typed there, so each is checked first.
import {
  fillBlanksContentSchema,
  fillBlanksKeySchema,
  fillBlanksResponseSchema,
  matchingContentSchema,
  matchingKeySchema,
  matchingResponseSchema,
  numericContentSchema,
  numericKeySchema,
  numericResponseSchema,
  orderingContentSchema,
  orderingKeySchema,
  orderingResponseSchema,
  essayResponseSchema,
  shortAnswerKeySchema,
  shortAnswerResponseSchema,
} from '@exam-hall/protocol';
import { plainText, wordCount } from './rich.ts';

const NONE = '—';
const textOf = (list: { id: string; text: string }[], id: string) =>
  plainText(list.find((x) => x.id === id)?.text ?? '') || NONE;

/** A student's response in words; null when the type is not one of these. */
export function describeTypedResponse(type: string, content: unknown, response: unknown): string | null {
  switch (type) {
    case 'short_answer': {
      const r = shortAnswerResponseSchema.safeParse(response);
      return r.success ? r.data.text : NONE;
    }
    case 'numeric': {
      const r = numericResponseSchema.safeParse(response);
      return r.success ? `${r.data.value}${r.data.unit ? ` ${r.data.unit}` : ''}` : NONE;
    }
    case 'essay': {
      const r = essayResponseSchema.safeParse(response);
      if (!r.success) return NONE;
      const text = plainText(r.data.html);
      return `${text} (${wordCount(text)} words)`;
    }
    case 'matching': {
      const c = matchingContentSchema.safeParse(content);
      const r = matchingResponseSchema.safeParse(response);
      if (!c.success || !r.success) return NONE;
      return r.data.pairs
        .map((p) => `${textOf(c.data.stems, p.stemId)} → ${textOf(c.data.choices, p.choiceId)}`)
        .join('; ');
    }
    case 'ordering': {
      const c = orderingContentSchema.safeParse(content);
      const r = orderingResponseSchema.safeParse(response);
      if (!c.success || !r.success) return NONE;
      return r.data.order.map((id, i) => `${i + 1}. ${textOf(c.data.items, id)}`).join(', ');
    }
    case 'fill_blanks': {
      const c = fillBlanksContentSchema.safeParse(content);
      const r = fillBlanksResponseSchema.safeParse(response);
      if (!c.success || !r.success) return NONE;
      return c.data.gaps
        .map((g, i) => {
          const value = r.data.gaps.find((x) => x.gapId === g.id)?.value;
          const shown = value === undefined ? NONE : g.options ? textOf(g.options, value) : value;
          return `Gap ${i + 1}: ${shown}`;
        })
        .join('; ');
    }
    default:
      return null;
  }
}

/** An answer key in words; null when the type is not one of these. */
export function describeTypedKey(type: string, content: unknown, key: unknown): string | null {
  switch (type) {
    case 'short_answer': {
      const k = shortAnswerKeySchema.safeParse(key);
      if (!k.success) return NONE;
      const parts = k.data.accepted.map((a) => `“${a}”`);
      if (k.data.pattern) parts.push(`anything matching /${k.data.pattern}/`);
      return parts.join(' or ');
    }
    case 'numeric': {
      const c = numericContentSchema.safeParse(content);
      const k = numericKeySchema.safeParse(key);
      if (!k.success) return NONE;
      const unit = c.success && c.data.units[0] ? ` ${c.data.units[0].unit}` : '';
      return k.data.answers
        .map(
          (a) =>
            `${a.value}${a.tolerance ? ` ± ${a.tolerance}` : ''}${unit}${a.fraction < 1 ? ` (${a.fraction * 100} %)` : ''}`,
        )
        .join(' or ');
    }
    case 'essay':
      return 'Graded by hand';
    case 'matching': {
      const c = matchingContentSchema.safeParse(content);
      const k = matchingKeySchema.safeParse(key);
      if (!c.success || !k.success) return NONE;
      return k.data.pairs
        .map((p) => `${textOf(c.data.stems, p.stemId)} → ${textOf(c.data.choices, p.choiceId)}`)
        .join('; ');
    }
    case 'ordering': {
      const c = orderingContentSchema.safeParse(content);
      const k = orderingKeySchema.safeParse(key);
      if (!c.success || !k.success) return NONE;
      return k.data.order.map((id, i) => `${i + 1}. ${textOf(c.data.items, id)}`).join(', ');
    }
    case 'fill_blanks': {
      const c = fillBlanksContentSchema.safeParse(content);
      const k = fillBlanksKeySchema.safeParse(key);
      if (!c.success || !k.success) return NONE;
      return c.data.gaps
        .map((g, i) => {
          const accepted = k.data.gaps.find((x) => x.gapId === g.id)?.accepted ?? [];
          const shown = accepted.map((a) => (g.options ? textOf(g.options, a) : a)).join(' or ') || NONE;
          return `Gap ${i + 1}: ${shown}`;
        })
        .join('; ');
    }
    default:
      return null;
  }
}

/** A prompt to show on its own: fill-in-the-blanks markers become blanks. */
export function shownPrompt(type: string, prompt: string): string {
  return type === 'fill_blanks' ? prompt.replace(/\[\[[A-Za-z0-9_-]{1,21}\]\]/g, '_____') : prompt;
}
