// What a student may see of their result: nothing before the attempt ends, then
// the score when the exam shows results immediately or the teacher released them,
// and their answers with explanations when the exam allows review.
import type { AttemptResult } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import { notFound } from '../../http/errors.ts';
import { ownsAttempt, type AttemptPrincipal } from '../../policy/access.ts';
import { studentViewOf } from '../questions/types/index.ts';
import * as repo from './grading.repository.ts';
import { pointsIn } from './grading.service.ts';

export async function resultFor(
  db: Db,
  publicUrl: string,
  attemptId: string,
  who: AttemptPrincipal,
): Promise<AttemptResult> {
  const result = await resultOf(db, publicUrl, attemptId, who);
  // A student who started with an access code has an account without a password: the result
  // page offers to keep it (POST /api/attempts/{id}/claim-account).
  const owner = await repo.ownerAccount(db, attemptId);
  return { ...result, canClaimAccount: owner?.status === 'invited' && owner.passwordHash === null };
}

async function resultOf(db: Db, publicUrl: string, attemptId: string, who: AttemptPrincipal): Promise<AttemptResult> {
  const a = await repo.findAttempt(db, attemptId);
  if (!a || !ownsAttempt(who, a)) throw notFound('Attempt');
  const submittedAt = a.submittedAt?.toISOString() ?? null;
  if (a.status === 'not_started' || a.status === 'in_progress' || a.status === 'paused') {
    return { state: 'not_finished', status: a.status };
  }
  const exam = await repo.findExam(db, a.examId);
  const released = exam!.resultsPolicy === 'immediately' || !!exam!.resultsReleasedAt;
  if (!released) return { state: 'awaiting_release', submittedAt };
  if (a.gradedAt === null || a.score === null || a.maxScore === null || a.percentage === null || a.passed === null) {
    return { state: 'grading', submittedAt };
  }
  // Essays and re-marks waiting for a teacher: the score is not final, so nothing of it is shown.
  if (a.manualPending > 0) return { state: 'hand_grading', submittedAt, pending: a.manualPending };
  let review = null;
  if (exam!.allowReview && a.questionOrder.length) {
    const { qs, saved } = await repo.questionsAndAnswers(db, a.id, a.questionOrder);
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
          points: pointsIn(a, q),
          pointsAwarded: answer?.pointsAwarded ?? 0,
          correct: answer?.isCorrect ?? false,
          content: studentViewOf(q, a.optionOrder[q.id]).content as Record<string, unknown>,
          response: answer?.response ?? null,
          answerKey: studentKeyOf(q.type, q.answerKey),
          explanation: q.explanation,
          feedback: answer?.feedback ?? null,
        };
      });
  }
  const cert = await repo.certificateOf(db, a.id);
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

/** The key as a student may see it after the exam: an essay's grading guidance stays with the graders. */
function studentKeyOf(type: string, key: unknown): unknown {
  if (type !== 'essay' || key === null || typeof key !== 'object') return key;
  const { guidance: _guidance, ...rest } = key as Record<string, unknown>;
  return rest;
}
