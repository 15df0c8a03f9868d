// Courses: enrolment (one by one and by CSV), the exact student count, archiving, and
// what an enrolment grants: co-teachers manage the course's exams, proctors watch
// their halls. Every new route refuses the roles it is not for.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq, sql } from 'drizzle-orm';
import {
  attempts,
  auditLogs,
  certificates,
  courses,
  enrollments,
  users,
  zoomMeetings,
} from '../../src/db/schema/index.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { Client } from '../support/http-client.ts';
import { publishedExam, signedIn, startedAttempt } from '../support/fixtures.ts';
import { call, openSocket, type TestSocket } from '../support/sockets.ts';

let t: TestSystem;
let owner: Awaited<ReturnType<typeof signedIn>>;
const sockets: TestSocket[] = [];
beforeAll(async () => {
  t = await startTestSystem();
  owner = await signedIn(t, 'teacher');
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
});

let seq = 0;
const uniq = () => `${++seq}${Math.random().toString(36).slice(2, 7)}`;
const fresh = (domain = 'school.example') => `p${uniq()}@${domain}`;

async function newCourse(by = owner, extra: Record<string, unknown> = {}) {
  const res = await by.post('/api/courses', { name: `Course ${uniq()}`, ...extra });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

const enrol = (c: Client, courseId: string, email: string, role: string, name?: string) =>
  c.post(`/api/courses/${courseId}/enrollments`, { email, role, ...(name ? { name } : {}) });
const importCsv = (c: Client, courseId: string, csv: string) =>
  c.post(`/api/courses/${courseId}/enrollments/import`, csv, { 'content-type': 'text/csv' });

async function studentCount(courseId: string) {
  const [{ n }] = (await t.system.db
    .select({ n: count() })
    .from(enrollments)
    .where(
      and(eq(enrollments.courseId, courseId), eq(enrollments.status, 'active'), eq(enrollments.role, 'student')),
    )) as [{ n: number }];
  const [c] = await t.system.db.select().from(courses).where(eq(courses.id, courseId));
  return { counted: n, stored: c!.enrollmentCount };
}

const userByEmail = async (email: string) => (await t.system.db.select().from(users).where(eq(users.email, email)))[0];

describe('enrolling one person', () => {
  it('creates unknown students as invited student accounts, audited without the email, and counts them', async () => {
    const courseId = await newCourse();
    const email = fresh();
    const res = await enrol(owner, courseId, email, 'student', 'Ana Lima');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      outcome: 'added',
      newAccount: true,
      enrollment: { email, name: 'Ana Lima', role: 'student', status: 'active', accountStatus: 'invited' },
    });
    const u = await userByEmail(email);
    expect(u).toMatchObject({ role: 'student', status: 'invited', passwordHash: null });
    expect(await studentCount(courseId)).toEqual({ counted: 1, stored: 1 });
    expect((await owner.get(`/api/courses/${courseId}`)).body.enrollmentCount).toBe(1);

    const [row] = await t.system.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, 'course.enrolled'), eq(auditLogs.targetId, courseId)));
    expect(row!.details).toMatchObject({ userId: u!.id, role: 'student', outcome: 'added', newAccount: true });
    expect(JSON.stringify(row!.details)).not.toContain(email);
  });

  it('never creates staff accounts: unknown co-teachers and proctors are refused with what to do', async () => {
    const courseId = await newCourse();
    const teacherEmail = fresh();
    const res = await enrol(owner, courseId, teacherEmail, 'teacher');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('No teacher account with this email: ask an administrator to invite them.');
    expect(res.body.error.fields).toEqual([{ path: 'body.email', message: res.body.error.message }]);
    const proctorEmail = fresh();
    const p = await enrol(owner, courseId, proctorEmail, 'proctor');
    expect(p.status).toBe(400);
    expect(p.body.error.message).toMatch(/^No proctor account with this email: ask an administrator/);
    expect(await userByEmail(teacherEmail)).toBeUndefined();
    expect(await userByEmail(proctorEmail)).toBeUndefined();
    const [{ n }] = (await t.system.db
      .select({ n: count() })
      .from(enrollments)
      .where(eq(enrollments.courseId, courseId))) as [{ n: number }];
    expect(n).toBe(0);
  });

  it("refuses an account whose role does not fit the enrolment's", async () => {
    const courseId = await newCourse();
    const student = await t.createUser('student');
    const proctor = await t.createUser('proctor');
    const teacher = await t.createUser('teacher');
    const asProctor = await enrol(owner, courseId, student.email, 'proctor');
    expect(asProctor.status).toBe(400);
    expect(asProctor.body.error.message).toMatch(/student account; a proctor needs a proctor or teacher or admin/);
    expect((await enrol(owner, courseId, student.email, 'teacher')).status).toBe(400);
    const proctorAsTeacher = await enrol(owner, courseId, proctor.email, 'teacher');
    expect(proctorAsTeacher.status).toBe(400);
    expect(proctorAsTeacher.body.error.message).toMatch(/proctor account; a co-teacher needs a teacher or admin/);
    expect((await enrol(owner, courseId, teacher.email, 'student')).status).toBe(400);
    const suspended = await t.createUser('proctor', { status: 'suspended' });
    expect((await enrol(owner, courseId, suspended.email, 'proctor')).body.error.message).toBe(
      'This account is suspended.',
    );
    // Fitting ones go through: a proctor account as proctor, a teacher account as co-teacher or proctor.
    expect((await enrol(owner, courseId, proctor.email, 'proctor')).body.outcome).toBe('added');
    expect((await enrol(owner, courseId, teacher.email, 'teacher')).body.outcome).toBe('added');
    expect(await studentCount(courseId)).toEqual({ counted: 0, stored: 0 });
  });

  it("applies the course's email domains to students only, and refuses duplicates and bad input", async () => {
    const courseId = await newCourse(owner, { allowedEmailDomains: ['school.example'] });
    const outside = fresh('elsewhere.example');
    const refused = await enrol(owner, courseId, outside, 'student');
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/domain elsewhere\.example is not allowed for this course/);
    expect(await userByEmail(outside)).toBeUndefined();
    // Staff come from anywhere: the domains are about who may be a student.
    const proctor = await t.createUser('proctor'); // @test.example
    expect((await enrol(owner, courseId, proctor.email, 'proctor')).status).toBe(200);

    const email = fresh();
    expect((await enrol(owner, courseId, email, 'student')).status).toBe(200);
    const again = await enrol(owner, courseId, email.toUpperCase(), 'student');
    expect(again.status).toBe(409);
    expect(again.body.error.message).toBe('Already enrolled as student.');
    expect((await owner.post(`/api/courses/${courseId}/enrollments`, { email: 'nope', role: 'student' })).status).toBe(
      400,
    );
    const badRole = await owner.post(`/api/courses/${courseId}/enrollments`, { email: fresh(), role: 'admin' });
    expect(badRole.status).toBe(400);
    expect(badRole.body.error.fields[0].path).toBe('body.role');
    expect(await studentCount(courseId)).toEqual({ counted: 1, stored: 1 });
  });

  it("cannot enrol the course's own teacher", async () => {
    const courseId = await newCourse();
    const res = await enrol(owner, courseId, owner.user.email, 'teacher');
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/owner/);
  });
});

