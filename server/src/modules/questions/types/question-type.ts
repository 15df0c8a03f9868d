// What every question type declares. The editor, the exam hall and the grading worker
// only ever talk to a type through this interface, so a new type is one file plus one
// registry line (and its schemas in protocol/src/questions.ts).
import type { z } from 'zod';
import type { QuestionOption, QuestionProblem, QuestionTypeName } from '@exam-hall/protocol';

/** The exam's partial-credit settings (exams.partial_credit_rule / partial_credit_penalty). */
export interface GradingRule {
  partialCredit: 'all_or_nothing' | 'proportional';
  /** Proportional only: fraction of one correct pick lost per wrong pick, 0..1. */
  penalty: number;
}

export interface Grade {
  /** Share of the question's points earned, 0..1. */
  fraction: number;
  /** Fully right (what a results page marks with a tick). */
  correct: boolean;
}

/** Content as a student sees it. */
export type StudentContent = { options: QuestionOption[] } | Record<string, never>;

// Method syntax on purpose: it lets the registry hold every type as QuestionType<unknown, ...>;
// callers that start from raw JSON use the parsing helpers in ./index.ts.
export interface QuestionType<C = unknown, K = unknown, R = unknown> {
  readonly type: QuestionTypeName;
  readonly contentSchema: z.ZodType<C>;
  readonly answerKeySchema: z.ZodType<K>;
  readonly responseSchema: z.ZodType<R>;
  /** Rules across content and key (e.g. the key names an existing option); paths relative to the question. */
  validate(content: C, key: K): QuestionProblem[];
  /** Rules across content and a student's response (e.g. the chosen option exists); paths relative to the response. */
  responseProblems(content: C, response: R): QuestionProblem[];
  /** Content without anything that gives the answer away, options in the attempt's order if given. */
  studentView(content: C, optionOrder?: readonly string[] | null): StudentContent;
  /** Ids to shuffle per attempt; null when the options have a fixed order (true/false). */
  optionIds(content: C): string[] | null;
  grade(content: C, key: K, response: R, rule: GradingRule): Grade;
  /** The options a student picks from, marked right or wrong, for answer tallies; null when the type has none. */
  choices(content: C, key: K): ChoiceOption[] | null;
  /** The option ids a response picks (matching `choices`). */
  picks(response: R): string[];
}

export interface ChoiceOption {
  id: string;
  text: string;
  correct: boolean;
}

/** Options in the given order; unknown ids are ignored and options missing from the order keep their place at the end. */
export function orderOptions(options: readonly QuestionOption[], order?: readonly string[] | null): QuestionOption[] {
  if (!order) return options.map((o) => ({ id: o.id, text: o.text }));
  const byId = new Map(options.map((o) => [o.id, o]));
  const ordered = order.flatMap((id) => {
    const o = byId.get(id);
    byId.delete(id);
    return o ? [o] : [];
  });
  return [...ordered, ...byId.values()].map((o) => ({ id: o.id, text: o.text }));
}

/** Ids a response picks that the question does not offer. */
export function unknownOptionProblems(
  options: readonly QuestionOption[],
  picked: readonly string[],
  path: (i: number) => (string | number)[],
): QuestionProblem[] {
  const ids = new Set(options.map((o) => o.id));
  return picked.flatMap((id, i) =>
    ids.has(id) ? [] : [{ path: path(i), message: `'${id}' is not an option of this question` }],
  );
}
