// The one rule for "who manages something that belongs to a course": its owner (the
// course's teacher, or the exam's author), an admin, or a teacher who teaches the
// course (its own teacher, or a co-teacher: an active 'teacher' enrolment). Every ownership check of courses,
// exams and what hangs off them (questions, participants, results, halls, Zoom
// sessions, certificates) goes through here, as a check or as a SQL filter.
import { and, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { notFound } from '../../http/errors.ts';
import type { Actor } from '../../policy/actor.ts';

/**
 * SQL: `userId` teaches the course in `courseId` (a column or a value): it is the
 * course's own teacher, or holds an active 'teacher' enrolment in it (a co-teacher).
 */
export function teachesCourse(userId: string, courseId: SQLWrapper | string): SQL {
  // Aliased: the outer query may itself read courses or enrollments.
  return sql`(exists (select 1 from courses as taught where taught.id = ${courseId} and taught.teacher_id = ${userId})
    or exists (select 1 from enrollments as coteach where coteach.course_id = ${courseId}
      and coteach.user_id = ${userId} and coteach.role = 'teacher' and coteach.status = 'active'))`;
}

/** Whether the actor manages something owned by `ownerId` in course `courseId`. */
export async function manages(
  db: Db | Tx,
  actor: Actor,
  target: { ownerId: string | null; courseId: string | null },
): Promise<boolean> {
  if (actor.role === 'admin' || (target.ownerId !== null && actor.userId === target.ownerId)) return true;
  if (actor.role !== 'teacher' || !target.courseId) return false;
  const [row] = await db
    .execute<{ ok: boolean }>(sql`select ${teachesCourse(actor.userId, target.courseId)} as ok`)
    .then((r) => r.rows);
  return row?.ok === true;
}

/** As `manages`, answering 404 (not 403) so that ids cannot be probed. */
export async function assertManages(
  db: Db | Tx,
  actor: Actor,
  target: { ownerId: string | null; courseId: string | null },
  what: string,
): Promise<void> {
  if (!(await manages(db, actor, target))) throw notFound(what);
}

/**
 * The same rule as a filter over rows with an owner column and a course column;
 * undefined (no filter) for admins.
 */
export function managedBy(actor: Actor, ownerColumn: SQLWrapper, courseColumn: SQLWrapper): SQL | undefined {
  if (actor.role === 'admin') return undefined;
  const own = sql`${ownerColumn} = ${actor.userId}`;
  if (actor.role !== 'teacher') return own;
  return or(own, and(sql`${courseColumn} is not null`, teachesCourse(actor.userId, courseColumn)))!;
}
