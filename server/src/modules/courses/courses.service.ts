// Courses group exams and students; a course's allowed email domains limit who
// can be invited to its exams.
import { and, count, eq, sql } from 'drizzle-orm';
import type { Course as CourseDto, CourseInput } from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import { courses, exams, users, type Course } from '../../db/schema/index.ts';
import { notFound } from '../../http/errors.ts';
import { assertOwnerOrAdmin, assertRole, type Actor } from '../auth/auth.policy.ts';
import * as audit from '../audit/audit.service.ts';
import { auditContextOf, type Caller } from '../audit/audit.context.ts';

const COURSE_EDITORS = ['teacher', 'admin'] as const;

/** The course if the actor may manage it (its teacher or an admin); 404 otherwise. */
export async function findCourseFor(db: Db | Tx, actor: Actor, courseId: string): Promise<Course> {
  assertRole(actor, COURSE_EDITORS);
  const [course] = await db.select().from(courses).where(eq(courses.id, courseId));
  if (!course) throw notFound('Course');
  assertOwnerOrAdmin(actor, course.teacherId, 'Course');
  return course;
}

/** Whether an email may be invited under a course's domain rule (no rule: anyone). */
export function emailAllowed(allowedDomains: readonly string[], email: string): boolean {
  if (!allowedDomains.length) return true;
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  return allowedDomains.includes(domain);
}

export function createCourseService(deps: { db: Db; secret: string }) {
  const { db, secret } = deps;
  const examCount = db
    .select({ n: count() })
    .from(exams)
    .where(and(eq(exams.courseId, courses.id), sql`${exams.deletedAt} is null`));

  async function load(where: ReturnType<typeof eq> | undefined): Promise<CourseDto[]> {
    const rows = await db
      .select({ course: courses, teacherName: users.name, examCount: sql<number>`(${examCount})::int` })
      .from(courses)
      .innerJoin(users, eq(users.id, courses.teacherId))
      .where(where)
      .orderBy(courses.name);
    return rows.map(({ course: c, teacherName, examCount: n }) => ({
      id: c.id,
      teacherId: c.teacherId,
      teacherName,
      name: c.name,
      description: c.description,
      subject: c.subject,
      level: c.level,
      allowedEmailDomains: c.allowedEmailDomains,
      examCount: n,
      enrollmentCount: c.enrollmentCount,
      createdAt: c.createdAt.toISOString(),
    }));
  }

  return {
    async list(actor: Actor) {
      assertRole(actor, COURSE_EDITORS);
      return load(actor.role === 'admin' ? undefined : eq(courses.teacherId, actor.userId));
    },
    async get(actor: Actor, id: string) {
      await findCourseFor(db, actor, id);
      return (await load(eq(courses.id, id)))[0]!;
    },
    async create(caller: Caller, input: CourseInput) {
      assertRole(caller.actor, COURSE_EDITORS);
      const id = await db.transaction(async (tx) => {
        const [c] = await tx
          .insert(courses)
          .values({ ...input, teacherId: caller.actor.userId })
          .returning({ id: courses.id });
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'course.created',
          targetType: 'course',
          targetId: c!.id,
        });
        return c!.id;
      });
      return (await load(eq(courses.id, id)))[0]!;
    },
    async update(caller: Caller, id: string, input: CourseInput) {
      await db.transaction(async (tx) => {
        await findCourseFor(tx, caller.actor, id);
        await tx.update(courses).set(input).where(eq(courses.id, id));
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'course.updated',
          targetType: 'course',
          targetId: id,
          details: { fields: Object.keys(input) },
        });
      });
      return (await load(eq(courses.id, id)))[0]!;
    },
  };
}
export type CourseService = ReturnType<typeof createCourseService>;