describe('dropping and enrolling again', () => {
  it('drops (the row stays), refuses a second drop, and reactivates on re-enrolment', async () => {
    const courseId = await newCourse();
    const email = fresh();
    const added = await enrol(owner, courseId, email, 'student');
    const userId = added.body.enrollment.userId as string;
    const [before] = await t.system.db.select().from(enrollments).where(eq(enrollments.userId, userId));

    expect((await owner.delete(`/api/courses/${courseId}/enrollments/${userId}`)).status).toBe(204);
    expect(await studentCount(courseId)).toEqual({ counted: 0, stored: 0 });
    const [dropped] = await t.system.db.select().from(enrollments).where(eq(enrollments.userId, userId));
    expect(dropped).toMatchObject({ id: before!.id, status: 'dropped' });
    expect((await owner.delete(`/api/courses/${courseId}/enrollments/${userId}`)).status).toBe(404);

    const roster = await owner.get(`/api/courses/${courseId}/enrollments?status=dropped`);
    expect(roster.body.enrollments.map((e: { userId: string }) => e.userId)).toEqual([userId]);
    expect((await owner.get(`/api/courses/${courseId}/enrollments`)).body.total).toBe(0);

    const back = await enrol(owner, courseId, email, 'student');
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ outcome: 'reactivated', newAccount: false, enrollment: { status: 'active' } });
    const [after] = await t.system.db.select().from(enrollments).where(eq(enrollments.userId, userId));
    expect(after!.id).toBe(before!.id);
    expect(await studentCount(courseId)).toEqual({ counted: 1, stored: 1 });
    const audited = await t.system.db
      .select({ action: auditLogs.action })
      .from(auditLogs)
      .where(eq(auditLogs.targetId, courseId));
    expect(audited.map((a) => a.action)).toEqual(
      expect.arrayContaining(['course.enrolled', 'course.enrollment_dropped']),
    );
  });

  it("changes an active member's role", async () => {
    const courseId = await newCourse();
    const teacher = await t.createUser('teacher');
    await enrol(owner, courseId, teacher.email, 'proctor');
    const changed = await enrol(owner, courseId, teacher.email, 'teacher');
    expect(changed.body).toMatchObject({ outcome: 'changed', enrollment: { role: 'teacher' } });
  });
});

