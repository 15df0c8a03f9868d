// Courses group exams and the people of a class: students (who take its exams and
// are registered for its Zoom sessions), co-teachers (who manage the course and its
// exams as its teacher does) and proctors (who watch its exams' halls). A course's
// allowed email domains limit which students can be invited.
import type {
  Course as CourseDto,
  CourseInput,
  CourseListQuery,
  EnrollmentAdd,
  EnrollmentAdded,
  EnrollmentImportResult,
  EnrollmentImportRow,
  EnrollmentList,
  EnrollmentListQuery,
  ExamProctor,
  ExamProctors,
} from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import { courses, type Course } from '../../db/schema/index.ts';
import { badRequest, conflict, notFound } from '../../http/errors.ts';
import { assertManages, assertRole, manages, watchableExam } from '../../policy/access.ts';
import { accessFacts, managedBy } from '../../policy/access.sql.ts';
import type { Actor, Caller } from '../../policy/actor.ts';
import * as audit from '../audit/audit.service.ts';
import { auditContextOf } from '../audit/audit.context.ts';
import { findExam } from '../exams/exams.repository.ts';
import { applyEnrolments, checkRosterLines, readRosterCsv } from './courses.enrolment.ts';
import * as repo from './courses.repository.ts';
import { emailAllowed } from './courses.rules.ts';
import { domainReason } from '../participants/participants.import.ts';

export { emailAllowed };

const COURSE_EDITORS = ['teacher', 'admin'] as const;

/** The course if the actor may manage it (its teacher, a co-teacher or an admin); 404 otherwise. */
export async function findCourseFor(
  db: Db | Tx,
  actor: Actor,
  courseId: string,
  opts: { forUpdate?: boolean } = {},
): Promise<Course> {
  assertRole(actor, COURSE_EDITORS);
  const course = await repo.findCourse(db, courseId, opts);
  if (!course) throw notFound('Course');
  await assertManages(actor, { ownerId: course.teacherId, courseId: course.id }, accessFacts(db), 'Course');
  return course;
}

function assertActive(course: Course, what: string) {
  if (!course.isActive) throw conflict(`This course is archived: ${what}. Unarchive it first.`);
}

