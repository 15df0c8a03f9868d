// Gaps in the prompt ([[id]]): typed gaps compare text (white space collapsed, NFC, case rule per
// gap), drop-down gaps compare the picked option id. Drop-down options are shuffled as
// "<gapId>:<optionId>" ids when the exam shuffles options.
import {
  fillBlanksContentSchema,
  fillBlanksKeyProblems,
  fillBlanksKeySchema,
  fillBlanksResponseSchema,
  type FillBlanksContent,
  type FillBlanksKey,
  type FillBlanksResponse,
  type QuestionProblem,
} from '@exam-hall/protocol';
import { plainText } from '../../../lib/html.ts';
import { orderOptions, type QuestionType } from './question-type.ts';
import { normaliseAnswer } from './text-match.ts';

const SEP = ':';

/** Whether one gap's answer is accepted. */
export function gapAccepted(
  gap: FillBlanksContent['gaps'][number],
  key: FillBlanksKey['gaps'][number],
  value: string,
): boolean {
  if (gap.options) return key.accepted.includes(value);
  const opts = { caseSensitive: key.caseSensitive, whitespace: 'collapse' as const };
  const given = normaliseAnswer(value, opts);
  return given !== '' && key.accepted.some((a) => normaliseAnswer(a, opts) === given);
}

export const fillBlanks: QuestionType<FillBlanksContent, FillBlanksKey, FillBlanksResponse> = {
  type: 'fill_blanks',
  contentSchema: fillBlanksContentSchema,
  answerKeySchema: fillBlanksKeySchema,
  responseSchema: fillBlanksResponseSchema,
  // Without a prompt only the key is checked against the gaps (the markers stand in for it).
  validate: (content, key, prompt) =>
    fillBlanksKeyProblems(prompt ?? content.gaps.map((g) => `[[${g.id}]]`).join(' '), content, key),
  responseProblems: (content, response) => {
    const gaps = new Map(content.gaps.map((g) => [g.id, g]));
    return response.gaps.flatMap((r, i): QuestionProblem[] => {
      const gap = gaps.get(r.gapId);
      if (!gap) return [{ path: ['gaps', i, 'gapId'], message: `'${r.gapId}' is not a gap of this question` }];
      if (gap.options && r.value !== '' && !gap.options.some((o) => o.id === r.value))
        return [{ path: ['gaps', i, 'value'], message: `'${r.value}' is not an option of gap '${r.gapId}'` }];
      return [];
    });
  },
  studentView: (content, optionOrder) => ({
    gaps: content.gaps.map((g) => {
      if (!g.options) return { id: g.id };
      const prefix = `${g.id}${SEP}`;
      const order = optionOrder?.filter((id) => id.startsWith(prefix)).map((id) => id.slice(prefix.length));
      return { id: g.id, options: orderOptions(g.options, order?.length ? order : null) };
    }),
  }),
  optionIds: (content) => {
    const ids = content.gaps.flatMap((g) => (g.options ?? []).map((o) => `${g.id}${SEP}${o.id}`));
    return ids.length ? ids : null;
  },
  grade: (content, key, response, rule) => {
    const answers = new Map(response.gaps.map((r) => [r.gapId, r.value]));
    const keys = new Map(key.gaps.map((k) => [k.gapId, k]));
    let right = 0;
    for (const gap of content.gaps) {
      const k = keys.get(gap.id);
      const value = answers.get(gap.id);
      if (k && value !== undefined && gapAccepted(gap, k, value)) right++;
    }
    const total = content.gaps.length;
    const exact = total > 0 && right === total;
    if (rule.partialCredit === 'all_or_nothing') return { fraction: exact ? 1 : 0, correct: exact };
    return { fraction: total ? right / total : 0, correct: exact };
  },
  choices: () => null,
  picks: () => [],
  answerText: (content, key, response) => {
    const answers = new Map(response.gaps.map((r) => [r.gapId, r.value]));
    const keys = new Map(key.gaps.map((k) => [k.gapId, k]));
    const parts = content.gaps.map((g) => {
      const v = answers.get(g.id) ?? '';
      const option = g.options?.find((o) => o.id === v);
      if (option) return plainText(option.text, 30);
      return normaliseAnswer(v, { caseSensitive: keys.get(g.id)?.caseSensitive ?? false, whitespace: 'collapse' });
    });
    return parts.some((p) => p !== '') ? parts.map((p) => p || '–').join(' | ') : null;
  },
};
