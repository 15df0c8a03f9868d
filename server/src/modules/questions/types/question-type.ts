// What every question type declares. The editor, the exam hall and the grading worker
// only ever talk to a type through this interface, so a new type is one file plus one
// registry line (and its schemas in protocol/src/question-kinds/).
import type { z } from 'zod';
import type { QuestionOption, QuestionProblem, QuestionTypeName } from '@exam-hall/protocol';

/** The exam's partial-credit settings (exams.partial_credit_rule / partial_credit_penalty). */
export interface GradingRule {
  partialCredit: 'all_or_nothing' | 'proportional';
  /** Proportional only: fraction of one correct pick lost per wrong pick, 0..1. */
  penalty: number;
}

export interface Grade {
  /** Share of the question's points earned, 0..1 (0 while a hand mark is pending). */
  fraction: number;
  /** Fully right (what a results page marks with a tick). */
  correct: boolean;
  /** Set when only a person can mark this answer (essays): fraction stays 0 until they do. */
  manual?: true;
}

/** Content as a student sees it. */
export type StudentContent = { options: QuestionOption[] } | Record<string, unknown>;

// Method syntax on purpose: it lets the registry hold every type as QuestionType<unknown, ...>;
// callers that start from raw JSON use the parsing helpers in ./index.ts.
export interface QuestionType<C = unknown, K = unknown, R = unknown> {
  readonly type: QuestionTypeName;
  readonly contentSchema: z.ZodType<C>;
  readonly answerKeySchema: z.ZodType<K>;
  readonly responseSchema: z.ZodType<R>;
  /**
   * Ordering and matching: the shufflable ids are shuffled for every attempt even when the
   * exam does not shuffle options, because the authored order gives the answer away.
   */
  readonly alwaysShuffle?: boolean;
  /** Answers are marked by a person (essays): grade() returns `manual` for any non-empty answer. */
  readonly manual?: boolean;
  /**
   * Rules across content and key (e.g. the key names an existing option); paths relative to the
   * question. Fill in the blanks also checks the prompt's [[gap]] markers when `prompt` is given;
   * save paths should call questionProblems() in ./index.ts, which passes it.
   */
  validate(content: C, key: K, prompt?: string): QuestionProblem[];
  /** Rules across content and a student's response (e.g. the chosen option exists); paths relative to the response. */
  responseProblems(content: C, response: R): QuestionProblem[];
  /** The response as it is stored (e.g. an essay's HTML sanitised); identity when absent. */
  cleanResponse?(response: R): R;
  /** Content without anything that gives the answer away, options in the attempt's order if given. */
  studentView(content: C, optionOrder?: readonly string[] | null): StudentContent;
  /** Ids to shuffle per attempt; null when the options have a fixed order (true/false). */
  optionIds(content: C): string[] | null;
  /**
   * The order of `optionIds` that would show the answer (ordering: the key's order; matching:
   * the right choices in the stems' order); a shuffle never starts with it.
   */
  keyOrder?(content: C, key: K): string[];
  grade(content: C, key: K, response: R, rule: GradingRule): Grade;
  /** The options a student picks from, marked right or wrong, for answer tallies; null when the type has none. */
  choices(content: C, key: K): ChoiceOption[] | null;
  /** The option ids a response picks (matching `choices`). */
  picks(response: R): string[];
  /**
   * Statistics for typed answers: the response as one normalised line, so equal answers are
   * counted together ("Paris", " paris " -> "paris"); null for an empty answer. Absent for
   * choice types (they tally `picks`) and essays (they report the mean hand mark).
   */
  answerText?(content: C, key: K, response: R): string | null;
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

/** Proportional score with the exam's penalty per wrong part, clamped to 0..1. */
export function proportional(right: number, wrong: number, total: number, rule: GradingRule): number {
  if (total <= 0) return 0;
  return Math.min(1, Math.max(0, (right - rule.penalty * wrong) / total));
}
