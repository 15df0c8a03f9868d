// SQL of courses and their enrolments.
import { and, asc, count, eq, sql, type SQL } from 'drizzle-orm';
import type { Course as CourseDto, Enrollment as EnrollmentDto, EnrollmentRole } from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import { courses, enrollments, exams, users } from '../../db/schema/index.ts';

type Q = Db | Tx;

/** Courses with their teacher's name and live exam count, by name. */
export async function loadCourses(db: Q, where: SQL | undefined): Promise<CourseDto[]> {
  const examCount = db
    .select({ n: count() })
    .from(exams)
    .where(and(eq(exams.courseId, courses.id), sql`${exams.deletedAt} is null`));
  const rows = await db
    .select({ course: courses, teacherName: users.name, examCount: sql<number>`(${examCount})::int` })
    .from(courses)
    .innerJoin(users, eq(users.id, courses.teacherId))
    .where(where)
    .orderBy(courses.name, courses.id);
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
    isActive: c.isActive,
    createdAt: c.createdAt.toISOString(),
  }));
}

/** The courses matching a filter of who may see them (managedBy) and a status, as in loadCourses. */
export async function listCourses(db: Q, managed: SQL | undefined, status: 'active' | 'archived' | 'all') {
  const where: (SQL | undefined)[] = [managed];
  if (status !== 'all') where.push(eq(courses.isActive, status === 'active'));
  return loadCourses(db, and(...where));
}

/** One course as the API shows it; the caller knows it exists. */
export async function courseById(db: Q, id: string): Promise<CourseDto> {
  return (await loadCourses(db, eq(courses.id, id)))[0]!;
}

export async function insertCourse(tx: Tx, values: typeof courses.$inferInsert): Promise<string> {
  const [c] = await tx.insert(courses).values(values).returning({ id: courses.id });
  return c!.id;
}

export async function updateCourse(tx: Tx, id: string, values: Partial<typeof courses.$inferInsert>) {
  await tx.update(courses).set(values).where(eq(courses.id, id));
}

export async function findCourse(db: Q, id: string, opts: { forUpdate?: boolean } = {}) {
  const q = db.select().from(courses).where(eq(courses.id, id));
  const [row] = opts.forUpdate ? await q.for('update') : await q;
  return row;
}

/**
 * Sets the denormalised count to the number of active student enrolments. Called in
 * the transaction that changed the roster, after the course row was locked, so
 * concurrent changes queue behind each other and each recount sees all earlier ones.
 */
export async function recountStudents(tx: Tx, courseId: string): Promise<number> {
  const [row] = await tx
    .update(courses)
    .set({
      enrollmentCount: sql`(select count(*) from ${enrollments} where ${enrollments.courseId} = ${courseId}
        and ${enrollments.status} = 'active' and ${enrollments.role} = 'student')::int`,
    })
    .where(eq(courses.id, courseId))
    .returning({ n: courses.enrollmentCount });
  return row!.n;
}

export async function enrollmentsOf(tx: Q, courseId: string, userIds: string[]) {
  if (!userIds.length) return [];
  return tx
    .select({ userId: enrollments.userId, role: enrollments.role, status: enrollments.status })
    .from(enrollments)
    .where(and(eq(enrollments.courseId, courseId), sql`${enrollments.userId} = any(${sql.param(userIds)}::uuid[])`));
}

/** Makes every given user actively enrolled with the given role: new rows, reactivations and role changes alike. */
export async function upsertEnrollments(tx: Tx, courseId: string, rows: { userId: string; role: EnrollmentRole }[]) {
  if (!rows.length) return;
  await tx.execute(sql`
    insert into ${enrollments} (course_id, user_id, role, status)
    select ${courseId}::uuid, u, r::enrollment_role, 'active'
    from unnest(${sql.param(rows.map((r) => r.userId))}::uuid[], ${sql.param(rows.map((r) => r.role))}::text[]) as t(u, r)
    on conflict (course_id, user_id) do update
      set role = excluded.role, status = 'active', enrolled_at = case when ${enrollments.status} = 'dropped'
        then now() else ${enrollments.enrolledAt} end, updated_at = now()`);
}

/** Drops an active enrolment; its role, or undefined if there was none. */
export async function dropEnrollment(tx: Tx, courseId: string, userId: string) {
  const [row] = await tx
    .update(enrollments)
    .set({ status: 'dropped' })
    .where(and(eq(enrollments.courseId, courseId), eq(enrollments.userId, userId), eq(enrollments.status, 'active')))
    .returning({ role: enrollments.role });
  return row?.role;
}

export interface RosterFilter {
  role?: EnrollmentRole | undefined;
  status: 'active' | 'dropped' | 'all';
  search?: string | undefined;
  userId?: string | undefined;
}

function rosterWhere(courseId: string, f: RosterFilter): SQL {
  const where: SQL[] = [eq(enrollments.courseId, courseId)];
  if (f.role) where.push(eq(enrollments.role, f.role));
  if (f.userId) where.push(eq(enrollments.userId, f.userId));
  if (f.status !== 'all') where.push(eq(enrollments.status, f.status));
  if (f.search) {
    // A plain substring: LIKE's own wildcards in the search are escaped.
    const pattern = `%${f.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(sql`(${users.email} like ${pattern} or lower(${users.name}) like ${pattern})`);
  }
  return and(...where)!;
}

export async function listRoster(
  db: Q,
  courseId: string,
  f: RosterFilter,
  page: { limit: number; offset: number },
): Promise<{ rows: EnrollmentDto[]; total: number }> {
  const where = rosterWhere(courseId, f);
  const [rows, [totalRow]] = await Promise.all([
    db
      .select({ e: enrollments, u: { name: users.name, email: users.email, role: users.role, status: users.status } })
      .from(enrollments)
      .innerJoin(users, eq(users.id, enrollments.userId))
      .where(where)
      .orderBy(asc(enrollments.role), asc(sql`lower(${users.name})`), asc(users.email))
      .limit(page.limit)
      .offset(page.offset),
    db.select({ n: count() }).from(enrollments).innerJoin(users, eq(users.id, enrollments.userId)).where(where),
  ]);
  return {
    rows: rows.map(({ e, u }) => ({
      userId: e.userId,
      name: u.name,
      email: u.email,
      role: e.role,
      status: e.status,
      accountRole: u.role,
      accountStatus: u.status,
      enrolledAt: e.enrolledAt.toISOString(),
    })),
    total: totalRow?.n ?? 0,
  };
}

export async function activeCounts(db: Q, courseId: string): Promise<Record<EnrollmentRole, number>> {
  const rows = await db
    .select({ role: enrollments.role, n: count() })
    .from(enrollments)
    .where(and(eq(enrollments.courseId, courseId), eq(enrollments.status, 'active')))
    .groupBy(enrollments.role);
  const counts = { student: 0, teacher: 0, proctor: 0 };
  for (const r of rows) counts[r.role] = r.n;
  return counts;
}

/** The course's co-teachers and proctors with an active enrolment, by role then name. */
export async function activeStaff(db: Q, courseId: string) {
  return db
    .select({ userId: users.id, name: users.name, email: users.email, role: enrollments.role })
    .from(enrollments)
    .innerJoin(users, eq(users.id, enrollments.userId))
    .where(
      and(
        eq(enrollments.courseId, courseId),
        eq(enrollments.status, 'active'),
        sql`${enrollments.role} in ('teacher', 'proctor')`,
      ),
    )
    .orderBy(asc(enrollments.role), asc(users.name));
}

export async function userById(db: Q, id: string) {
  const [u] = await db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(eq(users.id, id));
  return u;
}
