// Grades an ended attempt through the question-type registry, with the exam's
// partial-credit rule. Idempotent: the same answers give the same result, written
// in one transaction, so a retried or repeated job changes nothing.
import { gradableAttemptStatuses } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import type { Attempt } from '../../db/schema/index.ts';
import { gradeResponse } from '../questions/types/index.ts';
import * as repo from './grading.repository.ts';

/** Rounds to cents like the numeric(10,2) columns, so repeated runs compare equal. */
const cents = (n: number) => Math.round(n * 100) / 100;

export interface GradeOutcome {
  attemptId: string;
  score: number;
  maxScore: number;
  percentage: number;
  passed: boolean;
}

/** The score was set by hand (results.service overrideScore); the time stays even if the teacher's account goes. */
function isOverridden(a: Attempt): boolean {
  return (a.gradedBy !== null || a.scoreOverriddenAt !== null) && a.score !== null && a.maxScore !== null;
}

export async function gradeAttempt(db: Db, attemptId: string): Promise<GradeOutcome | null> {
  return db.transaction(async (tx) => {
    const a = await repo.findAttempt(tx, attemptId, { forUpdate: true });
    if (!a || !(gradableAttemptStatuses as readonly string[]).includes(a.status)) return null;
    const exam = await repo.findExam(tx, a.examId);
    const { qs, saved } = await repo.questionsAndAnswers(tx, a.id, a.questionOrder);
    const byQuestion = new Map(saved.map((s) => [s.questionId, s]));
    const rule = { partialCredit: exam!.partialCreditRule, penalty: exam!.partialCreditPenalty };
    let score = 0;
    let maxScore = 0;
    const marks: repo.Mark[] = [];
    for (const q of qs) {
      maxScore += q.points;
      const answer = byQuestion.get(q.id);
      const grade = gradeResponse(q, answer?.response ?? null, rule);
      const earned = cents(grade.fraction * q.points);
      score += earned;
      if (answer && (answer.pointsAwarded !== earned || answer.isCorrect !== grade.correct)) {
        marks.push({ answerId: answer.id, points: earned, correct: grade.correct });
      }
    }
    // Every changed mark in one statement (a regrade that changes nothing writes nothing).
    await repo.writeMarks(tx, marks);
    score = cents(score);
    maxScore = cents(maxScore);
    if (isOverridden(a)) {
      // A teacher set this score by hand: regrading refreshes the per-answer marks only.
      return { attemptId: a.id, score: a.score!, maxScore: a.maxScore!, percentage: a.percentage!, passed: a.passed! };
    }
    const percentage = maxScore > 0 ? cents((score / maxScore) * 100) : 0;
    const passed = percentage >= exam!.passingScore;
    await repo.setResult(tx, a.id, { score, maxScore, percentage, passed, gradedAt: a.gradedAt ?? new Date() });
    return { attemptId: a.id, score, maxScore, percentage, passed };
  });
}
