// Grades an ended attempt through the question-type registry, with the exam's
// partial-credit rule. Idempotent: the same answers give the same result, written
// in one transaction, so a retried or repeated job changes nothing.
import { eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { answers, attempts, exams, questions, type Attempt } from '../../db/schema/index.ts';
import { gradeResponse } from '../questions/types/index.ts';

const GRADABLE = ['submitted', 'expired'] as const;

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
    const [a] = await tx.select().from(attempts).where(eq(attempts.id, attemptId)).for('update');
    if (!a || !(GRADABLE as readonly string[]).includes(a.status)) return null;
    const [exam] = await tx.select().from(exams).where(eq(exams.id, a.examId));
    const qs = a.questionOrder.length
      ? await tx.select().from(questions).where(inArray(questions.id, a.questionOrder))
      : [];
    const saved = await tx.select().from(answers).where(eq(answers.attemptId, a.id));
    const byQuestion = new Map(saved.map((s) => [s.questionId, s]));
    const rule = { partialCredit: exam!.partialCreditRule, penalty: exam!.partialCreditPenalty };
    let score = 0;
    let maxScore = 0;
    const marks: SQL[] = [];
    for (const q of qs) {
      maxScore += q.points;
      const answer = byQuestion.get(q.id);
      const grade = gradeResponse(q, answer?.response ?? null, rule);
      const earned = cents(grade.fraction * q.points);
      score += earned;
      if (answer && (answer.pointsAwarded !== earned || answer.isCorrect !== grade.correct)) {
        marks.push(sql`(${answer.id}::uuid, ${earned}::numeric, ${grade.correct}::boolean)`);
      }
    }
    // Every changed mark in one statement (a regrade that changes nothing writes nothing).
    if (marks.length) {
      await tx.execute(sql`
        update answers set points_awarded = m.points, is_correct = m.correct
        from (values ${sql.join(marks, sql`, `)}) as m(id, points, correct)
        where answers.id = m.id`);
    }
    score = cents(score);
    maxScore = cents(maxScore);
    if (isOverridden(a)) {
      // A teacher set this score by hand: regrading refreshes the per-answer marks only.
      return { attemptId: a.id, score: a.score!, maxScore: a.maxScore!, percentage: a.percentage!, passed: a.passed! };
    }
    const percentage = maxScore > 0 ? cents((score / maxScore) * 100) : 0;
    const passed = percentage >= exam!.passingScore;
    await tx
      .update(attempts)
      .set({ score, maxScore, percentage, passed, gradedAt: a.gradedAt ?? new Date() })
      .where(eq(attempts.id, a.id));
    return { attemptId: a.id, score, maxScore, percentage, passed };
  });
}
