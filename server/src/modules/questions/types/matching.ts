// Pair each stem with a choice (extra choices are distractors). The choices are shuffled for
// every attempt: authored next to their stems, their order would give the pairs away.
import {
  matchingContentSchema,
  matchingKeyProblems,
  matchingKeySchema,
  matchingResponseSchema,
  type MatchingContent,
  type MatchingKey,
  type MatchingResponse,
} from '@exam-hall/protocol';
import { plainText } from '../../../lib/html.ts';
import { orderOptions, proportional, unknownOptionProblems, type QuestionType } from './question-type.ts';

export const matching: QuestionType<MatchingContent, MatchingKey, MatchingResponse> = {
  type: 'matching',
  contentSchema: matchingContentSchema,
  answerKeySchema: matchingKeySchema,
  responseSchema: matchingResponseSchema,
  alwaysShuffle: true,
  validate: (content, key) => matchingKeyProblems(content, key),
  responseProblems: (content, response) => [
    ...unknownOptionProblems(
      content.stems,
      response.pairs.map((p) => p.stemId),
      (i) => ['pairs', i, 'stemId'],
    ),
    ...unknownOptionProblems(
      content.choices,
      response.pairs.map((p) => p.choiceId),
      (i) => ['pairs', i, 'choiceId'],
    ),
  ],
  studentView: (content, optionOrder) => ({
    stems: content.stems.map((s) => ({ id: s.id, text: s.text })),
    choices: orderOptions(content.choices, optionOrder),
  }),
  optionIds: (content) => content.choices.map((c) => c.id),
  // The shuffle must not list the right choices in the stems' order.
  keyOrder: (content, key) => {
    const right = new Map(key.pairs.map((p) => [p.stemId, p.choiceId]));
    return content.stems.flatMap((s) => right.get(s.id) ?? []);
  },
  grade: (content, key, response, rule) => {
    const right = new Map(key.pairs.map((p) => [p.stemId, p.choiceId]));
    let good = 0;
    let bad = 0;
    for (const p of response.pairs) {
      if (right.get(p.stemId) === p.choiceId) good++;
      else bad++;
    }
    const total = content.stems.length;
    const exact = good === total && bad === 0;
    if (rule.partialCredit === 'all_or_nothing') return { fraction: exact ? 1 : 0, correct: exact };
    return { fraction: proportional(good, bad, total, rule), correct: exact };
  },
  choices: () => null,
  picks: () => [],
  answerText: (content, _key, response) => {
    if (!response.pairs.length) return null;
    const chosen = new Map(response.pairs.map((p) => [p.stemId, p.choiceId]));
    const choiceText = new Map(content.choices.map((c) => [c.id, plainText(c.text, 30)]));
    return content.stems
      .map((s) => `${plainText(s.text, 30)} → ${choiceText.get(chosen.get(s.id) ?? '') ?? '–'}`)
      .join('; ');
  },
};
