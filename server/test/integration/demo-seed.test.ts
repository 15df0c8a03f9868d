// The demo data `npm start` loads is made through the services, so it obeys the same
// rules as real data (the pages' schemas included), and loading it again changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { examSchema, participantListSchema } from '@exam-hall/protocol';
import {
  attempts,
  auditLogs,
  examParticipants,
  exams,
  meetingRegistrants,
  zoomMeetings,
} from '../../src/db/schema/index.ts';
import { DEMO_ACCOUNTS, seedDemo } from '../../src/demo/demo.seed.ts';
import { seedDemoAccommodations } from '../../src/demo/demo-accommodations.seed.ts';
import {
  DEMO_PROCTOR_EXAM_TITLE,
  demoCourse,
  ensureDemoExam,
  seedDemoCoTeacher,
  seedDemoExams,
} from '../../src/demo/demo-exams.seed.ts';
import { seedDemoPeople } from '../../src/demo/demo-people.seed.ts';
import { DEMO_BANK_EXAM_TITLE, seedDemoBanks } from '../../src/demo/demo-banks.seed.ts';
import { CERTIFICATE_DEMO_TITLE, seedDemoCertificate } from '../../src/demo/demo-certificate.seed.ts';
import { startHallSimulator } from '../../../scripts/demo/hall-simulator.ts';
import { startDemoClass, startDemoZoom, ZOOM_DEMO_TOPIC } from '../../../scripts/demo/zoom-demo.ts';
import { startWorkers } from '../../src/jobs/runtime.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { Client } from '../support/http-client.ts';

const account = (role: string) => DEMO_ACCOUNTS.find((a) => a.role === role)!;
const LIVE = 'Live hall demo (simulated students)';

let t: TestSystem;
let secret: string;
async function seedAll() {
  await seedDemo(t.system.db);
  const demoExam = await seedDemoExams(t.system.db, secret, account('teacher').email, account('student').email);
  const cert = await seedDemoCertificate(t.system.db, {
    secret,
    teacherEmail: account('teacher').email,
    studentEmail: account('student').email,
    institutionName: 'Test institution',
  });
  return { demoExam, cert };
}

beforeAll(async () => {
  t = await startTestSystem();
  secret = t.system.config.secret;
});
afterAll(async () => t?.close());

