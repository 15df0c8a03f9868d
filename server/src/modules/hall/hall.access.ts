// Who may do what in the hall. A socket carries a signed-in actor, an attempt
// principal (from the attempt cookie of a student who started with a code), or both.
import { and, eq, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { attempts, enrollments, exams } from '../../db/schema/index.ts';
import { AppError, notFound } from '../../http/errors.ts';
import { constantTimeEqual, hashToken } from '../../lib/crypto.ts';
import type { Actor } from '../../policy/actor.ts';
import { managedBy, manages } from '../courses/courses.access.ts';

export interface HallPrincipal {
  actor: Actor | null;
  /** `{attemptId}.{token}` from the attempt cookie, if the handshake had one. */
  attemptCookie: string | null;
}

/** The attempt if this principal is its student (signed in as them, or holding its cookie); 404 otherwise. */
export async function loadOwnAttempt(db: Db, who: HallPrincipal, attemptId: string) {
  const [a] = await db.select().from(attempts).where(eq(attempts.id, attemptId));
  if (!a) throw notFound('Attempt');
  if (who.actor && who.actor.userId === a.userId) return a;
  if (who.attemptCookie && a.attemptTokenHash) {
    const [id, token] = who.attemptCookie.split('.');
    if (id === a.id && token && constantTimeEqual(hashToken(token), a.attemptTokenHash)) return a;
  }
  throw notFound('Attempt');
}

/**
 * Proctoring an exam: those who manage it (its author, a teacher or co-teacher of its
 * course, admins: courses.access.ts), and proctors enrolled in the exam's course with
 * the proctor role. Everyone else: 404 (exists-or-not is not revealed).
 */
export async function loadWatchableExam(db: Db, actor: Actor | null, examId: string) {
  if (!actor || !['teacher', 'admin', 'proctor'].includes(actor.role)) {
    throw new AppError(403, 'forbidden', 'Only proctors, teachers and admins can watch the hall.');
  }
  const [exam] = await db.select().from(exams).where(eq(exams.id, examId));
  if (!exam || exam.deletedAt) throw notFound('Exam');
  if (await manages(db, actor, { ownerId: exam.createdBy, courseId: exam.courseId })) return exam;
  if (exam.courseId) {
    const [enrolled] = await db
      .select({ id: enrollments.id })
      .from(enrollments)
      .where(
        and(
          eq(enrollments.courseId, exam.courseId),
          eq(enrollments.userId, actor.userId),
          eq(enrollments.role, 'proctor'),
          eq(enrollments.status, 'active'),
        ),
      );
    if (enrolled) return exam;
  }
  throw notFound('Exam');
}

/** The same rule as loadWatchableExam, as a filter: every published exam this actor may watch. */
export function watchableExamsFilter(actor: Actor): SQL | undefined {
  const base = and(isNull(exams.deletedAt), eq(exams.status, 'published'));
  if (actor.role === 'admin') return base;
  const asProctor = sql`${exams.courseId} in (select ${enrollments.courseId} from ${enrollments}
    where ${enrollments.userId} = ${actor.userId} and ${enrollments.role} = 'proctor' and ${enrollments.status} = 'active')`;
  if (actor.role === 'teacher') return and(base, or(managedBy(actor, exams.createdBy, exams.courseId), asProctor));
  if (actor.role === 'proctor') return and(base, asProctor);
  return sql`false`;
}
