// Joining an exam with its exam code (seed 003): a signed-in student ENROLLED (active) in
// the exam's course types the code and becomes a participant, as if invited; from there
// the lobby is the same as for invited students (POST /api/exams/{examId}/attempts).
//
// A code is short (6-8 letters and digits) and so guessable, and whether an exam exists
// must not leak: every miss (no such code, an exam of a course the student is not in,
// a draft, an archived or deleted exam) answers the same 404, and every try is reserved
// in the guess limiter BEFORE the lookup (per user and per IP, one atomic Redis step), so
// parallel requests cannot walk past the budget. A right code gives its place back.
import { randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { JoinedExam } from '@exam-hall/protocol';
import type { Redis } from 'ioredis';
import type { Db } from '../../db/client.ts';
import { enrollments, examParticipants, exams, users } from '../../db/schema/index.ts';
import { AppError } from '../../http/errors.ts';
import { keyedHash } from '../../lib/crypto.ts';
import { assertRole } from '../../policy/access.ts';
import type { Caller } from '../../policy/actor.ts';
import * as audit from '../audit/audit.service.ts';
import { auditContextOf } from '../audit/audit.context.ts';
import { assertMayTakeExams } from '../attempts/attempts.account.ts';
import { createGuessLimiter, type GuessLimiter, type GuessLimits } from '../attempts/attempts.rate-limit.ts';

export const NO_EXAM_FOR_CODE = 'No exam with that code for your courses. Check the code with your teacher.';

/** Exam codes, guessed per signed-in user (and per IP, like access codes). */
export function createExamCodeLimiter(redis: Redis, prefix: string, limits: GuessLimits): GuessLimiter {
  return createGuessLimiter(redis, {
    keyPrefix: `${prefix}:rl:exam-code`,
    limits,
    wording: { guesses: 'wrong exam codes', target: 'for your account' },
  });
}

/**
 * The participant row of someone who joined with the exam code has no access code: the
 * column is NOT NULL and unique, so it gets 256 random bits no typed code can ever hash to.
 */
const unusableCodeHash = () => `exam-code:${randomBytes(32).toString('base64url')}`;

export function createExamCodeService(deps: { db: Db; secret: string; limiter: GuessLimiter }) {
  const { db, secret, limiter } = deps;
  return {
    async join(caller: Caller, code: string): Promise<JoinedExam> {
      assertRole(caller.actor, ['student']);
      const userId = caller.actor.userId;
      const guess = await limiter.reserve(keyedHash(secret, 'ip', caller.ip), keyedHash(secret, 'user', userId));
      let right = false;
      try {
        return await db.transaction(async (tx) => {
          const [found] = await tx
            .select({ id: exams.id, title: exams.title, email: users.email })
            .from(exams)
            .innerJoin(
              enrollments,
              and(
                eq(enrollments.courseId, exams.courseId),
                eq(enrollments.userId, userId),
                eq(enrollments.role, 'student'),
                eq(enrollments.status, 'active'),
              ),
            )
            .innerJoin(users, eq(users.id, enrollments.userId))
            .where(and(eq(exams.code, code), eq(exams.status, 'published'), isNull(exams.deletedAt)));
          if (!found) throw new AppError(404, 'not_found', NO_EXAM_FOR_CODE);
          right = true;
          await assertMayTakeExams(tx, userId);
          const [created] = await tx
            .insert(examParticipants)
            .values({
              examId: found.id,
              userId,
              email: found.email.toLowerCase(),
              accessCodeHash: unusableCodeHash(),
              accessCodeHint: null,
              joinedWithExamCode: true,
              addedBy: userId,
            })
            .onConflictDoNothing({ target: [examParticipants.examId, examParticipants.userId] })
            .returning({ id: examParticipants.id });
          if (created) {
            await audit.record(tx, auditContextOf(secret, caller), {
              action: 'participant.joined_with_exam_code',
              targetType: 'exam_participant',
              targetId: created.id,
              details: { examId: found.id },
            });
          }
          return { examId: found.id, title: found.title, joined: Boolean(created) };
        });
      } finally {
        if (right) await guess.right();
      }
    },
  };
}
export type ExamCodeService = ReturnType<typeof createExamCodeService>;
