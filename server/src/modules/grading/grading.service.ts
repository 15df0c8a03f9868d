// Grades an ended attempt through the question-type registry, with the exam's
// partial-credit rule. Idempotent: the same answers give the same result, written
// in one transaction, so a retried or repeated job changes nothing.
//
// Hand marks: an answer only a person can mark (an essay) is flagged needs_manual and earns
// 0 until marked; an answer with a hand mark keeps it on every regrade; the attempt's
// manual_pending counts the answers still waiting, and its result is final at 0.
import { gradableAttemptStatuses } from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import type { Attempt, Exam } from '../../db/schema/index.ts';
import { gradeResponse } from '../questions/types/index.ts';
import * as repo from './grading.repository.ts';

/** Rounds to cents like the numeric(10,2) columns, so repeated runs compare equal. */
export const cents = (n: number) => Math.round(n * 100) / 100;

export interface GradeOutcome {
  attemptId: string;
  score: number;
  maxScore: number;
  percentage: number;
  passed: boolean;
  /** Answers still waiting for a hand mark; the certificate and the student's result wait while above 0. */
  manualPending: number;
}

/** The score was set by hand (results.service overrideScore); the time stays even if the teacher's account goes. */
export function isOverridden(a: Attempt): boolean {
  return (a.gradedBy !== null || a.scoreOverriddenAt !== null) && a.score !== null && a.maxScore !== null;
}

/** What a question is worth in this attempt: a drawn bank question counts with its section's points. */
export function pointsIn(a: Pick<Attempt, 'drawnQuestions'>, q: { id: string; points: number }): number {
  const drawn = a.drawnQuestions?.[q.id];
  return drawn && typeof drawn.points === 'number' ? drawn.points : q.points;
}

export async function gradeAttempt(db: Db, attemptId: string): Promise<GradeOutcome | null> {
  return db.transaction(async (tx) => {
    const a = await repo.findAttempt(tx, attemptId, { forUpdate: true });
    if (!a || !(gradableAttemptStatuses as readonly string[]).includes(a.status)) return null;
    const exam = await repo.findExam(tx, a.examId);
    return gradeLocked(tx, a, exam!);
  });
}

/**
 * Grades an attempt whose row the caller has locked. `finalAt`: the time to record when
 * this run may finish the result (the last hand mark); the first grading time is kept otherwise.
 */
export async function gradeLocked(tx: Tx, a: Attempt, exam: Exam, finalAt?: Date): Promise<GradeOutcome> {
  const { qs, saved } = await repo.questionsAndAnswers(tx, a.id, a.questionOrder);
  const byQuestion = new Map(saved.map((s) => [s.questionId, s]));
  const rule = { partialCredit: exam.partialCreditRule, penalty: exam.partialCreditPenalty };
  let score = 0;
  let maxScore = 0;
  let manualPending = 0;
  const marks: repo.Mark[] = [];
  for (const q of qs) {
    const worth = pointsIn(a, q);
    maxScore += worth;
    const answer = byQuestion.get(q.id);
    let earned: number;
    let correct: boolean;
    let needsManual: boolean;
    if (answer && answer.manualPoints !== null) {
      // A hand mark wins; a re-mark request (needs_manual) keeps it until the new mark lands.
      earned = cents(Math.min(answer.manualPoints, worth));
      correct = earned >= worth;
      needsManual = answer.needsManual;
    } else {
      const grade = gradeResponse(q, answer?.response ?? null, rule);
      earned = grade.manual ? 0 : cents(grade.fraction * worth);
      correct = grade.manual ? false : grade.correct;
      needsManual = grade.manual === true || (answer?.needsManual ?? false);
    }
    score += earned;
    if (answer && needsManual) manualPending++;
    if (
      answer &&
      (answer.pointsAwarded !== earned || answer.isCorrect !== correct || answer.needsManual !== needsManual)
    ) {
      marks.push({ answerId: answer.id, points: earned, correct, needsManual });
    }
  }
  // Every changed mark in one statement (a regrade that changes nothing writes nothing).
  await repo.writeMarks(tx, marks);
  score = cents(score);
  maxScore = cents(maxScore);
  const gradedAt = finalAt && manualPending === 0 ? finalAt : (a.gradedAt ?? new Date());
  if (isOverridden(a)) {
    // A teacher set this score by hand: regrading refreshes the per-answer marks only.
    if (a.manualPending !== manualPending || a.gradedAt === null) {
      await repo.setResult(tx, a.id, { manualPending, gradedAt });
    }
    return {
      attemptId: a.id,
      score: a.score!,
      maxScore: a.maxScore!,
      percentage: a.percentage!,
      passed: a.passed!,
      manualPending,
    };
  }
  const percentage = maxScore > 0 ? cents((score / maxScore) * 100) : 0;
  const passed = percentage >= exam.passingScore;
  const same =
    a.score === score &&
    a.maxScore === maxScore &&
    a.percentage === percentage &&
    a.passed === passed &&
    a.manualPending === manualPending &&
    a.gradedAt?.getTime() === gradedAt.getTime();
  if (!same) await repo.setResult(tx, a.id, { score, maxScore, percentage, passed, gradedAt, manualPending });
  return { attemptId: a.id, score, maxScore, percentage, passed, manualPending };
}
