// SQL for exam results. Each function is one statement, whatever the number of rows,
// so a results page costs a fixed handful of queries.
import { and, asc, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { endedAttemptStatuses, gradableAttemptStatuses } from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import { answers, attempts, certificates, exams, questions, users } from '../../db/schema/index.ts';

type Q = Db | Tx;

/** Ended attempts of an exam with their student, in name order (optionally only some attempts). */
export async function endedAttempts(db: Q, examId: string, attemptIds?: string[]) {
  return db
    .select({ attempt: attempts, name: users.name, email: users.email })
    .from(attempts)
    .innerJoin(users, eq(users.id, attempts.userId))
    .where(
      and(
        eq(attempts.examId, examId),
        inArray(attempts.status, [...endedAttemptStatuses]),
        attemptIds ? inArray(attempts.id, attemptIds) : undefined,
      ),
    )
    .orderBy(asc(users.name), asc(users.email), asc(attempts.attemptNumber));
}
export type EndedAttemptRow = Awaited<ReturnType<typeof endedAttempts>>[number];

/** Per attempt of the exam: its live certificate, else its newest revoked one. */
export async function certificatesByAttempt(db: Q, examId: string, attemptIds?: string[]) {
  const rows = await db
    .selectDistinctOn([certificates.attemptId], {
      attemptId: certificates.attemptId,
      id: certificates.id,
      status: certificates.status,
      publicId: certificates.publicId,
    })
    .from(certificates)
    .where(and(eq(certificates.examId, examId), attemptIds ? inArray(certificates.attemptId, attemptIds) : undefined))
    .orderBy(certificates.attemptId, sql`${certificates.status} = 'revoked'`, desc(certificates.createdAt));
  return new Map(rows.map((r) => [r.attemptId, { id: r.id, status: r.status, publicId: r.publicId }]));
}

/** Sets the release time unless it is set already; answers the row only when this call set it. */
export async function markReleased(db: Q, examId: string) {
  const [row] = await db
    .update(exams)
    .set({ resultsReleasedAt: sql`now()` })
    .where(and(eq(exams.id, examId), sql`${exams.resultsReleasedAt} is null`))
    .returning({ resultsReleasedAt: exams.resultsReleasedAt });
  return row?.resultsReleasedAt ?? null;
}

const gradedOf = (examId: string) =>
  and(
    eq(attempts.examId, examId),
    inArray(attempts.status, [...gradableAttemptStatuses]),
    isNotNull(attempts.gradedAt),
    isNotNull(attempts.percentage),
    // Final only: a score with answers still to mark by hand is provisional.
    eq(attempts.manualPending, 0),
  );

export async function gradedAttemptIds(db: Q, examId: string): Promise<string[]> {
  const rows = await db.select({ id: attempts.id }).from(attempts).where(gradedOf(examId));
  return rows.map((r) => r.id);
}

/** Graded attempts with what item analysis needs. */
export async function gradedAttempts(db: Q, examId: string) {
  return db
    .select({ id: attempts.id, percentage: attempts.percentage, questionOrder: attempts.questionOrder })
    .from(attempts)
    .where(gradedOf(examId));
}

/** Every answer of every graded attempt of the exam. */
export async function gradedAnswers(db: Q, examId: string) {
  return db
    .select({
      attemptId: answers.attemptId,
      questionId: answers.questionId,
      response: answers.response,
      pointsAwarded: answers.pointsAwarded,
      manualPoints: answers.manualPoints,
      needsManual: answers.needsManual,
    })
    .from(answers)
    .innerJoin(attempts, eq(attempts.id, answers.attemptId))
    .where(gradedOf(examId));
}

export async function examQuestions(db: Q, examId: string) {
  return db.select().from(questions).where(eq(questions.examId, examId)).orderBy(asc(questions.position));
}

export async function examOfAttempt(db: Q, attemptId: string): Promise<string | undefined> {
  const [found] = await db.select({ examId: attempts.examId }).from(attempts).where(eq(attempts.id, attemptId));
  return found?.examId;
}

export async function lockAttempt(tx: Tx, attemptId: string) {
  const [a] = await tx.select().from(attempts).where(eq(attempts.id, attemptId)).for('update');
  return a;
}

/** A score set by hand, with who set it, why and when. */
export async function overrideScore(
  tx: Tx,
  attemptId: string,
  set: { score: number; percentage: number; passed: boolean; gradedBy: string; scoreOverrideReason: string },
) {
  await tx
    .update(attempts)
    .set({ ...set, scoreOverriddenAt: new Date() })
    .where(eq(attempts.id, attemptId));
}
