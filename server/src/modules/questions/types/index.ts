// The question-type registry. Adding a type: one file next to this one, one line below.
import type { QuestionInput, QuestionProblem, QuestionTypeName, StudentQuestion } from '@exam-hall/protocol';
import { AppError } from '../../../http/errors.ts';
import type { ChoiceOption, Grade, GradingRule, QuestionType } from './question-type.ts';
import { essay } from './essay.ts';
import { fillBlanks } from './fill-blanks.ts';
import { matching } from './matching.ts';
import { multipleChoice } from './multiple-choice.ts';
import { numeric } from './numeric.ts';
import { ordering } from './ordering.ts';
import { shortAnswer } from './short-answer.ts';
import { singleChoice } from './single-choice.ts';
import { trueFalse } from './true-false.ts';
import { blankAfterSanitising } from './sanitize.ts';

export type { ChoiceOption, Grade, GradingRule, QuestionType, StudentContent } from './question-type.ts';

export const questionTypes: Record<QuestionTypeName, QuestionType> = {
  single_choice: singleChoice,
  multiple_choice: multipleChoice,
  true_false: trueFalse,
  short_answer: shortAnswer,
  numeric,
  essay,
  matching,
  ordering,
  fill_blanks: fillBlanks,
};

/**
 * Everything the registry refuses in a question that passed questionInputSchema: its type's
 * cross-field rules (with the prompt) and texts left empty by the sanitiser. Paths relative to
 * the question. Every save path runs this and stores sanitizeQuestionInput(q) (./sanitize.ts).
 */
export function questionProblems(q: QuestionInput): QuestionProblem[] {
  return [...getQuestionType(q.type).validate(q.content, q.answerKey, q.prompt), ...blankAfterSanitising(q)];
}

export { sanitizeQuestionInput } from './sanitize.ts';

export function isQuestionType(type: string): type is QuestionTypeName {
  return Object.hasOwn(questionTypes, type);
}

/** The registry entry; a stored row of an unknown type is a server fault, not the caller's. */
export function getQuestionType(type: string): QuestionType {
  if (!isQuestionType(type)) throw new AppError(500, 'internal', `Unknown question type '${type}'.`);
  return questionTypes[type];
}

/** A stored question as far as the helpers below need it. */
export interface StoredQuestion {
  id: string;
  type: string;
  prompt: string;
  points: number;
  content: unknown;
  answerKey: unknown;
}

function parsedContent(t: QuestionType, content: unknown) {
  return t.contentSchema.parse(content ?? {});
}

/**
 * Grades a raw response (as saved in answers.response) against a stored question.
 * No response, or one that does not fit the type, earns nothing.
 */
export function gradeResponse(
  q: Pick<StoredQuestion, 'type' | 'content' | 'answerKey'>,
  response: unknown,
  rule: GradingRule,
): Grade {
  const t = getQuestionType(q.type);
  const content = parsedContent(t, q.content);
  const key = t.answerKeySchema.parse(q.answerKey);
  if (response === null || response === undefined) return { fraction: 0, correct: false };
  const r = t.responseSchema.safeParse(response);
  if (!r.success || t.responseProblems(content, r.data).length) return { fraction: 0, correct: false };
  return t.grade(content, key, r.data, rule);
}

/** Checks a student's response before it is saved; problems' paths are relative to the response. */
export function checkResponse(
  q: Pick<StoredQuestion, 'type' | 'content'>,
  response: unknown,
): { ok: true; value: unknown } | { ok: false; problems: QuestionProblem[] } {
  const t = getQuestionType(q.type);
  const r = t.responseSchema.safeParse(response);
  if (!r.success) {
    return {
      ok: false,
      problems: r.error.issues.map((i) => ({
        path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
        message: i.message,
      })),
    };
  }
  const problems = t.responseProblems(parsedContent(t, q.content), r.data);
  if (problems.length) return { ok: false, problems };
  return { ok: true, value: t.cleanResponse ? t.cleanResponse(r.data) : r.data };
}

/** The question as a student sees it (no key, no explanation), options in the attempt's order. */
export function studentViewOf(
  q: Pick<StoredQuestion, 'id' | 'type' | 'prompt' | 'points' | 'content'>,
  optionOrder?: readonly string[] | null,
): StudentQuestion {
  const t = getQuestionType(q.type);
  return {
    id: q.id,
    type: q.type,
    prompt: q.prompt,
    points: q.points,
    content: t.studentView(parsedContent(t, q.content), optionOrder),
  } as StudentQuestion;
}

/**
 * The options of a stored question with their right/wrong mark, and a function naming the
 * options a saved response picks (none for a response that does not fit the type).
 * Null for types without options.
 */
export function choiceTally(
  q: Pick<StoredQuestion, 'type' | 'content' | 'answerKey'>,
): { options: ChoiceOption[]; picks: (response: unknown) => string[] } | null {
  const t = getQuestionType(q.type);
  const key = t.answerKeySchema.safeParse(q.answerKey);
  const content = t.contentSchema.safeParse(q.content ?? {});
  if (!key.success || !content.success) return null;
  const options = t.choices(content.data, key.data);
  if (!options) return null;
  return {
    options,
    picks: (response) => {
      if (response === null || response === undefined) return [];
      const r = t.responseSchema.safeParse(response);
      return r.success ? t.picks(r.data) : [];
    },
  };
}

/** Option ids a shuffle may permute, or null when the type's options keep a fixed order. */
export function shufflableOptionIds(q: Pick<StoredQuestion, 'type' | 'content'>): string[] | null {
  const t = getQuestionType(q.type);
  return t.optionIds(parsedContent(t, q.content));
}

/** How a question's options are ordered for a new attempt. */
export interface OptionShufflePlan {
  ids: string[];
  /** Shuffled even when the exam does not shuffle options (ordering, matching). */
  always: boolean;
  /** A shuffle must not start with this (the order that shows the answer); empty when none. */
  avoid: string[];
}

/** The shuffle plan of a stored question; null when its options keep a fixed order. */
export function optionShufflePlan(
  q: Pick<StoredQuestion, 'type' | 'content'> & { answerKey?: unknown },
): OptionShufflePlan | null {
  const t = getQuestionType(q.type);
  const content = parsedContent(t, q.content);
  const ids = t.optionIds(content);
  if (!ids) return null;
  const key = t.keyOrder && q.answerKey !== undefined ? t.answerKeySchema.safeParse(q.answerKey) : null;
  const avoid = key?.success && t.keyOrder ? t.keyOrder(content, key.data) : [];
  return { ids, always: t.alwaysShuffle === true, avoid };
}

/**
 * For typed questions (short answer, numeric, fill in the blanks, matching, ordering): a
 * function giving a saved response as one normalised line, so statistics can count the most
 * common answers; null for choice types (they tally options) and essays (hand marks).
 */
export function typedAnswerText(
  q: Pick<StoredQuestion, 'type' | 'content' | 'answerKey'>,
): ((response: unknown) => string | null) | null {
  const t = getQuestionType(q.type);
  if (!t.answerText) return null;
  const key = t.answerKeySchema.safeParse(q.answerKey);
  const content = t.contentSchema.safeParse(q.content ?? {});
  if (!key.success || !content.success) return null;
  const answerText = t.answerText.bind(t);
  return (response) => {
    if (response === null || response === undefined) return null;
    const r = t.responseSchema.safeParse(response);
    return r.success ? answerText(content.data, key.data, r.data) : null;
  };
}

/** Whether a question needs a person to mark it (essays). */
export function isManuallyGraded(type: string): boolean {
  return getQuestionType(type).manual === true;
}