export function createCourseService(deps: { db: Db; secret: string }) {
  const { db, secret } = deps;

  async function rosterRow(tx: Tx, courseId: string, userId: string) {
    const { rows } = await repo.listRoster(tx, courseId, { status: 'all', userId }, { limit: 1, offset: 0 });
    return rows[0]!;
  }

  return {
    async list(actor: Actor, q: CourseListQuery = { status: 'active' }) {
      assertRole(actor, COURSE_EDITORS);
      return repo.listCourses(db, managedBy(actor, courses.teacherId, courses.id), q.status);
    },

    async get(actor: Actor, id: string) {
      await findCourseFor(db, actor, id);
      return repo.courseById(db, id);
    },

    async create(caller: Caller, input: CourseInput) {
      assertRole(caller.actor, COURSE_EDITORS);
      const id = await db.transaction(async (tx) => {
        const courseId = await repo.insertCourse(tx, { ...input, teacherId: caller.actor.userId });
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'course.created',
          targetType: 'course',
          targetId: courseId,
        });
        return courseId;
      });
      return repo.courseById(db, id);
    },

    async update(caller: Caller, id: string, input: CourseInput) {
      return db.transaction(async (tx) => {
        const course = await findCourseFor(tx, caller.actor, id, { forUpdate: true });
        assertActive(course, 'its details cannot be changed');
        await repo.updateCourse(tx, id, input);
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'course.updated',
          targetType: 'course',
          targetId: id,
          details: { fields: Object.keys(input) },
        });
        return repo.courseById(tx, id);
      });
    },

    /**
     * Archiving hides a course from the default lists and freezes its details and
     * roster; its exams, their halls and results keep working. Undone by unarchiving.
     */
    async setActive(caller: Caller, id: string, active: boolean): Promise<CourseDto> {
      return db.transaction(async (tx) => {
        const course = await findCourseFor(tx, caller.actor, id, { forUpdate: true });
        if (course.isActive !== active) {
          await repo.updateCourse(tx, id, { isActive: active });
          await audit.record(tx, auditContextOf(secret, caller), {
            action: active ? 'course.unarchived' : 'course.archived',
            targetType: 'course',
            targetId: id,
          });
        }
        return repo.courseById(tx, id);
      });
    },

    async roster(actor: Actor, id: string, q: EnrollmentListQuery): Promise<EnrollmentList> {
      await findCourseFor(db, actor, id);
      const [{ rows, total }, counts] = await Promise.all([
        repo.listRoster(
          db,
          id,
          { role: q.role, status: q.status, search: q.search },
          { limit: q.pageSize, offset: (q.page - 1) * q.pageSize },
        ),
        repo.activeCounts(db, id),
      ]);
      return { enrollments: rows, total, page: q.page, pageSize: q.pageSize, counts };
    },

    /** Enrols one person (see courses.enrolment.ts for who may be enrolled as what). */
    async enrol(caller: Caller, id: string, input: EnrollmentAdd): Promise<EnrollmentAdded> {
      return db.transaction(async (tx) => {
        const course = await findCourseFor(tx, caller.actor, id, { forUpdate: true });
        assertActive(course, 'its roster cannot be changed');
        if (input.role === 'student' && !emailAllowed(course.allowedEmailDomains, input.email)) {
          const message = domainReason(input.email, course.allowedEmailDomains);
          throw badRequest(message, [{ path: 'body.email', message }]);
        }
        const name = input.name ?? input.email.slice(0, input.email.lastIndexOf('@'));
        const [applied] = await applyEnrolments(tx, course, [{ row: 0, email: input.email, name, role: input.role }]);
        if (!applied) throw new Error('applyEnrolments answered no row');
        if (!applied.ok) {
          if (applied.outcome === 'skipped') throw conflict(applied.reason);
          throw badRequest(applied.reason, [{ path: 'body.email', message: applied.reason }]);
        }
        const count = await repo.recountStudents(tx, id);
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'course.enrolled',
          targetType: 'course',
          targetId: id,
          details: {
            userId: applied.userId,
            role: input.role,
            outcome: applied.outcome,
            newAccount: applied.newAccount,
            enrollmentCount: count,
          },
        });
        return {
          enrollment: await rosterRow(tx, id, applied.userId),
          outcome: applied.outcome,
          newAccount: applied.newAccount,
        };
      });
    },

    /** Every row of a CSV roster gets an outcome; bad rows never block good ones. One transaction. */
    async importCsv(caller: Caller, id: string, csvText: string): Promise<EnrollmentImportResult> {
      const lines = readRosterCsv(csvText); // file-level problems answer 400 before any query
      return db.transaction(async (tx) => {
        const course = await findCourseFor(tx, caller.actor, id, { forUpdate: true });
        assertActive(course, 'its roster cannot be changed');
        const verdicts = checkRosterLines(lines, course.allowedEmailDomains);
        const rows: EnrollmentImportRow[] = verdicts.map((v) =>
          v.ok
            ? { row: v.want.row, email: v.want.email, role: v.want.role, outcome: 'added' }
            : { row: v.row, email: v.email, role: v.role, outcome: 'rejected', reason: v.reason },
        );
        const good = verdicts.flatMap((v, i) => (v.ok ? [{ want: v.want, i }] : []));
        const applied = await applyEnrolments(
          tx,
          course,
          good.map((g) => g.want),
        );
        good.forEach(({ i }, k) => {
          const a = applied[k]!;
          const base = rows[i]!;
          rows[i] = a.ok
            ? { ...base, outcome: a.outcome, newAccount: a.newAccount, ...(a.note ? { reason: a.note } : {}) }
            : { ...base, outcome: a.outcome, reason: a.reason };
        });
        const summary = { added: 0, reactivated: 0, changed: 0, skipped: 0, rejected: 0 };
        for (const r of rows) summary[r.outcome]++;
        const enrollmentCount = await repo.recountStudents(tx, id);
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'course.roster_imported',
          targetType: 'course',
          targetId: id,
          details: {
            rows: rows.length,
            ...summary,
            newAccounts: rows.filter((r) => r.newAccount).length,
            enrollmentCount,
          },
        });
        return { summary, rows, enrollmentCount };
      });
    },

    /** Drops an active enrolment; the row stays (status 'dropped') so history keeps its roster. */
    async drop(caller: Caller, id: string, userId: string): Promise<void> {
      await db.transaction(async (tx) => {
        const course = await findCourseFor(tx, caller.actor, id, { forUpdate: true });
        assertActive(course, 'its roster cannot be changed');
        const role = await repo.dropEnrollment(tx, id, userId);
        if (!role) throw notFound('Enrolment');
        const count = await repo.recountStudents(tx, id);
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'course.enrollment_dropped',
          targetType: 'course',
          targetId: id,
          details: { userId, role, enrollmentCount: count },
        });
      });
    },

    /**
     * Who may proctor an exam, for anyone who may watch its hall: the exam's author,
     * the course's teachers and its enrolled proctors. Emails only for those who manage it.
     */
    async proctorsOf(actor: Actor | null, examId: string): Promise<ExamProctors> {
      const facts = accessFacts(db);
      const exam = await watchableExam(actor, () => findExam(db, examId), facts);
      const canManage = await manages(actor!, { ownerId: exam.createdBy, courseId: exam.courseId }, facts);
      const people: (ExamProctor & { email: string })[] = [];
      const owner = await repo.userById(db, exam.createdBy);
      if (owner) people.push({ userId: owner.id, name: owner.name, email: owner.email, role: 'owner' });
      const course = exam.courseId ? await repo.findCourse(db, exam.courseId) : undefined;
      if (course) {
        const courseTeacher = await repo.userById(db, course.teacherId);
        if (courseTeacher) people.push({ ...courseTeacher, userId: courseTeacher.id, role: 'teacher' });
        for (const s of await repo.activeStaff(db, course.id))
          people.push({ ...s, role: s.role === 'proctor' ? 'proctor' : 'teacher' });
      }
      const seen = new Set<string>();
      const proctors = people
        .filter((p) => !seen.has(p.userId) && seen.add(p.userId))
        .map(({ email, ...p }) => ({ userId: p.userId, name: p.name, role: p.role, ...(canManage ? { email } : {}) }));
      return {
        examId,
        courseId: course?.id ?? null,
        courseName: course?.name ?? null,
        canManage,
        proctors,
      };
    },
  };
}
export type CourseService = ReturnType<typeof createCourseService>;
