import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { ATTEMPT_COOKIE } from '@exam-hall/protocol';
import { attempts, examParticipants, questions } from '../../src/db/schema/index.ts';
import { transitionAttempt } from '../../src/modules/attempts/attempts.state.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { Client } from '../support/http-client.ts';
import { begin, enterAndBegin } from '../support/attempts.ts';

let t: TestSystem;
let teacher: Client;
beforeAll(async () => {
  // Every one of the 100 concurrent claims below must reach the database; the per-email
  // slow-down has its own tests (limits.test.ts).
  t = await startTestSystem({ DATABASE_POOL_MAX: '20', CODE_FREE_TRIES_PER_EMAIL: '100' });
  const u = await t.createUser('teacher');
  teacher = new Client(t.url);
  await teacher.signIn(u.email, u.password);
});
afterAll(() => t?.close());

/** A published exam with three questions and one invited participant; answers the plain code. */
async function publishedExam(settings: Record<string, unknown> = {}) {
  const exam = (
    await teacher.post('/api/exams', { title: 'Claims exam', durationMinutes: 30, availableAnytime: true, ...settings })
  ).body;
  await t.system.db.insert(questions).values(
    [0, 1, 2].map((position) => ({
      examId: exam.id,
      type: 'single_choice',
      prompt: `Question ${position + 1}`,
      content: {
        options: [
          { id: 'a', text: 'A' },
          { id: 'b', text: 'B' },
          { id: 'c', text: 'C' },
        ],
      },
      answerKey: { correct: 'a' },
      position,
    })),
  );
  const pub = await teacher.post(`/api/exams/${exam.id}/publish`);
  expect(pub.status).toBe(200);
  return exam as { id: string };
}

async function invite(examId: string, email = `s-${Math.random().toString(36).slice(2, 8)}@school.example`) {
  const res = await teacher.post(`/api/exams/${examId}/participants`, { email });
  expect(res.status).toBe(201);
  return { email, code: res.body.code as string, participantId: res.body.participant.id as string };
}