describe('demo seeds', () => {
  it('make the demo through the services: audited, and every exam within the schema the pages use', async () => {
    const { demoExam, cert } = await seedAll();
    expect(demoExam.invites).toHaveLength(30);
    expect(
      demoExam.invites.every((i) => i.status === 'unused' && /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/.test(i.code)),
    );
    expect(cert?.publicId).toBeTruthy();

    const teacher = new Client(t.url);
    expect((await teacher.signIn(account('teacher').email, account('teacher').password)).status).toBe(200);
    const list = await teacher.get('/api/exams?limit=100');
    expect(list.status).toBe(200);
    for (const e of list.body.exams) expect(examSchema.safeParse(e).error).toBeUndefined();
    expect(list.body.exams.map((e: { title: string }) => e.title).sort()).toEqual(
      [CERTIFICATE_DEMO_TITLE, 'Chemistry basics: demo exam', DEMO_PROCTOR_EXAM_TITLE].sort(),
    );
    const participants = await teacher.get(`/api/exams/${demoExam.examId}/participants?limit=200`);
    expect(participantListSchema.parse(participants.body).total).toBe(31);

    const actions = await t.system.db
      .select({ action: auditLogs.action, n: sql<number>`count(*)::int` })
      .from(auditLogs)
      .groupBy(auditLogs.action);
    const count = Object.fromEntries(actions.map((a) => [a.action, a.n]));
    expect(count).toMatchObject({
      'course.created': 1,
      'exam.created': 3,
      'exam.published': 3,
      'question.created': 36,
      'participant.added': 33,
    });
    // One exam the proctor starts for everyone: its lobby waits for "Open the hall".
    const together = list.body.exams.find((e: { title: string }) => e.title === DEMO_PROCTOR_EXAM_TITLE);
    expect(together).toMatchObject({ status: 'published', startMode: 'proctor' });

    // Printed codes start the exam, as the banner promises.
    const first = demoExam.invites[0]!;
    const start = await new Client(t.url).post('/api/attempts/start', { email: first.email, code: first.code });
    expect(start.status).toBe(201);
  });

  it('is idempotent: a second load adds nothing and prints the same codes', async () => {
    const before = await t.system.db.select({ n: sql<number>`count(*)::int` }).from(auditLogs);
    const again = await seedAll();
    const after = await t.system.db.select({ n: sql<number>`count(*)::int` }).from(auditLogs);
    expect(after[0]!.n).toBe(before[0]!.n);
    expect(again.demoExam.invites.filter((i) => i.status === 'unused')).toHaveLength(29);
  });

  it('enrols the demo class in the demo course through the course service: students and the proctor', async () => {
    const { caller, course } = await demoCourse(t.system.db, secret, account('teacher').email);
    const roster = await t.system.services.courses.roster(caller.actor, course.id, {
      status: 'active',
      page: 1,
      pageSize: 200,
    });
    expect(roster.counts).toEqual({ student: 31, teacher: 0, proctor: 1 });
    expect(roster.enrollments.find((e) => e.role === 'proctor')!.email).toBe(account('proctor').email);
    expect((await t.system.services.courses.get(caller.actor, course.id)).enrollmentCount).toBe(31);
    const [imported] = await t.system.db
      .select({ n: sql<number>`count(*)::int` })
      .from(auditLogs)
      .where(eq(auditLogs.action, 'course.roster_imported'));
    expect(imported!.n).toBe(1);
    // The demo proctor may watch the demo exam's hall.
    const proctor = new Client(t.url);
    expect((await proctor.signIn(account('proctor').email, account('proctor').password)).status).toBe(200);
    const watchable = await proctor.get('/api/hall/exams');
    expect(watchable.body.exams.map((e: { title: string }) => e.title)).toContain('Chemistry basics: demo exam');

    // Once the admin console's people exist, a second teacher co-teaches the course; once only.
    await seedDemoPeople(t.system.db, t.system.config, account('admin').email);
    await seedDemoCoTeacher(t.system.db, secret, account('teacher').email);
    expect(await seedDemoCoTeacher(t.system.db, secret, account('teacher').email)).toBeNull();
    const after = await t.system.services.courses.roster(caller.actor, course.id, {
      status: 'active',
      role: 'teacher',
      page: 1,
      pageSize: 10,
    });
    expect(after.enrollments.map((e) => e.name)).toEqual(['Grace Hopper']);
  });

  it('brings an exam written outside the rules by an older demo back within them', async () => {
    const { caller, course } = await demoCourse(t.system.db, secret, account('teacher').email);
    const live = await ensureDemoExam(t.system.db, secret, { caller, courseId: course.id }, LIVE, { maxAttempts: 100 });
    // What the previous hall simulator wrote straight to the table.
    await t.system.db.update(exams).set({ maxAttempts: 1000 }).where(eq(exams.id, live.id));
    const repaired = await ensureDemoExam(t.system.db, secret, { caller, courseId: course.id }, LIVE, {
      maxAttempts: 100,
    });
    expect(repaired.id).toBe(live.id);
    expect(repaired.maxAttempts).toBe(100);
    expect(examSchema.safeParse(await t.system.services.exams.get(caller.actor, live.id)).success).toBe(true);
    // And a demo setting out of bounds fails like a teacher's request would, instead of reaching the database.
    await expect(
      ensureDemoExam(t.system.db, secret, { caller, courseId: course.id }, 'Too many attempts', { maxAttempts: 1000 }),
    ).rejects.toThrow(/at most 100/);
    const [tooMany] = await t.system.db
      .select({ id: exams.id })
      .from(exams)
      .where(and(eq(exams.title, 'Too many attempts'), eq(exams.courseId, course.id)));
    expect(tooMany).toBeUndefined();
    expect(await t.system.db.select().from(examParticipants).where(eq(examParticipants.examId, live.id))).toHaveLength(
      0,
    );
  });

  it('starts the simulated students through the real flows, on an exam within the rules', async () => {
    const sim = await startHallSimulator({
      db: t.system.db,
      secret,
      baseUrl: t.url,
      teacherEmail: account('teacher').email,
      proctorEmail: account('proctor').email,
    });
    try {
      const exam = await t.system.services.exams.get(
        (await demoCourse(t.system.db, secret, account('teacher').email)).caller.actor,
        sim.examId,
      );
      expect(exam.title).toBe(LIVE);
      expect(examSchema.safeParse(exam).error).toBeUndefined();
      const live = await t.system.db
        .select({ n: sql<number>`count(*)::int` })
        .from(attempts)
        .where(and(eq(attempts.examId, sim.examId), eq(attempts.status, 'in_progress')));
      expect(live[0]!.n).toBe(6);
      const [invited] = await t.system.db
        .select({ n: sql<number>`count(*)::int` })
        .from(auditLogs)
        .where(eq(auditLogs.action, 'participant.added'));
      // 33: the demo exams' invitations (the proctor-started one included), 6: the simulated students.
      expect(invited!.n).toBe(33 + 6);
    } finally {
      sim.stop();
    }
  });

  it('makes the demo question bank and an exam drawing from it through the services, once', async () => {
    const db = t.system.db;
    const first = await seedDemoBanks(db, secret, account('teacher').email, account('student').email);
    const before = await db.select({ n: sql<number>`count(*)::int` }).from(auditLogs);
    expect(await seedDemoBanks(db, secret, account('teacher').email, account('student').email)).toEqual(first);
    expect((await db.select({ n: sql<number>`count(*)::int` }).from(auditLogs))[0]!.n).toBe(before[0]!.n);
    const { caller } = await demoCourse(db, secret, account('teacher').email);
    expect((await t.system.services.banks.get(caller.actor, first.bankId)).questionCount).toBe(11);
    const exam = await t.system.services.exams.get(caller.actor, first.examId);
    expect(exam).toMatchObject({ title: DEMO_BANK_EXAM_TITLE, status: 'published', questionCount: 12 + 2 + 4 });
    // The demo student enters from My exams and gets the two fixed and four drawn bank questions.
    const student = new Client(t.url);
    expect((await student.signIn(account('student').email, account('student').password)).status).toBe(200);
    const entered = await student.post(`/api/exams/${first.examId}/attempts`);
    expect(entered.status, JSON.stringify(entered.body)).toBe(201);
    const [attempt] = await db.select().from(attempts).where(eq(attempts.id, entered.body.attempt.id));
    expect(Object.keys(attempt!.drawnQuestions)).toHaveLength(6);
    expect(attempt!.questionOrder).toHaveLength(18);
  });
});

