import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { auditLogs, questions } from '../../src/db/schema/index.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { Client } from '../support/http-client.ts';

let t: TestSystem;
beforeAll(async () => {
  t = await startTestSystem();
});
afterAll(() => t?.close());

async function as(role: 'admin' | 'teacher' | 'proctor' | 'student') {
  const user = await t.createUser(role);
  const c = new Client(t.url);
  expect((await c.signIn(user.email, user.password)).status).toBe(200);
  return Object.assign(c, { user });
}

const anytime = { title: 'Algebra midterm', durationMinutes: 60, availableAnytime: true };

describe('exam settings', () => {
  it('creates a draft with every setting and defaults, and audits it', async () => {
    const teacher = await as('teacher');
    const res = await teacher.post('/api/exams', {
      ...anytime,
      description: 'Chapters 1-4',
      shuffleQuestions: true,
      shuffleOptions: true,
      passingScore: 70,
      maxAttempts: 2,
      allowReview: true,
      resultsPolicy: 'immediately',
      partialCreditRule: 'proportional',
      partialCreditPenalty: 0.25,
      proctoring: { enabled: true, requireFullscreen: true, blockCopyPaste: true, strictMode: false },
      disconnectPolicy: 'credit',
      disconnectCreditMaxMinutes: 10,
      issueCertificates: true,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'draft',
      passingScore: 70,
      maxAttempts: 2,
      partialCreditPenalty: 0.25,
      proctoring: { requireFullscreen: true },
      issueCertificates: true,
      questionCount: 0,
    });
    const rows = await t.system.db.select().from(auditLogs).where(eq(auditLogs.targetId, res.body.id));
    expect(rows.map((r) => r.action)).toEqual(['exam.created']);
  });

  it('answers 400 naming each invalid field', async () => {
    const teacher = await as('teacher');
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ ...anytime, title: 'ab' }, 'body.title', /at least 3/],
      [{ ...anytime, title: 'x'.repeat(201) }, 'body.title', /at most 200/],
      [{ ...anytime, description: 'x'.repeat(1001) }, 'body.description', /at most 1000/],
      [{ ...anytime, durationMinutes: 0 }, 'body.durationMinutes', /at least 1 minute/],
      [{ ...anytime, durationMinutes: 1441 }, 'body.durationMinutes', /at most 1440/],
      [{ ...anytime, durationMinutes: 1.5 }, 'body.durationMinutes', /whole minutes/],
      [{ ...anytime, passingScore: 101 }, 'body.passingScore', /between 0 and 100/],
      [{ ...anytime, maxAttempts: 0 }, 'body.maxAttempts', /at least 1/],
      [{ ...anytime, partialCreditPenalty: 2 }, 'body.partialCreditPenalty', /between 0 and 1/],
      [{ ...anytime, resultsPolicy: 'never' }, 'body.resultsPolicy', /./],
      [{ title: 'Windowed', durationMinutes: 30 }, 'body.startsAt', /start time/],
      [
        { title: 'Windowed', durationMinutes: 30, startsAt: '2030-01-02T10:00:00Z', endsAt: '2030-01-02T09:00:00Z' },
        'body.endsAt',
        /after the start/,
      ],
      [{ ...anytime, startsAt: 'tomorrow' }, 'body.startsAt', /ISO date-time/],
      [{ ...anytime, courseId: 'nope' }, 'body.courseId', /UUID/],
    ];
    for (const [body, path, message] of cases) {
      const res = await teacher.post('/api/exams', body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      const field = res.body.error.fields.find((f: { path: string }) => f.path === path);
      expect(field, `${path} in ${JSON.stringify(res.body.error.fields)}`).toBeDefined();
      expect(field.message).toMatch(message);
    }
  });

  it('checks the window rule on a partial update against the stored exam', async () => {
    const teacher = await as('teacher');
    const created = await teacher.post('/api/exams', anytime);
    const res = await teacher.request('PATCH', `/api/exams/${created.body.id}`, { availableAnytime: false });
    expect(res.status).toBe(400);
    expect(res.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['body.startsAt', 'body.endsAt']);
    const ok = await teacher.request('PATCH', `/api/exams/${created.body.id}`, {
      availableAnytime: false,
      startsAt: '2030-01-02T09:00:00Z',
      endsAt: '2030-01-02T11:00:00Z',
    });
    expect(ok.status).toBe(200);
    expect(ok.body.startsAt).toBe('2030-01-02T09:00:00.000Z');
    const empty = await teacher.request('PATCH', `/api/exams/${created.body.id}`, {});
    expect(empty.status).toBe(400);
  });

  it('publishes only with a question and an open window', async () => {
    const teacher = await as('teacher');
    const exam = (await teacher.post('/api/exams', anytime)).body;
    const early = await teacher.post(`/api/exams/${exam.id}/publish`);
    expect(early.status).toBe(400);
    expect(early.body.error.fields).toEqual([
      { path: 'questions', message: 'Add at least one question before publishing' },
    ]);
    await t.system.db.insert(questions).values({
      examId: exam.id,
      type: 'true_false',
      prompt: 'The sky is blue.',
      answerKey: { correct: true },
      position: 0,
    });
    const closed = await teacher.request('PATCH', `/api/exams/${exam.id}`, {
      availableAnytime: false,
      startsAt: '2020-01-01T09:00:00Z',
      endsAt: '2020-01-01T10:00:00Z',
    });
    expect(closed.status).toBe(200);
    const late = await teacher.post(`/api/exams/${exam.id}/publish`);
    expect(late.status).toBe(400);
    expect(late.body.error.fields[0].path).toBe('endsAt');
    await teacher.request('PATCH', `/api/exams/${exam.id}`, { availableAnytime: true });
    const ok = await teacher.post(`/api/exams/${exam.id}/publish`);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'published', questionCount: 1, totalPoints: 1 });
    expect(ok.body.publishedAt).not.toBeNull();
  });

  it('soft-deletes: gone from lists and lookups, row kept', async () => {
    const teacher = await as('teacher');
    const exam = (await teacher.post('/api/exams', anytime)).body;
    expect((await teacher.delete(`/api/exams/${exam.id}`)).status).toBe(204);
    expect((await teacher.get(`/api/exams/${exam.id}`)).status).toBe(404);
    expect((await teacher.get('/api/exams')).body.exams.map((e: { id: string }) => e.id)).not.toContain(exam.id);
    const admin = await as('admin');
    const log = await admin.get('/api/audit-logs?action=exam.deleted');
    expect(log.body.entries.map((e: { targetId: string }) => e.targetId)).toContain(exam.id);
  });
});

