// The access rules of access.ts in their SQL forms: list filters (every row the actor
// may see, in one query) and the facts the rules look up. Same rules, same file family:
// change one, change the other.
import { and, eq, isNull, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.ts';
import { enrollments, exams } from '../db/schema/index.ts';
import type { AccessFacts } from './access.ts';
import type { Actor } from './actor.ts';

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

/**
 * `manages` as a filter over rows with an owner column and a course column;
 * undefined (no filter) for admins.
 */
export function managedBy(actor: Actor, ownerColumn: SQLWrapper, courseColumn: SQLWrapper): SQL | undefined {
  if (actor.role === 'admin') return undefined;
  const own = sql`${ownerColumn} = ${actor.userId}`;
  if (actor.role !== 'teacher') return own;
  return or(own, and(sql`${courseColumn} is not null`, teachesCourse(actor.userId, courseColumn)))!;
}

/** `watchableExam` as a filter: every published exam this actor may watch. */
export function watchableExamsFilter(actor: Actor): SQL | undefined {
  const base = and(isNull(exams.deletedAt), eq(exams.status, 'published'));
  if (actor.role === 'admin') return base;
  const asProctor = sql`${exams.courseId} in (select ${enrollments.courseId} from ${enrollments}
    where ${enrollments.userId} = ${actor.userId} and ${enrollments.role} = 'proctor' and ${enrollments.status} = 'active')`;
  if (actor.role === 'teacher') return and(base, or(managedBy(actor, exams.createdBy, exams.courseId), asProctor));
  if (actor.role === 'proctor') return and(base, asProctor);
  return sql`false`;
}

/** The facts the rules look up, read through `db` (or the caller's transaction). */
export function accessFacts(db: Db | Tx): AccessFacts {
  return {
    async teaches(userId, courseId) {
      const [row] = await db
        .execute<{ ok: boolean }>(sql`select ${teachesCourse(userId, courseId)} as ok`)
        .then((r) => r.rows);
      return row?.ok === true;
    },
    async proctors(userId, courseId) {
      const [enrolled] = await db
        .select({ id: enrollments.id })
        .from(enrollments)
        .where(
          and(
            eq(enrollments.courseId, courseId),
            eq(enrollments.userId, userId),
            eq(enrollments.role, 'proctor'),
            eq(enrollments.status, 'active'),
          ),
        );
      return !!enrolled;
    },
  };
}
