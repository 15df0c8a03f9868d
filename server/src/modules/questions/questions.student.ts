// Questions as students get them: the order of questions and options is drawn once per
// attempt (pickOrders, stored on the attempt) and applied on every load (studentQuestions).
import { randomInt } from 'node:crypto';
import type { StudentQuestion } from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import * as repo from './questions.repository.ts';
import { optionShufflePlan, studentViewOf, type StoredQuestion } from './types/index.ts';

export interface AttemptOrders {
  questionOrder: string[];
  /** Per question whose type has orderable options (true/false has none). */
  optionOrder: Record<string, string[]>;
}

/** Fisher-Yates with a CSPRNG: the order a neighbour sees tells nothing about yours. */
export function shuffle<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const startsWith = (order: readonly string[], prefix: readonly string[]) =>
  prefix.length > 0 && prefix.every((id, i) => order[i] === id);

/**
 * A shuffle of `ids` that does not start with `avoid` (the order that shows the answer).
 * With two or more ids some order always qualifies; a few draws find one almost surely,
 * and a rotation of the last draw is the fallback.
 */
export function shuffleAvoiding(ids: readonly string[], avoid: readonly string[]): string[] {
  let order = shuffle(ids);
  for (let i = 0; i < 8 && ids.length > 1 && startsWith(order, avoid); i++) order = shuffle(ids);
  if (ids.length > 1 && startsWith(order, avoid)) order = [...order.slice(1), order[0]!];
  return order;
}

/**
 * Question and option order for a new attempt. `questions` must be in position order;
 * with shuffling off the orders are the authored ones, except for types whose authored
 * order gives the answer away (ordering, matching): those are always shuffled, and never
 * into the key's order. Pass the answer key so that rule can apply.
 */
export function pickOrders(
  questions: readonly (Pick<StoredQuestion, 'id' | 'type' | 'content'> & { answerKey?: unknown })[],
  opts: { shuffleQuestions: boolean; shuffleOptions: boolean },
): AttemptOrders {
  const ids = questions.map((q) => q.id);
  const optionOrder: Record<string, string[]> = {};
  for (const q of questions) {
    const plan = optionShufflePlan(q);
    if (!plan) continue;
    optionOrder[q.id] = opts.shuffleOptions || plan.always ? shuffleAvoiding(plan.ids, plan.avoid) : plan.ids;
  }
  return { questionOrder: opts.shuffleQuestions ? shuffle(ids) : ids, optionOrder };
}

/** Loads the exam's questions and picks a new attempt's orders (call inside the attempt-creating transaction). */
export async function planAttemptOrders(
  db: Db | Tx,
  examId: string,
  opts: { shuffleQuestions: boolean; shuffleOptions: boolean },
): Promise<AttemptOrders> {
  return pickOrders(await repo.listQuestions(db, examId), opts);
}

/**
 * The attempt's questions as a student sees them (no answer key, no explanation), in the
 * attempt's question order with each question's options in the attempt's option order:
 * the exam's own and the bank questions it drew (worth their section's points, `drawn`).
 * Ids in the order that are no longer questions are skipped.
 */
export async function studentQuestions(
  db: Db | Tx,
  examId: string,
  questionOrder: readonly string[],
  optionOrder: Readonly<Record<string, readonly string[]>>,
  drawn: Readonly<Record<string, { points: number }>> = {},
): Promise<StudentQuestion[]> {
  const rows = await repo.questionsOfAttempt(db, examId, questionOrder);
  return arrangeForStudent(new Map(rows.map((q) => [q.id, q])), questionOrder, optionOrder, drawn, studentViewOf);
}

/**
 * studentQuestions from questions already at hand (`byId`): `view` builds one question's
 * student view in an option order (the join's question cache passes one that memoizes).
 */
export function arrangeForStudent<Q>(
  byId: ReadonlyMap<string, Q>,
  questionOrder: readonly string[],
  optionOrder: Readonly<Record<string, readonly string[]>>,
  drawn: Readonly<Record<string, { points: number }>>,
  view: (q: Q, optionOrder: readonly string[] | null) => StudentQuestion,
): StudentQuestion[] {
  return questionOrder.flatMap((id) => {
    const q = byId.get(id);
    if (!q) return [];
    const v = view(q, optionOrder[id] ?? null);
    return [drawn[id] ? { ...v, points: drawn[id].points } : v];
  });
}