describe('ownership', () => {
  it('hides one teacher’s exams and courses from another (404), and refuses students and proctors (403)', async () => {
    const owner = await as('teacher');
    const other = await as('teacher');
    const course = (await owner.post('/api/courses', { name: 'Physics 101', allowedEmailDomains: ['school.example'] }))
      .body;
    const exam = (await owner.post('/api/exams', { ...anytime, courseId: course.id })).body;
    expect((await other.get(`/api/exams/${exam.id}`)).status).toBe(404);
    expect((await other.request('PATCH', `/api/exams/${exam.id}`, { title: 'Hijacked' })).status).toBe(404);
    expect((await other.post(`/api/exams/${exam.id}/publish`)).status).toBe(404);
    expect((await other.delete(`/api/exams/${exam.id}`)).status).toBe(404);
    expect((await other.get(`/api/courses/${course.id}`)).status).toBe(404);
    expect((await other.post('/api/exams', { ...anytime, courseId: course.id })).status).toBe(404);
    expect((await other.get('/api/exams')).body.exams).toEqual([]);
    for (const role of ['student', 'proctor'] as const) {
      const c = await as(role);
      expect((await c.get(`/api/exams/${exam.id}`)).status).toBe(403);
      expect((await c.get('/api/exams')).status).toBe(403);
    }
    const admin = await as('admin');
    expect((await admin.get(`/api/exams/${exam.id}`)).status).toBe(200);
    expect((await owner.get(`/api/exams/${exam.id}`)).body.title).toBe('Algebra midterm');
  });

  it('validates course fields', async () => {
    const teacher = await as('teacher');
    const res = await teacher.post('/api/courses', { name: '', allowedEmailDomains: ['not a domain'] });
    expect(res.status).toBe(400);
    expect(res.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual([
      'body.allowedEmailDomains.0',
      'body.name',
    ]);
  });
});
