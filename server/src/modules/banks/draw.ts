// What one attempt gets from the exam's sections, picked when the attempt is created: a
// fixed section's questions, and for a random section N questions drawn with the CSPRNG
// from its bank (narrowed by tag and difficulty), never one the attempt already holds.
// The draw is kept on the attempt (attempts.drawn_questions) with the points each question
// is worth there, and the drawn ids join the question order after the exam's own questions.
import { randomInt } from 'node:crypto';
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { examSections, questions, type DrawnQuestion } from '../../db/schema/index.ts';
import { pickOrders, type AttemptOrders } from '../questions/questions.student.ts';
import { poolFilter } from './sections.repository.ts';

type Candidate = { id: string; points: number };

/** k distinct items chosen uniformly with the CSPRNG (a partial Fisher-Yates), in draw order. */
export function drawDistinct<T>(items: readonly T[], k: number): T[] {
  const pool = [...items];
  const n = Math.min(k, pool.length);
  for (let i = 0; i < n; i++) {
    const j = i + randomInt(pool.length - i);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, n);
}

/** Picks every section's questions for one attempt; `taken` (the exam's own ids) is never drawn again. */
export async function drawSections(tx: Db | Tx, examId: string, taken: ReadonlySet<string>) {
  const sections = await tx
    .select()
    .from(examSections)
    .where(eq(examSections.examId, examId))
    .orderBy(asc(examSections.position));
  const drawn: Record<string, DrawnQuestion> = {};
  const order: string[] = [];
  const held = new Set(taken);
  for (const s of sections) {
    let picked: Candidate[];
    if (s.kind === 'fixed') {
      const rows = s.questionIds.length
        ? await tx
            .select({ id: questions.id, points: questions.points })
            .from(questions)
            .where(and(eq(questions.bankId, s.bankId), inArray(questions.id, s.questionIds)))
        : [];
      const byId = new Map(rows.map((r) => [r.id, r]));
      picked = s.questionIds.flatMap((id) => (byId.has(id) && !held.has(id) ? [byId.get(id)!] : []));
    } else {
      const pool = await tx.select({ id: questions.id, points: questions.points }).from(questions).where(poolFilter(s));
      picked = drawDistinct(
        pool.filter((q) => !held.has(q.id)),
        s.drawCount,
      );
    }
    for (const q of picked) {
      held.add(q.id);
      order.push(q.id);
      drawn[q.id] = { sectionId: s.id, points: s.pointsEach ?? q.points };
    }
  }
  return { order, drawn };
}

/**
 * A new attempt's question and option orders and what it drew. `own` are the exam's own
 * questions in position order; the drawn ones follow in section order, and with shuffling
 * on everything is shuffled together.
 */
export async function planAttempt(
  tx: Db | Tx,
  exam: { id: string; shuffleQuestions: boolean; shuffleOptions: boolean },
  own: readonly { id: string; type: string; content: Record<string, unknown>; answerKey?: unknown }[],
  /** false when the caller already read that the exam has no sections (one read fewer). */
  hasSections = true,
): Promise<AttemptOrders & { drawnQuestions: Record<string, DrawnQuestion> }> {
  const { order, drawn } = hasSections
    ? await drawSections(tx, exam.id, new Set(own.map((q) => q.id)))
    : { order: [] as string[], drawn: {} as Record<string, DrawnQuestion> };
  const extra = order.length
    ? await tx
        .select({ id: questions.id, type: questions.type, content: questions.content, answerKey: questions.answerKey })
        .from(questions)
        .where(inArray(questions.id, order))
    : [];
  const byId = new Map(extra.map((q) => [q.id, q]));
  const all = [...own, ...order.map((id) => byId.get(id)!)];
  const orders = pickOrders(all, { shuffleQuestions: exam.shuffleQuestions, shuffleOptions: exam.shuffleOptions });
  return { ...orders, drawnQuestions: drawn };
}
