// The demo data `npm start` loads is made through the services, so it obeys the same
// rules as real data (the pages' schemas included), and loading it again changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { examSchema, participantListSchema } from '@exam-hall/protocol';
import { attempts, auditLogs, examParticipants, exams } from '../../src/db/schema/index.ts';
import { DEMO_ACCOUNTS, seedDemo } from '../../src/demo/demo.seed.ts';
import { demoCourse, ensureDemoExam, seedDemoExams } from '../../src/demo/demo-exams.seed.ts';
import { CERTIFICATE_DEMO_TITLE, seedDemoCertificate } from '../../src/demo/demo-certificate.seed.ts';
import { startHallSimulator } from '../../../scripts/demo/hall-simulator.ts';
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
      [CERTIFICATE_DEMO_TITLE, 'Chemistry basics: demo exam'].sort(),
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
      'exam.created': 2,
      'exam.published': 2,
      'question.created': 24,
      'participant.added': 32,
    });

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
      expect(invited!.n).toBe(32 + 6);
    } finally {
      sim.stop();
    }
  });
});
