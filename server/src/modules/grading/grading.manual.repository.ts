// SQL of grading by hand: the answers waiting for a mark, the candidates' labels, the
// answer sheet, and writing one mark or re-mark request.
import { gradableAttemptStatuses } from '@exam-hall/protocol';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { answers, attempts, questions, users } from '../../db/schema/index.ts';

type Q = Db | Tx;

/** Answers of the exam's ended, graded attempts that wait for a hand mark. */
export async function pendingAnswers(db: Q, examId: string) {
  return db
    .select({
      attemptId: answers.attemptId,
      questionId: answers.questionId,
      type: questions.type,
      manualPoints: answers.manualPoints,
      submittedAt: attempts.submittedAt,
    })
    .from(answers)
    .innerJoin(attempts, eq(attempts.id, answers.attemptId))
    .innerJoin(questions, eq(questions.id, answers.questionId))
    .where(
      and(
        eq(attempts.examId, examId),
        inArray(attempts.status, gradableAttemptStatuses),
        eq(answers.needsManual, true),
      ),
    )
    .orderBy(asc(attempts.submittedAt), asc(attempts.id));
}

export interface CandidateRow {
  attemptId: string;
  /** 1-based, by when the attempt was created: stable, since attempts are never deleted. */
  number: number;
  name: string;
  email: string;
}

/** The exam's attempts (all, or the given ones) with their student and their candidate number. */
export async function candidates(db: Q, examId: string, attemptIds?: string[]): Promise<CandidateRow[]> {
  if (attemptIds && !attemptIds.length) return [];
  const numbered = db
    .select({
      attemptId: attempts.id,
      userId: attempts.userId,
      number: sql<number>`(row_number() over (order by ${attempts.createdAt}, ${attempts.id}))::int`.as('number'),
    })
    .from(attempts)
    .where(eq(attempts.examId, examId))
    .as('numbered');
  return db
    .select({ attemptId: numbered.attemptId, number: numbered.number, name: users.name, email: users.email })
    .from(numbered)
    .innerJoin(users, eq(users.id, numbered.userId))
    .where(attemptIds ? inArray(numbered.attemptId, attemptIds) : undefined);
}

export async function questionsByIds(db: Q, ids: string[]) {
  return ids.length ? db.select().from(questions).where(inArray(questions.id, ids)) : [];
}

export async function attemptOfExam(db: Q, examId: string, attemptId: string, opts: { forUpdate?: boolean } = {}) {
  const q = db
    .select()
    .from(attempts)
    .where(and(eq(attempts.id, attemptId), eq(attempts.examId, examId)));
  const [a] = opts.forUpdate ? await q.for('update') : await q;
  return a;
}

/** The attempt's answers with the name of whoever marked each by hand. */
export async function answersWithMarkers(db: Q, attemptId: string) {
  return db
    .select({ answer: answers, markerName: users.name })
    .from(answers)
    .leftJoin(users, eq(users.id, answers.markedBy))
    .where(eq(answers.attemptId, attemptId));
}

/** The answer row of one question, created empty (no response) when the student left it. */
export async function lockAnswer(tx: Tx, attemptId: string, questionId: string) {
  await tx.insert(answers).values({ attemptId, questionId, response: null }).onConflictDoNothing();
  const [row] = await tx
    .select()
    .from(answers)
    .where(and(eq(answers.attemptId, attemptId), eq(answers.questionId, questionId)))
    .for('update');
  return row!;
}

export async function writeHandMark(
  tx: Tx,
  answerId: string,
  mark: {
    manualPoints: number;
    feedback: string | null;
    rubricMarks: Record<string, number> | null;
    markedBy: string;
    markedAt: Date;
  },
) {
  await tx
    .update(answers)
    .set({ ...mark, needsManual: false })
    .where(eq(answers.id, answerId));
}

export async function requestRemark(tx: Tx, answerId: string) {
  await tx.update(answers).set({ needsManual: true }).where(eq(answers.id, answerId));
}
