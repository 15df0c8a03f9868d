// A written answer in rich text, marked by hand: grading returns `manual` (0 points until marked).
import {
  essayContentSchema,
  essayKeySchema,
  essayResponseSchema,
  type EssayContent,
  type EssayKey,
  type EssayResponse,
} from '@exam-hall/protocol';
import { sanitizeRichText } from '../../../lib/html.ts';
import type { QuestionType } from './question-type.ts';

/** Words in an essay's text (tags removed), as the student's counter shows them. */
export function essayWordCount(html: string): number {
  const textOnly = html.replace(/<[^>]*>/g, ' ').replace(/&[a-z#0-9]+;/gi, ' ');
  return textOnly.split(/\s+/u).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

export const essay: QuestionType<EssayContent, EssayKey, EssayResponse> = {
  type: 'essay',
  contentSchema: essayContentSchema,
  answerKeySchema: essayKeySchema,
  responseSchema: essayResponseSchema,
  manual: true,
  validate: () => [],
  responseProblems: () => [],
  cleanResponse: (response) => ({ html: sanitizeRichText(response.html) }),
  studentView: (content) => ({ wordLimit: content.wordLimit ?? null }),
  optionIds: () => null,
  // The rubric is for a person; an empty essay is settled at once (nothing to mark).
  grade: (_content, _key, response) =>
    essayWordCount(response.html) === 0 && !/<img/i.test(response.html)
      ? { fraction: 0, correct: false }
      : { fraction: 0, correct: false, manual: true },
  choices: () => null,
  picks: () => [],
};