describe('importing a roster from CSV', () => {
  it('gives every row an outcome: students created, staff must exist, domains, repeats, odd names', async () => {
    const courseId = await newCourse(owner, { allowedEmailDomains: ['school.example', 'test.example'] });
    const proctor = await t.createUser('proctor');
    const coTeacher = await t.createUser('teacher');
    const studentAccount = await t.createUser('student');
    const s1 = fresh();
    const s2 = fresh();
    const ghost = fresh();
    const formula = '=HYPERLINK("http://evil.example","click")';
    const csv = [
      'Email,Name,Role',
      `${s1},Ana Lima,student`,
      `${s2},"${formula.replaceAll('"', '""')}",`,
      `${proctor.email},Priya,Proctor`,
      `${coTeacher.email},,co-teacher`,
      `${ghost},Ghost,teacher`,
      `${studentAccount.email},,proctor`,
      `${fresh('elsewhere.example')},,student`,
      `${s1},Again,student`,
      `not-an-email,,student`,
      `${fresh()},,janitor`,
      ',,',
    ].join('\n');
    const res = await importCsv(owner, courseId, csv);
    expect(res.status).toBe(200);
    const byRow = Object.fromEntries(res.body.rows.map((r: { row: number }) => [r.row, r]));
    expect(byRow[2]).toMatchObject({ outcome: 'added', role: 'student', newAccount: true });
    expect(byRow[3]).toMatchObject({ outcome: 'added', role: 'student', newAccount: true });
    expect(byRow[4]).toMatchObject({ outcome: 'added', role: 'proctor', newAccount: false });
    expect(byRow[5]).toMatchObject({ outcome: 'added', role: 'teacher' });
    expect(byRow[6]).toMatchObject({
      outcome: 'rejected',
      reason: 'No teacher account with this email: ask an administrator to invite them.',
    });
    expect(byRow[7]).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/student account/) });
    expect(byRow[8]).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/domain elsewhere/) });
    expect(byRow[9]).toMatchObject({ outcome: 'rejected', reason: 'Duplicate of row 2 in this file.' });
    expect(byRow[10]).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/not a valid email/) });
    expect(byRow[11]).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/"janitor" is not a role/) });
    expect(res.body.rows).toHaveLength(10); // the blank row is not a row
    expect(res.body.summary).toEqual({ added: 4, reactivated: 0, changed: 0, skipped: 0, rejected: 6 });
    expect(res.body.enrollmentCount).toBe(2);
    expect(await studentCount(courseId)).toEqual({ counted: 2, stored: 2 });
    // The formula-looking name is kept as text, never evaluated or mangled.
    expect((await userByEmail(s2))!.name).toBe(formula);
    expect(await userByEmail(ghost)).toBeUndefined();

    // Importing the same file again changes nothing.
    const again = await importCsv(owner, courseId, csv);
    expect(again.body.summary).toMatchObject({ added: 0, skipped: 4, rejected: 6 });
    const [audit] = await t.system.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, 'course.roster_imported'), eq(auditLogs.targetId, courseId)))
      .limit(1);
    expect(audit!.details).toMatchObject({ rows: 10, added: 4, rejected: 6, newAccounts: 2, enrollmentCount: 2 });
    expect(JSON.stringify(audit!.details)).not.toMatch(/@/);
  });

  it('refuses unreadable files with 400 and changes nothing', async () => {
    const courseId = await newCourse();
    expect((await importCsv(owner, courseId, '')).status).toBe(400);
    const noEmail = await importCsv(owner, courseId, 'name,role\nAna,student');
    expect(noEmail.status).toBe(400);
    expect(noEmail.body.error.message).toMatch(/"email" column/);
    expect((await importCsv(owner, courseId, 'email\n"unterminated')).status).toBe(400);
    const json = await owner.post(`/api/courses/${courseId}/enrollments/import`, { email: 'x@y.example' });
    expect(json.status).toBe(400);
    expect(await studentCount(courseId)).toEqual({ counted: 0, stored: 0 });
  });
});

