// SQL of grading and of the student's result: the attempt, its exam, questions and
// answers, the marks written back, and the certificate the result page links to.
import { gradableAttemptStatuses } from '@exam-hall/protocol';
import { and, asc, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { answers, attempts, certificates, exams, questions, users } from '../../db/schema/index.ts';

type Q = Db | Tx;

export async function findAttempt(db: Q, attemptId: string, opts: { forUpdate?: boolean } = {}) {
  const q = db.select().from(attempts).where(eq(attempts.id, attemptId));
  const [a] = opts.forUpdate ? await q.for('update') : await q;
  return a;
}

export async function findExam(db: Q, examId: string) {
  const [exam] = await db.select().from(exams).where(eq(exams.id, examId));
  return exam;
}

/** The attempt's questions (unordered) and its saved answers. */
export async function questionsAndAnswers(db: Q, attemptId: string, questionIds: string[]) {
  const qs = questionIds.length ? await db.select().from(questions).where(inArray(questions.id, questionIds)) : [];
  const saved = await db.select().from(answers).where(eq(answers.attemptId, attemptId));
  return { qs, saved };
}

export interface Mark {
  answerId: string;
  points: number;
  correct: boolean;
  needsManual: boolean;
}

/** Every changed mark in one statement. */
export async function writeMarks(tx: Tx, marks: Mark[]) {
  if (!marks.length) return;
  const rows: SQL[] = marks.map(
    (m) => sql`(${m.answerId}::uuid, ${m.points}::numeric, ${m.correct}::boolean, ${m.needsManual}::boolean)`,
  );
  await tx.execute(sql`
    update answers set points_awarded = m.points, is_correct = m.correct, needs_manual = m.needs_manual
    from (values ${sql.join(rows, sql`, `)}) as m(id, points, correct, needs_manual)
    where answers.id = m.id`);
}

export async function setResult(
  tx: Tx,
  attemptId: string,
  result: {
    score?: number;
    maxScore?: number;
    percentage?: number;
    passed?: boolean;
    gradedAt?: Date;
    manualPending: number;
  },
) {
  await tx.update(attempts).set(result).where(eq(attempts.id, attemptId));
}

/** The attempt's student: account status and whether a password is set. */
export async function ownerAccount(db: Q, attemptId: string) {
  const [owner] = await db
    .select({ status: users.status, passwordHash: users.passwordHash })
    .from(attempts)
    .innerJoin(users, eq(users.id, attempts.userId))
    .where(eq(attempts.id, attemptId));
  return owner;
}

/** The attempt's certificate to show: a live one before a revoked one, newest first. */
export async function certificateOf(db: Q, attemptId: string) {
  const [cert] = await db
    .select({ status: certificates.status, publicId: certificates.publicId })
    .from(certificates)
    .where(eq(certificates.attemptId, attemptId))
    .orderBy(sql`${certificates.status} = 'revoked'`, desc(certificates.createdAt))
    .limit(1);
  return cert;
}

/** Ended (submitted or expired) attempts without a grade, ended over `settleSeconds` ago. */
export async function ungradedAttemptIds(db: Q, limit: number, settleSeconds: number): Promise<string[]> {
  const rows = await db
    .select({ id: attempts.id })
    .from(attempts)
    .where(
      and(
        inArray(attempts.status, gradableAttemptStatuses),
        isNull(attempts.gradedAt),
        // Leaves the normal path (enqueued at the end) time to run first.
        sql`${attempts.submittedAt} <= now() - make_interval(secs => ${settleSeconds})`,
      ),
    )
    .orderBy(asc(attempts.submittedAt))
    .limit(limit);
  return rows.map((r) => r.id);
}
