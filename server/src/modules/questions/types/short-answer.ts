// A typed answer checked against a list of accepted answers and/or a regular expression.
import {
  shortAnswerContentSchema,
  shortAnswerKeySchema,
  shortAnswerResponseSchema,
  type ShortAnswerContent,
  type ShortAnswerKey,
  type ShortAnswerResponse,
} from '@exam-hall/protocol';
import type { QuestionType } from './question-type.ts';
import { applyWhitespace, MAX_COMPARED, normaliseAnswer } from './text-match.ts';
import { patternProblem, testWithin, wholeAnswerPattern } from './pattern.ts';

/** Whether a typed answer is accepted by the key. */
export function acceptsShortAnswer(key: ShortAnswerKey, answer: string): boolean {
  const opts = { caseSensitive: key.caseSensitive, whitespace: key.whitespace };
  const given = normaliseAnswer(answer, opts);
  if (given === '') return false;
  if (key.accepted.some((a) => normaliseAnswer(a, opts) === given)) return true;
  if (!key.pattern) return false;
  const re = wholeAnswerPattern(key.pattern, key.caseSensitive);
  const spaced = applyWhitespace(answer.slice(0, MAX_COMPARED).normalize('NFC'), key.whitespace);
  return re !== null && testWithin(re, spaced);
}

export const shortAnswer: QuestionType<ShortAnswerContent, ShortAnswerKey, ShortAnswerResponse> = {
  type: 'short_answer',
  contentSchema: shortAnswerContentSchema,
  answerKeySchema: shortAnswerKeySchema,
  responseSchema: shortAnswerResponseSchema,
  validate: (_content, key) => {
    const problem = key.pattern ? patternProblem(key.pattern) : null;
    return problem ? [{ path: ['answerKey', 'pattern'], message: problem }] : [];
  },
  responseProblems: () => [],
  studentView: () => ({}),
  optionIds: () => null,
  grade: (_content, key, response) => {
    const correct = acceptsShortAnswer(key, response.text);
    return { fraction: correct ? 1 : 0, correct };
  },
  choices: () => null,
  picks: () => [],
  answerText: (_content, key, response) =>
    normaliseAnswer(response.text, { caseSensitive: key.caseSensitive, whitespace: 'collapse' }) || null,
};