describe('the student count', () => {
  it('stays exact under 50 parallel enrols and drops', async () => {
    const courseId = await newCourse();
    const existing = Array.from({ length: 25 }, () => fresh());
    const imported = await importCsv(owner, courseId, ['email', ...existing].join('\n'));
    expect(imported.body.summary.added).toBe(25);
    const ids = (await owner.get(`/api/courses/${courseId}/enrollments?pageSize=200`)).body.enrollments.map(
      (e: { userId: string }) => e.userId,
    ) as string[];
    const newcomers = Array.from({ length: 25 }, () => fresh());
    const replies = await Promise.all([
      ...newcomers.map((email) => enrol(owner, courseId, email, 'student')),
      ...ids.map((id) => owner.delete(`/api/courses/${courseId}/enrollments/${id}`)),
    ]);
    expect(replies.map((r) => r.status).sort()).toEqual([...Array(25).fill(200), ...Array(25).fill(204)].sort());
    expect(await studentCount(courseId)).toEqual({ counted: 25, stored: 25 });
    // And once more the other way round, re-enrolling the dropped while dropping the new.
    const newIds = (await owner.get(`/api/courses/${courseId}/enrollments?pageSize=200`)).body.enrollments.map(
      (e: { userId: string }) => e.userId,
    ) as string[];
    await Promise.all([
      ...existing.slice(0, 20).map((email) => enrol(owner, courseId, email, 'student')),
      ...newIds.slice(0, 10).map((id) => owner.delete(`/api/courses/${courseId}/enrollments/${id}`)),
    ]);
    expect(await studentCount(courseId)).toEqual({ counted: 35, stored: 35 });
  });
});

describe('the roster list', () => {
  it('filters by role, searches, pages and counts per role', async () => {
    const courseId = await newCourse();
    const tag = uniq();
    const csv = ['email,name', ...Array.from({ length: 7 }, (_, i) => `r${i}-${tag}@school.example,Pupil ${i}`)];
    await importCsv(owner, courseId, csv.join('\n'));
    const proctor = await t.createUser('proctor');
    await enrol(owner, courseId, proctor.email, 'proctor');
    const page2 = await owner.get(`/api/courses/${courseId}/enrollments?role=student&pageSize=3&page=2`);
    expect(page2.body).toMatchObject({
      total: 7,
      page: 2,
      pageSize: 3,
      counts: { student: 7, proctor: 1, teacher: 0 },
    });
    expect(page2.body.enrollments.map((e: { name: string }) => e.name)).toEqual(['Pupil 3', 'Pupil 4', 'Pupil 5']);
    const found = await owner.get(`/api/courses/${courseId}/enrollments?search=${encodeURIComponent('PUPIL 6')}`);
    expect(found.body.enrollments.map((e: { name: string }) => e.name)).toEqual(['Pupil 6']);
    // LIKE wildcards are plain characters.
    expect((await owner.get(`/api/courses/${courseId}/enrollments?search=%25`)).body.total).toBe(0);
    expect((await owner.get(`/api/courses/${courseId}/enrollments?role=proctor`)).body.enrollments).toHaveLength(1);
    expect((await owner.get(`/api/courses/${courseId}/enrollments?page=0`)).status).toBe(400);
  });
});