describe('starting with an access code', () => {
  it('of 100 concurrent claims of one code exactly one wins and 99 get 409', async () => {
    const exam = await publishedExam();
    const { email, code } = await invite(exam.id);
    const replies = await Promise.all(
      Array.from({ length: 100 }, () => new Client(t.url).post('/api/attempts/start', { email, code })),
    );
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(99);
    expect(replies.find((r) => r.status === 409)!.body.error.code).toBe('code_used');
    const rows = await t.system.db.select().from(attempts).where(eq(attempts.examId, exam.id));
    expect(rows).toHaveLength(1);
    const [p] = await t.system.db.select().from(examParticipants).where(eq(examParticipants.email, email));
    expect(p!.codeStatus).toBe('used');
  });

  it('fixes the question and option order and the deadline, and sets the attempt cookie', async () => {
    const exam = await publishedExam({ shuffleQuestions: true, shuffleOptions: true, durationMinutes: 45 });
    const { email, code } = await invite(exam.id);
    const student = new Client(t.url);
    const before = Date.now();
    const res = await enterAndBegin(student, { email: email.toUpperCase(), code: code.toLowerCase() });
    expect(res.status).toBe(201);
    expect(res.body.attempt).toMatchObject({ status: 'in_progress', questionCount: 3, attemptNumber: 1 });
    const deadline = Date.parse(res.body.attempt.deadlineAt);
    expect(deadline - before).toBeGreaterThan(45 * 60_000 - 5_000);
    expect(deadline - before).toBeLessThan(45 * 60_000 + 5_000);
    const [row] = await t.system.db.select().from(attempts).where(eq(attempts.id, res.body.attempt.id));
    expect(row!.questionOrder).toHaveLength(3);
    expect(Object.values(row!.optionOrder).map((o) => [...o].sort())).toEqual([
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
    ]);
    expect(student.jar.get(ATTEMPT_COOKIE)).toMatch(new RegExp(`^${row!.id}\\.`));
    expect(row!.attemptTokenHash).not.toContain(student.jar.get(ATTEMPT_COOKIE)!.split('.')[1]);
    // The cookie reads the attempt; a stranger gets 404.
    expect((await student.get(`/api/attempts/${row!.id}`)).status).toBe(200);
    expect((await new Client(t.url).get(`/api/attempts/${row!.id}`)).status).toBe(404);
  });

  it('answers clear errors for used, unknown and mistyped codes', async () => {
    const exam = await publishedExam();
    const { email, code } = await invite(exam.id);
    expect((await new Client(t.url).post('/api/attempts/start', { email, code })).status).toBe(201);
    const used = await new Client(t.url).post('/api/attempts/start', { email, code });
    expect(used.status).toBe(409);
    expect(used.body.error.message).toMatch(/already used/);
    const other = await invite(exam.id);
    const wrong = await new Client(t.url).post('/api/attempts/start', { email: other.email, code: 'AAAA-BBBB-CCCC' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('invalid_code');
    const swapped = await new Client(t.url).post('/api/attempts/start', { email: other.email, code });
    expect(swapped.status).toBe(401);
    const missing = await new Client(t.url).post('/api/attempts/start', { email: 'x' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['body.email', 'body.code']);
  });

  it('refuses unpublished exams, closed windows and used-up attempt limits', async () => {
    const draft = (
      await teacher.post('/api/exams', { title: 'Draft exam', durationMinutes: 10, availableAnytime: true })
    ).body;
    const d = await invite(draft.id);
    const r1 = await new Client(t.url).post('/api/attempts/start', d);
    expect(r1.status).toBe(403);
    expect(r1.body.error.code).toBe('exam_not_available');

    const exam = await publishedExam({
      availableAnytime: false,
      startsAt: '2030-01-01T09:00:00Z',
      endsAt: '2030-01-01T10:00:00Z',
    });
    const w = await invite(exam.id);
    const r2 = await new Client(t.url).post('/api/attempts/start', w);
    expect(r2.status).toBe(403);
    expect(r2.body.error.message).toMatch(/opens at 2030-01-01T09:00:00.000Z/);
    // A refused start leaves the code usable.
    const [p] = await t.system.db.select().from(examParticipants).where(eq(examParticipants.email, w.email));
    expect(p!.codeStatus).toBe('unused');

    const once = await publishedExam({ maxAttempts: 1 });
    const o = await invite(once.id);
    const first = await enterAndBegin(new Client(t.url), o);
    await transitionAttempt(t.system.db, first.body.attempt.id, 'submitted');
    const fresh = await teacher.post(`/api/exams/${once.id}/participants/${o.participantId}/code`);
    expect(fresh.status).toBe(200);
    const r3 = await new Client(t.url).post('/api/attempts/start', { email: o.email, code: fresh.body.code });
    expect(r3.status).toBe(403);
    expect(r3.body.error.code).toBe('attempt_limit_reached');
  });
});

describe('starting signed in', () => {
  it('lets an invited student with an account start from My exams', async () => {
    const exam = await publishedExam({ maxAttempts: 2 });
    const s = await t.createUser('student');
    const student = new Client(t.url);
    await student.signIn(s.email, s.password);
    expect((await student.post(`/api/exams/${exam.id}/attempts`)).status).toBe(404);
    await invite(exam.id, s.email);
    const mine = await student.get('/api/my/exams');
    expect(mine.body.exams).toEqual([expect.objectContaining({ examId: exam.id, canStart: true, attemptsUsed: 0 })]);
    const started = await student.post(`/api/exams/${exam.id}/attempts`);
    expect(started.status).toBe(201);
    expect(started.body.attempt).toMatchObject({ status: 'not_started', deadlineAt: null });
    // Back from My exams while still in the lobby: the same attempt, not a second one.
    const lobbyAgain = await student.post(`/api/exams/${exam.id}/attempts`);
    expect(lobbyAgain.status).toBe(201);
    expect(lobbyAgain.body.attempt.id).toBe(started.body.attempt.id);
    expect((await student.get('/api/my/exams')).body.exams[0]).toMatchObject({
      canStart: false,
      attemptsUsed: 1,
      latestAttempt: { id: started.body.attempt.id, status: 'not_started' },
    });
    await begin(student, started.body.attempt.id);
    const again = await student.post(`/api/exams/${exam.id}/attempts`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('attempt_in_progress');
    const after = await student.get('/api/my/exams');
    expect(after.body.exams[0]).toMatchObject({
      canStart: false,
      attemptsUsed: 1,
      latestAttempt: { status: 'in_progress' },
    });
    expect((await student.get(`/api/attempts/${started.body.attempt.id}`)).status).toBe(200);
    expect((await teacher.post(`/api/exams/${exam.id}/attempts`)).status).toBe(403);
  });
});

describe('attempt state machine', () => {
  it('allows only the documented transitions, each exactly once', async () => {
    const exam = await publishedExam();
    const { email, code } = await invite(exam.id);
    const res = await enterAndBegin(new Client(t.url), { email, code });
    const id = res.body.attempt.id as string;
    const db = t.system.db;
    const paused = await transitionAttempt(db, id, 'paused');
    expect(paused.pausedAt).not.toBeNull();
    await expect(transitionAttempt(db, id, 'paused')).rejects.toThrow(/is paused and cannot become paused/);
    await new Promise((r) => setTimeout(r, 1100));
    const resumed = await transitionAttempt(db, id, 'in_progress');
    expect(resumed.pausedAt).toBeNull();
    expect(resumed.pausedTotalSeconds).toBeGreaterThanOrEqual(1);
    // Time spent paused is added to the deadline.
    expect(resumed.deadlineAt!.getTime() - paused.deadlineAt!.getTime()).toBeGreaterThanOrEqual(1000);
    const results = await Promise.allSettled([
      transitionAttempt(db, id, 'submitted'),
      transitionAttempt(db, id, 'expired'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    await expect(transitionAttempt(db, id, 'in_progress')).rejects.toThrow(/cannot become in progress/);
    const invalidated = await transitionAttempt(db, id, 'invalidated', { reason: 'cheating confirmed' });
    expect(invalidated.endedReason).toBe('cheating confirmed');
    const [final] = await db
      .select()
      .from(attempts)
      .where(and(eq(attempts.id, id)));
    expect(final!.status).toBe('invalidated');
  });
});
