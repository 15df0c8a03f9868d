// The demo seeds act as the demo teacher would: through the same services, with
// input parsed by the same protocol schemas as the HTTP routes use, so demo data
// obeys every rule real data does (bounds, ownership, audit log).
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import { attemptNoteSaveSchema, type EnrollmentRole } from '@exam-hall/protocol';
import type { Db } from '../db/client.ts';
import { attempts, enrollments, exams, users } from '../db/schema/index.ts';
import { toCsv } from '../lib/csv.ts';
import type { Caller } from '../policy/actor.ts';
import { createCourseService } from '../modules/courses/courses.service.ts';
import { createExamService } from '../modules/exams/exams.service.ts';
import { createParticipantService } from '../modules/participants/participants.service.ts';
import { createQuestionService } from '../modules/questions/questions.service.ts';
import type { Config } from '../config/config.ts';
import { createAccountLinks } from '../modules/accounts/accounts.links.ts';
import { silentPublisher } from '../modules/hall/hall.events.ts';
import { createAttemptNotes } from '../modules/hall/hall.notes.ts';
import { createUserService } from '../modules/users/users.service.ts';

export function demoServices(db: Db, secret: string) {
  const deps = { db, secret };
  return {
    courses: createCourseService(deps),
    exams: createExamService(deps),
    questions: createQuestionService(deps),
    participants: createParticipantService(deps),
  };
}

/** The admin console's service; links are never mailed from demo data (no sockets to close either). */
export function demoUserService(db: Db, config: Config) {
  const links = createAccountLinks({ db, config, mailer: null });
  return createUserService({ db, secret: config.secret, publish: silentPublisher, links });
}

/** The account as a service caller. There is no session: the audit log shows requestId "demo-seed". */
export async function demoCaller(db: Db, email: string): Promise<Caller> {
  const account = await db.query.users.findFirst({ where: eq(users.email, email) });
  if (!account) throw new Error(`demo account ${email} is missing`);
  return {
    actor: {
      userId: account.id,
      role: account.role,
      sessionId: 'demo-seed',
      sessionExpiresAt: new Date(),
      email: account.email,
      name: account.name,
    },
    ip: '127.0.0.1',
    requestId: 'demo-seed',
  };
}

/**
 * Enrols people in a course through the course service's CSV import, as a teacher
 * would. Who is already enrolled with that role is left out, and so are staff without
 * an account (teachers never create those), so loading the demo again changes nothing.
 */
export async function enrolDemoPeople(
  db: Db,
  secret: string,
  caller: Caller,
  courseId: string,
  people: { email: string; name?: string; role: EnrollmentRole }[],
) {
  const emails = people.map((p) => p.email);
  if (!emails.length) return null;
  const known = await db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.email, emails));
  const enrolled = await db
    .select({ userId: enrollments.userId, role: enrollments.role })
    .from(enrollments)
    .where(and(eq(enrollments.courseId, courseId), eq(enrollments.status, 'active')));
  const idOf = new Map(known.map((u) => [u.email, u.id]));
  const has = new Set(enrolled.map((e) => `${e.userId}:${e.role}`));
  const wanted = people.filter((p) => {
    const id = idOf.get(p.email);
    if (!id) return p.role === 'student';
    return !has.has(`${id}:${p.role}`);
  });
  if (!wanted.length) return null;
  const csv = toCsv(
    ['email', 'name', 'role'],
    wanted.map((p) => [p.email, p.name ?? '', p.role]),
  );
  return demoServices(db, secret).courses.importCsv(caller, courseId, csv);
}

/** What the demo proctor's private note says (the hall's student panel shows it; the student never sees it). */
export const DEMO_NOTE = 'Finished early and handed in their scrap paper. Calm throughout.';

/**
 * A private proctor note on the demo student's attempt at `examTitle`, written through the
 * hall's note service as the demo teacher (audited). Left alone when a note is there already.
 */
export async function seedDemoNote(db: Db, secret: string, teacherEmail: string, examTitle: string) {
  const caller = await demoCaller(db, teacherEmail);
  const [attempt] = await db
    .select({ id: attempts.id })
    .from(attempts)
    .innerJoin(exams, eq(exams.id, attempts.examId))
    .where(and(eq(exams.title, examTitle), eq(exams.createdBy, caller.actor.userId), isNull(exams.deletedAt)))
    .orderBy(asc(attempts.createdAt))
    .limit(1);
  if (!attempt) return null;
  const notes = createAttemptNotes({ db, secret });
  const { note } = await notes.get(caller, attempt.id);
  if (note) return note;
  return (await notes.save(caller, attemptNoteSaveSchema.parse({ attemptId: attempt.id, body: DEMO_NOTE }))).note;
}