describe('the demo class on the Zoom emulator', () => {
  let z: TestSystem;
  let stopEmulator: (() => Promise<void>) | undefined;
  let workers: Awaited<ReturnType<typeof startWorkers>> | undefined;
  afterAll(async () => {
    await workers?.close();
    await z?.close();
    await stopEmulator?.();
  });

  it('is created and registered through the Zoom meeting service, then the class comes in', async () => {
    const env: NodeJS.ProcessEnv = {};
    const emulator = await startDemoZoom(env);
    stopEmulator = () => emulator.stop();
    z = await startTestSystem(env as Record<string, string>);
    const { db, config } = z.system;
    // npm start runs the workers too: they turn the emulator's webhooks into attendance.
    workers = await startWorkers(config, createLogger('silent'), { schedules: false });
    await seedDemo(db);
    const sim = await startHallSimulator({
      db,
      secret: config.secret,
      baseUrl: z.url,
      teacherEmail: account('teacher').email,
      proctorEmail: account('proctor').email,
    });
    const demoClass = await startDemoClass({
      db,
      config,
      emulator,
      baseUrl: z.url,
      teacherEmail: account('teacher').email,
    });
    try {
      const [meeting] = await db.select().from(zoomMeetings).where(eq(zoomMeetings.id, demoClass!.meetingId));
      expect(meeting).toMatchObject({ topic: ZOOM_DEMO_TOPIC, examId: sim.examId, registrationRequired: true });
      const registrants = await db
        .select({ status: meetingRegistrants.status })
        .from(meetingRegistrants)
        .where(eq(meetingRegistrants.meetingId, meeting!.id));
      expect(registrants.map((r) => r.status)).toEqual(Array(6).fill('registered'));
      const created = await db.select().from(auditLogs).where(eq(auditLogs.action, 'zoom.meeting_create'));
      expect(created).toHaveLength(1);

      // The emulator's signed webhooks reach the server: the dashboard shows people in Zoom.
      const teacher = new Client(z.url);
      await teacher.signIn(account('teacher').email, account('teacher').password);
      await expect
        .poll(
          async () => {
            const d = await teacher.get(`/api/zoom/meetings/${meeting!.id}/attendance`);
            return (d.body.rows as { inZoomNow: boolean }[]).filter((r) => r.inZoomNow).length;
          },
          { timeout: 15_000, interval: 200 },
        )
        .toBeGreaterThan(0);
    } finally {
      demoClass?.stop();
      sim.stop();
    }
  });
});

describe('demo accommodations', () => {
  it('give the demo student and the first of the class extra time through the service, once', async () => {
    const db = t.system.db;
    await seedDemo(db);
    const { examId } = await seedDemoExams(db, secret, account('teacher').email, account('student').email);
    const seed = () => seedDemoAccommodations(db, secret, account('teacher').email, examId, account('student').email);
    await seed();
    const before = await db.select({ n: sql<number>`count(*)::int` }).from(auditLogs);
    expect(await seed()).toEqual({ set: 0 });
    expect((await db.select({ n: sql<number>`count(*)::int` }).from(auditLogs))[0]!.n).toBe(before[0]!.n);
    const { caller } = await demoCourse(db, secret, account('teacher').email);
    const { accommodations } = await t.system.services.accommodations.list(caller.actor, examId);
    const rows = await db
      .select({ id: examParticipants.id, email: examParticipants.email })
      .from(examParticipants)
      .where(eq(examParticipants.examId, examId));
    const emailOf = new Map(rows.map((r) => [r.id, r.email]));
    expect(accommodations.map((a) => ({ ...a, email: emailOf.get(a.participantId) }))).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ email: account('student').email, extraTimePercent: 25 }),
        expect.objectContaining({
          email: 'student01@demo.examhall.test',
          extraTimePercent: 25,
          extraTimeMinutes: 5,
          extraAttempts: 1,
        }),
      ]),
    );
  });
});