describe('archiving', () => {
  it('hides the course from the default list and freezes it, while its exams keep working', async () => {
    const courseId = await newCourse();
    const exam = await publishedExam(t, owner, { courseId });
    const archived = await owner.post(`/api/courses/${courseId}/archive`);
    expect(archived.body).toMatchObject({ id: courseId, isActive: false });
    const ids = async (q = '') =>
      (await owner.get(`/api/courses${q}`)).body.courses.map((c: { id: string }) => c.id) as string[];
    expect(await ids()).not.toContain(courseId);
    expect(await ids('?status=archived')).toContain(courseId);
    expect(await ids('?status=all')).toContain(courseId);
    const frozen = await enrol(owner, courseId, fresh(), 'student');
    expect(frozen.status).toBe(409);
    expect(frozen.body.error.message).toMatch(/archived.*Unarchive it first/);
    expect((await owner.request('PUT', `/api/courses/${courseId}`, { name: 'Renamed' })).status).toBe(409);
    expect((await owner.get(`/api/exams/${exam.id}`)).status).toBe(200);
    expect((await owner.get(`/api/exams/${exam.id}/results`)).status).toBe(200);
    expect((await owner.post(`/api/courses/${courseId}/unarchive`)).body.isActive).toBe(true);
    expect(await ids()).toContain(courseId);
    const actions = await t.system.db
      .select({ action: auditLogs.action })
      .from(auditLogs)
      .where(eq(auditLogs.targetId, courseId));
    expect(actions.map((a) => a.action)).toEqual(expect.arrayContaining(['course.archived', 'course.unarchived']));
  });

  it('edits a course', async () => {
    const courseId = await newCourse();
    const res = await owner.request('PUT', `/api/courses/${courseId}`, {
      name: 'Chemistry 2',
      subject: 'Chemistry',
      allowedEmailDomains: ['School.Example'],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'Chemistry 2', allowedEmailDomains: ['school.example'] });
  });
});

