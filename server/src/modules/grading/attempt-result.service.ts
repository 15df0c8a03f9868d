// What a student may see of their result: nothing before the attempt ends, then
// the score when the exam shows results immediately or the teacher released them,
// and their answers with explanations when the exam allows review.
import { desc, eq, inArray, sql } from 'drizzle-orm';
import type { AttemptResult } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import { answers, attempts, certificates, exams, questions, users } from '../../db/schema/index.ts';
import { notFound } from '../../http/errors.ts';
import { ownsAttempt, type AttemptPrincipal } from '../../policy/access.ts';
import { studentViewOf } from '../questions/types/index.ts';

export async function resultFor(
  db: Db,
  publicUrl: string,
  attemptId: string,
  who: AttemptPrincipal,
): Promise<AttemptResult> {
  const result = await resultOf(db, publicUrl, attemptId, who);
  // A student who started with an access code has an account without a password: the result
  // page offers to keep it (POST /api/attempts/{id}/claim-account).
  const [owner] = await db
    .select({ status: users.status, passwordHash: users.passwordHash })
    .from(attempts)
    .innerJoin(users, eq(users.id, attempts.userId))
    .where(eq(attempts.id, attemptId));
  return { ...result, canClaimAccount: owner?.status === 'invited' && owner.passwordHash === null };
}

async function resultOf(db: Db, publicUrl: string, attemptId: string, who: AttemptPrincipal): Promise<AttemptResult> {
  const [a] = await db.select().from(attempts).where(eq(attempts.id, attemptId));
  if (!a || !ownsAttempt(who, a)) throw notFound('Attempt');
  const submittedAt = a.submittedAt?.toISOString() ?? null;
  if (a.status === 'not_started' || a.status === 'in_progress' || a.status === 'paused') {
    return { state: 'not_finished', status: a.status };
  }
  const [exam] = await db.select().from(exams).where(eq(exams.id, a.examId));
  const released = exam!.resultsPolicy === 'immediately' || !!exam!.resultsReleasedAt;
  if (!released) return { state: 'awaiting_release', submittedAt };
  if (a.gradedAt === null || a.score === null || a.maxScore === null || a.percentage === null || a.passed === null) {
    return { state: 'grading', submittedAt };
  }
  let review = null;
  if (exam!.allowReview && a.questionOrder.length) {
    const qs = await db.select().from(questions).where(inArray(questions.id, a.questionOrder));
    const saved = await db.select().from(answers).where(eq(answers.attemptId, a.id));
    const byId = new Map(qs.map((q) => [q.id, q]));
    const answerOf = new Map(saved.map((s) => [s.questionId, s]));
    review = a.questionOrder
      .map((id) => byId.get(id))
      .filter((q) => q !== undefined)
      .map((q) => {
        const answer = answerOf.get(q.id);
        return {
          questionId: q.id,
          type: q.type,
          prompt: q.prompt,
          points: q.points,
          pointsAwarded: answer?.pointsAwarded ?? 0,
          correct: answer?.isCorrect ?? false,
          content: studentViewOf(q, a.optionOrder[q.id]).content as Record<string, unknown>,
          response: answer?.response ?? null,
          answerKey: q.answerKey,
          explanation: q.explanation,
        };
      });
  }
  const [cert] = await db
    .select({ status: certificates.status, publicId: certificates.publicId })
    .from(certificates)
    .where(eq(certificates.attemptId, a.id))
    .orderBy(sql`${certificates.status} = 'revoked'`, desc(certificates.createdAt))
    .limit(1);
  return {
    state: 'graded',
    status: a.status,
    examTitle: exam!.title,
    score: a.score,
    maxScore: a.maxScore,
    percentage: a.percentage,
    passed: a.passed,
    passingScore: exam!.passingScore,
    scoreAdjusted: a.scoreOverriddenAt !== null,
    gradedAt: a.gradedAt.toISOString(),
    submittedAt,
    review,
    certificate: cert ? { ...cert, verifyUrl: `${publicUrl}/verify/${cert.publicId}` } : null,
    certificateExpected: a.passed && exam!.issueCertificates,
  };
}