describe('what an enrolment grants', () => {
  async function watch(c: Client, examId: string) {
    const s = await openSocket(t.url, c);
    sockets.push(s);
    return call(s, 'hall:watch', { examId });
  }

  it("co-teachers manage the course's exams as its teacher does; a foreign teacher gets 404", async () => {
    const courseId = await newCourse();
    const exam = await publishedExam(t, owner, { courseId });
    const co = await signedIn(t, 'teacher');
    const foreign = await signedIn(t, 'teacher');
    const paths = [
      `/api/courses/${courseId}`,
      `/api/courses/${courseId}/enrollments`,
      `/api/exams/${exam.id}`,
      `/api/exams/${exam.id}/results`,
      `/api/exams/${exam.id}/participants`,
      `/api/exams/${exam.id}/questions`,
      `/api/exams/${exam.id}/proctors`,
    ];
    for (const p of paths) expect([p, (await co.get(p)).status]).toEqual([p, 404]);
    await expect(watch(co, exam.id)).rejects.toThrow(/not_found/);

    expect((await enrol(owner, courseId, co.user.email, 'teacher')).status).toBe(200);
    for (const p of paths) expect([p, (await co.get(p)).status]).toEqual([p, 200]);
    for (const p of paths) expect([p, (await foreign.get(p)).status]).toEqual([p, 404]);
    await expect(watch(foreign, exam.id)).rejects.toThrow(/not_found/);
    const renamed = await co.request('PATCH', `/api/exams/${exam.id}`, { title: 'Renamed by the co-teacher' });
    expect(renamed.status).toBe(200);
    expect((await co.get('/api/exams?limit=100')).body.exams.map((e: { id: string }) => e.id)).toContain(exam.id);
    expect((await co.get('/api/courses')).body.courses.map((c: { id: string }) => c.id)).toContain(courseId);
    expect((await co.get('/api/hall/exams')).body.exams.map((e: { id: string }) => e.id)).toContain(exam.id);
    expect((await watch(co, exam.id)).rows).toEqual([]);
    // A co-teacher manages the roster too, and the course's owner manages the co-teacher's exams.
    expect((await enrol(co, courseId, fresh(), 'student')).status).toBe(200);
    const coExam = await publishedExam(t, co, { courseId });
    expect((await owner.get(`/api/exams/${coExam.id}`)).status).toBe(200);

    // Dropped: every right goes with the enrolment.
    expect((await owner.delete(`/api/courses/${courseId}/enrollments/${co.user.id}`)).status).toBe(204);
    for (const p of paths) expect([p, (await co.get(p)).status]).toEqual([p, 404]);
    expect((await co.get('/api/exams?limit=100')).body.exams.map((e: { id: string }) => e.id)).not.toContain(exam.id);
  });

  it("co-teachers see the course's Zoom sessions, their attendance and the exam's certificates", async () => {
    const courseId = await newCourse();
    const exam = await publishedExam(t, owner, { courseId });
    const co = await signedIn(t, 'teacher');
    const meeting = (id: number, link: { courseId?: string; examId?: string }) => ({
      zoomMeetingId: String(20_000_000_000 + id + Math.floor(Math.random() * 1_000_000_000)),
      topic: 'Lab session',
      registrationRequired: true,
      hostUserId: owner.user.id,
      ...link,
    });
    const [courseMeeting, examMeeting] = await t.system.db
      .insert(zoomMeetings)
      .values([meeting(1, { courseId }), meeting(2, { examId: exam.id })])
      .returning({ id: zoomMeetings.id });
    const { attemptId } = await startedAttempt(t, owner, exam.id);
    const [a] = await t.system.db.select().from(attempts).where(eq(attempts.id, attemptId));
    const [cert] = await t.system.db
      .insert(certificates)
      .values({
        userId: a!.userId,
        examId: exam.id,
        attemptId,
        publicId: `copublic${uniq().padEnd(16, '0')}`,
        metadata: {},
        metadataHash: `0x${'b'.repeat(64)}`,
      })
      .returning({ id: certificates.id });
    const paths = [
      `/api/zoom/meetings?courseId=${courseId}`,
      `/api/zoom/meetings/${courseMeeting!.id}/attendance`,
      `/api/zoom/meetings/${examMeeting!.id}/attendance`,
      `/api/certificates/${cert!.id}`,
    ];
    for (const p of paths) expect([p, (await co.get(p)).status]).toEqual([p, 404]);
    await enrol(owner, courseId, co.user.email, 'teacher');
    for (const p of paths) expect([p, (await co.get(p)).status]).toEqual([p, 200]);
  });

  it('enrolled proctors watch the hall and see who may proctor, without emails', async () => {
    const courseId = await newCourse();
    const exam = await publishedExam(t, owner, { courseId });
    const proctor = await signedIn(t, 'proctor');
    const co = await t.createUser('teacher');
    await expect(watch(proctor, exam.id)).rejects.toThrow(/not_found/);
    expect((await proctor.get(`/api/exams/${exam.id}/proctors`)).status).toBe(404);
    await enrol(owner, courseId, proctor.user.email, 'proctor');
    await enrol(owner, courseId, co.email, 'teacher');

    expect((await proctor.get('/api/hall/exams')).body.exams.map((e: { id: string }) => e.id)).toEqual([exam.id]);
    expect((await watch(proctor, exam.id)).rows).toEqual([]);
    const seen = await proctor.get(`/api/exams/${exam.id}/proctors`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ examId: exam.id, courseId, canManage: false });
    expect(seen.body.proctors).toEqual([
      { userId: owner.user.id, name: expect.any(String), role: 'owner' },
      { userId: co.id, name: expect.any(String), role: 'teacher' },
      { userId: proctor.user.id, name: expect.any(String), role: 'proctor' },
    ]);
    const managed = await owner.get(`/api/exams/${exam.id}/proctors`);
    expect(managed.body.canManage).toBe(true);
    expect(managed.body.proctors.map((p: { email: string }) => p.email)).toEqual([
      owner.user.email,
      co.email,
      proctor.user.email,
    ]);
    // Proctors do not manage the roster.
    expect((await proctor.get(`/api/courses/${courseId}/enrollments`)).status).toBe(403);
  });
});

describe('who may call the new routes', () => {
  it('refuses students, proctors, foreign teachers and anonymous callers; admins may', async () => {
    const courseId = await newCourse();
    const exam = await publishedExam(t, owner, { courseId });
    const member = await enrol(owner, courseId, fresh(), 'student');
    const memberId = member.body.enrollment.userId as string;
    const student = await signedIn(t, 'student');
    const proctor = await signedIn(t, 'proctor');
    const foreign = await signedIn(t, 'teacher');
    const anonymous = new Client(t.url);
    const admin = await signedIn(t, 'admin');
    const calls: [string, (c: Client) => Promise<{ status: number }>][] = [
      ['get course', (c) => c.get(`/api/courses/${courseId}`)],
      ['put course', (c) => c.request('PUT', `/api/courses/${courseId}`, { name: 'Taken over' })],
      ['archive', (c) => c.post(`/api/courses/${courseId}/archive`)],
      ['unarchive', (c) => c.post(`/api/courses/${courseId}/unarchive`)],
      ['roster', (c) => c.get(`/api/courses/${courseId}/enrollments`)],
      ['enrol', (c) => enrol(c, courseId, fresh(), 'student')],
      ['import', (c) => importCsv(c, courseId, `email\n${fresh()}`)],
      ['drop', (c) => c.delete(`/api/courses/${courseId}/enrollments/${memberId}`)],
    ];
    for (const [name, f] of calls) {
      expect([name, 'student', (await f(student)).status]).toEqual([name, 'student', 403]);
      expect([name, 'proctor', (await f(proctor)).status]).toEqual([name, 'proctor', 403]);
      expect([name, 'foreign', (await f(foreign)).status]).toEqual([name, 'foreign', 404]);
      expect([name, 'anonymous', (await f(anonymous)).status]).toEqual([name, 'anonymous', 401]);
    }
    expect((await student.get(`/api/exams/${exam.id}/proctors`)).status).toBe(403);
    expect((await anonymous.get(`/api/exams/${exam.id}/proctors`)).status).toBe(401);
    expect((await proctor.get(`/api/exams/${exam.id}/proctors`)).status).toBe(404);
    expect((await foreign.get(`/api/exams/${exam.id}/proctors`)).status).toBe(404);
    // Nothing changed through the refusals.
    const [c] = await t.system.db.select().from(courses).where(eq(courses.id, courseId));
    expect(c).toMatchObject({ isActive: true, enrollmentCount: 1 });
    expect(c!.name).not.toBe('Taken over');
    // An admin manages any course.
    for (const [name, f] of calls) expect([name, (await f(admin)).status]).toEqual([name, expect.any(Number)]);
    expect((await admin.get(`/api/courses/${courseId}/enrollments`)).status).toBe(200);
    expect((await admin.get(`/api/exams/${exam.id}/proctors`)).body.canManage).toBe(true);
  });
});

describe('audit failures', () => {
  async function refusingAudit<T>(action: string, work: () => Promise<T>) {
    const db = t.system.db;
    await db.execute(
      sql.raw(`create function refuse_course_audit() returns trigger language plpgsql as $$
        begin
          if new.action = '${action}' then raise exception 'audit refused'; end if;
          return new;
        end $$;
        create trigger refuse_course_audit before insert on audit_logs for each row execute function refuse_course_audit();`),
    );
    try {
      return await work();
    } finally {
      await db.execute(sql.raw('drop trigger refuse_course_audit on audit_logs; drop function refuse_course_audit();'));
    }
  }

  it('roll back the enrolment, the import, the drop and the archive with their audit row', async () => {
    const courseId = await newCourse();
    const kept = await enrol(owner, courseId, fresh(), 'student');
    const keptId = kept.body.enrollment.userId as string;
    const email = fresh();
    const one = await refusingAudit('course.enrolled', () => enrol(owner, courseId, email, 'student'));
    expect(one.status).toBe(500);
    const imported = fresh();
    const many = await refusingAudit('course.roster_imported', () => importCsv(owner, courseId, `email\n${imported}`));
    expect(many.status).toBe(500);
    expect(await userByEmail(email)).toBeUndefined();
    expect(await userByEmail(imported)).toBeUndefined();
    const drop = await refusingAudit('course.enrollment_dropped', () =>
      owner.delete(`/api/courses/${courseId}/enrollments/${keptId}`),
    );
    expect(drop.status).toBe(500);
    const archive = await refusingAudit('course.archived', () => owner.post(`/api/courses/${courseId}/archive`));
    expect(archive.status).toBe(500);
    expect(await studentCount(courseId)).toEqual({ counted: 1, stored: 1 });
    const [c] = await t.system.db.select().from(courses).where(eq(courses.id, courseId));
    expect(c!.isActive).toBe(true);
  });
});
