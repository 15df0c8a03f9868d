// [assessment] item 7, settings that do what they say: the exam code (saved, unique,
// joined with by enrolled students only, rate-limited), allowedBrowsers (saved, checked
// at entry and start), strictMode (raised severities), blindGrading and the review
// threshold (saved), per-answer time from the page, and abandoned attempts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import {
  answers,
  attempts,
  auditLogs,
  enrollments,
  examParticipants,
  exams,
  presence,
  proctoringEvents,
} from '../../src/db/schema/index.ts';
import { sweepExpired } from '../../src/modules/attempts/attempts.expiry.ts';
import { silentPublisher } from '../../src/modules/hall/hall.events.ts';
import { gradeAttempt } from '../../src/modules/grading/grading.service.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { Client } from '../support/http-client.ts';
import { publishedExam, signedIn, startedAttempt } from '../support/fixtures.ts';
import { begin } from '../support/attempts.ts';
import { call, openSocket, type TestSocket } from '../support/sockets.ts';
import { waitFor } from '../support/certificates.ts';
import { DEMO_ACCOUNTS, seedDemo } from '../../src/demo/demo.seed.ts';
import { seedDemoExams } from '../../src/demo/demo-exams.seed.ts';
import { DEMO_CODE_EXAM_TITLE, DEMO_EXAM_CODE, seedDemoSettings } from '../../src/demo/demo-settings.seed.ts';

const SAFARI_17 =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15';
const FIREFOX_133 = 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';

let t: TestSystem;
let teacher: Awaited<ReturnType<typeof signedIn>>;
const sockets: TestSocket[] = [];
beforeAll(async () => {
  t = await startTestSystem();
  teacher = await signedIn(t, 'teacher');
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await t?.close();
});

const uniqueCode = () => `Z${Math.random().toString(36).slice(2, 8).toUpperCase().padEnd(6, '0')}`.slice(0, 7);

async function course() {
  const res = await teacher.post('/api/courses', { name: `Course ${Math.random().toString(36).slice(2, 8)}` });
  expect(res.status).toBe(201);
  return res.body as { id: string };
}

async function student(courseId?: string, status: 'active' | 'dropped' = 'active') {
  const c = await signedIn(t, 'student');
  if (courseId) await t.system.db.insert(enrollments).values({ courseId, userId: c.user.id, role: 'student', status });
  return c;
}

async function joined(c: Client, attemptId: string, deviceId: string) {
  const socket = await openSocket(t.url, c);
  sockets.push(socket);
  await call(socket, 'attempt:join', { attemptId, deviceId });
  return socket;
}

describe('exam settings: code, allowed browsers, blind grading, review threshold', () => {
  it('saves and returns them, upper-casing the code, and audits the change', async () => {
    const { id: courseId } = await course();
    const code = uniqueCode();
    const created = await teacher.post('/api/exams', {
      title: 'Biology final',
      durationMinutes: 30,
      availableAnytime: true,
      courseId,
      code: code.toLowerCase(),
      blindGrading: true,
      reviewRiskThreshold: 40,
      proctoring: {
        enabled: true,
        strictMode: true,
        allowedBrowsers: ['firefox', 'chrome'],
        camera: { mode: 'identity', evidence: true, retentionDays: 7 },
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.proctoring.camera).toMatchObject({ mode: 'identity', evidence: true, retentionDays: 7 });
    expect(created.body).toMatchObject({
      code,
      blindGrading: true,
      reviewRiskThreshold: 40,
      proctoring: { enabled: true, strictMode: true, allowedBrowsers: ['firefox', 'chrome'] },
    });
    const read = await teacher.get(`/api/exams/${created.body.id}`);
    expect(read.body).toMatchObject({ code, blindGrading: true, reviewRiskThreshold: 40 });
    expect(read.body.proctoring.allowedBrowsers).toEqual(['firefox', 'chrome']);

    const patched = await teacher.request('PATCH', `/api/exams/${created.body.id}`, {
      code: null,
      blindGrading: false,
      reviewRiskThreshold: 75,
      proctoring: { enabled: true, allowedBrowsers: [] },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ code: null, blindGrading: false, reviewRiskThreshold: 75 });
    expect(patched.body.proctoring.allowedBrowsers).toEqual([]);
    // A proctoring patch without camera settings keeps the exam's; one with them replaces them.
    expect(patched.body.proctoring.camera).toMatchObject({ mode: 'identity', evidence: true, retentionDays: 7 });
    const cameraOff = await teacher.request('PATCH', `/api/exams/${created.body.id}`, {
      proctoring: { enabled: true, camera: { mode: 'off' } },
    });
    expect(cameraOff.body.proctoring.camera).toMatchObject({ mode: 'off', evidence: false, retentionDays: 30 });
    const audited = await t.system.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.targetId, created.body.id), eq(auditLogs.action, 'exam.updated')));
    expect(audited[0]!.details).toMatchObject({ fields: expect.arrayContaining(['code', 'reviewRiskThreshold']) });
  });

  it('refuses a code another exam holds with 409 naming the field, and changes nothing', async () => {
    const { id: courseId } = await course();
    const code = uniqueCode();
    const first = await teacher.post('/api/exams', {
      title: 'First',
      durationMinutes: 10,
      availableAnytime: true,
      courseId,
      code,
    });
    expect(first.status).toBe(201);
    const second = await teacher.post('/api/exams', {
      title: 'Second',
      durationMinutes: 10,
      availableAnytime: true,
      courseId,
    });
    const taken = await teacher.request('PATCH', `/api/exams/${second.body.id}`, { code, title: 'Renamed' });
    expect(taken.status).toBe(409);
    expect(taken.body.error.message).toContain(code);
    expect(taken.body.error.fields).toEqual([{ path: 'body.code', message: 'is already used' }]);
    expect((await teacher.get(`/api/exams/${second.body.id}`)).body).toMatchObject({ title: 'Second', code: null });
    const dup = await teacher.post('/api/exams', {
      title: 'Third',
      durationMinutes: 10,
      availableAnytime: true,
      courseId,
      code,
    });
    expect(dup.status).toBe(409);
    // Saving an exam with its own code again is no conflict.
    const same = await teacher.request('PATCH', `/api/exams/${first.body.id}`, { code, title: 'First again' });
    expect(same.status).toBe(200);
  });

  it('answers bad values with 400 naming the field', async () => {
    const bad = async (body: Record<string, unknown>, path: string) => {
      const res = await teacher.post('/api/exams', {
        title: 'Bad',
        durationMinutes: 10,
        availableAnytime: true,
        ...body,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.fields.map((f: { path: string }) => f.path)).toContain(path);
    };
    const { id: courseId } = await course();
    await bad({ courseId, code: 'AB1' }, 'body.code');
    await bad({ courseId, code: 'ABC-123' }, 'body.code');
    await bad({ reviewRiskThreshold: 101 }, 'body.reviewRiskThreshold');
    await bad({ blindGrading: 'yes' }, 'body.blindGrading');
    await bad({ proctoring: { allowedBrowsers: ['opera'] } }, 'body.proctoring.allowedBrowsers.0');
    await bad({ proctoring: { allowedBrowsers: ['firefox', 'firefox'] } }, 'body.proctoring.allowedBrowsers');
    // A code needs a course: only its students can join with it.
    await bad({ code: uniqueCode() }, 'body.code');
  });
});

describe('allowed browsers', () => {
  it('refuses entry and start from another browser with a message saying which to use; the code stays usable', async () => {
    const exam = await publishedExam(t, teacher, { proctoring: { enabled: true, allowedBrowsers: ['firefox'] } });
    const email = `b-${Math.random().toString(36).slice(2, 8)}@school.example`;
    const inv = await teacher.post(`/api/exams/${exam.id}/participants`, { email });
    const s = new Client(t.url);
    const refused = await s.post('/api/attempts/start', { email, code: inv.body.code }, { 'user-agent': SAFARI_17 });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({
      code: 'browser_not_allowed',
      message: 'This exam must be taken in Firefox. You are using Safari 17. Open the exam in Firefox to continue.',
    });
    const [p] = await t.system.db
      .select()
      .from(examParticipants)
      .where(eq(examParticipants.id, inv.body.participant.id));
    expect(p!.codeStatus).toBe('unused');

    const entered = await s.post('/api/attempts/start', { email, code: inv.body.code }, { 'user-agent': FIREFOX_133 });
    expect(entered.status).toBe(201);
    const id = entered.body.attempt.id as string;
    // The lobby says which browsers the exam takes.
    expect((await s.get(`/api/attempts/${id}/lobby`)).body.exam.proctoring.allowedBrowsers).toEqual(['firefox']);
    const startSafari = await s.post(`/api/attempts/${id}/begin`, undefined, { 'user-agent': SAFARI_17 });
    expect(startSafari.status).toBe(403);
    expect(startSafari.body.error.code).toBe('browser_not_allowed');
    const [still] = await t.system.db.select().from(attempts).where(eq(attempts.id, id));
    expect(still!.status).toBe('not_started');
    const started = await s.post(`/api/attempts/${id}/begin`, undefined, { 'user-agent': FIREFOX_133 });
    expect(started.status).toBe(200);
    expect(started.body.attempt.status).toBe('in_progress');
  });
});

describe('strict mode', () => {
  it('records every signal one severity higher than on an exam without it', async () => {
    const severityOf = async (strictMode: boolean) => {
      const exam = await publishedExam(t, teacher, { proctoring: { enabled: true, strictMode } });
      const { student: s, attemptId } = await startedAttempt(t, teacher, exam.id);
      const socket = await joined(s, attemptId, `strict-${strictMode}-dev1`);
      for (const type of ['tab_hidden', 'window_blur', 'paste'] as const) {
        await call(socket, 'proctor:signal', { attemptId, type, clientEventId: `${type}-${strictMode}-0001` });
      }
      const rows = await t.system.db
        .select({ type: proctoringEvents.type, severity: proctoringEvents.severity })
        .from(proctoringEvents)
        .where(eq(proctoringEvents.attemptId, attemptId));
      return Object.fromEntries(rows.map((r) => [r.type, r.severity]));
    };
    expect(await severityOf(false)).toEqual({ tab_hidden: 'medium', window_blur: 'low', paste: 'high' });
    expect(await severityOf(true)).toEqual({ tab_hidden: 'high', window_blur: 'medium', paste: 'critical' });
  });
});

describe('joining with the exam code', () => {
  async function codedExam(courseId: string) {
    const code = uniqueCode();
    const exam = await publishedExam(t, teacher, { courseId, code });
    return { examId: exam.id, code };
  }

  it('makes an enrolled student a participant who enters the lobby like an invited one, once, audited', async () => {
    const { id: courseId } = await course();
    const { examId, code } = await codedExam(courseId);
    const s = await student(courseId);
    const res = await s.post('/api/my/exams/join', { code: ` ${code.slice(0, 3).toLowerCase()}-${code.slice(3)} ` });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ examId, title: 'Hall exam', joined: true });
    const [p] = await t.system.db
      .select()
      .from(examParticipants)
      .where(and(eq(examParticipants.examId, examId), eq(examParticipants.userId, s.user.id)));
    expect(p).toMatchObject({ joinedWithExamCode: true, codeStatus: 'unused', accessCodeHint: null });
    expect(p!.accessCodeHash.length).toBeGreaterThan(40);
    const logged = await t.system.db.select().from(auditLogs).where(eq(auditLogs.targetId, p!.id));
    expect(logged.map((l) => l.action)).toEqual(['participant.joined_with_exam_code']);

    expect((await s.post('/api/my/exams/join', { code })).body).toMatchObject({ examId, joined: false });
    const mine = await s.get('/api/my/exams');
    expect(mine.body.exams.map((e: { examId: string }) => e.examId)).toContain(examId);
    const lobby = await s.post(`/api/exams/${examId}/attempts`);
    expect(lobby.status).toBe(201);
    expect(lobby.body.attempt.status).toBe('not_started');
    await begin(s, lobby.body.attempt.id);
  });

  it('answers the same 404 for a wrong code, another course, a dropped enrolment or a draft', async () => {
    const { id: courseId } = await course();
    const { code } = await codedExam(courseId);
    const draftCode = uniqueCode();
    const draft = await teacher.post('/api/exams', {
      title: 'Draft',
      durationMinutes: 10,
      availableAnytime: true,
      courseId,
      code: draftCode,
    });
    expect(draft.status).toBe(201);
    const message = 'No exam with that code for your courses. Check the code with your teacher.';
    const tries: [Client, string][] = [
      [await student(courseId), 'NOPE999'],
      [await student(), code],
      [await student((await course()).id), code],
      [await student(courseId, 'dropped'), code],
      [await student(courseId), draftCode],
    ];
    for (const [c, typed] of tries) {
      const res = await c.post('/api/my/exams/join', { code: typed });
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({ code: 'not_found', message });
    }
    const rows = await t.system.db.select().from(examParticipants).where(eq(examParticipants.joinedWithExamCode, true));
    expect(
      rows.filter((r) => tries.some(([c]) => (c as Client & { user: { id: string } }).user.id === r.userId)),
    ).toEqual([]);
  });

  it('refuses bad input with 400 naming the field, and other roles with 403', async () => {
    const s = await student();
    for (const body of [{}, { code: 'AB' }, { code: 'ABCDEFGHIJ' }, { code: 'ÄBC123' }, { code: 42 }]) {
      const res = await s.post('/api/my/exams/join', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.fields[0].path).toBe('body.code');
    }
    expect((await teacher.post('/api/my/exams/join', { code: 'ABC123' })).status).toBe(403);
    expect((await new Client(t.url).post('/api/my/exams/join', { code: 'ABC123' })).status).toBe(401);
  });

  it('checks at most the free tries of 30 wrong codes sent at once by one student; the rest get 429', async () => {
    const s = await student();
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        s.post('/api/my/exams/join', { code: `WRONG${String(i).padStart(2, '0')}` }),
      ),
    );
    const checked = replies.filter((r) => r.status === 404).length;
    const limited = replies.filter((r) => r.status === 429);
    expect(checked).toBe(t.system.config.codes.freeTries);
    expect(limited).toHaveLength(30 - checked);
    expect(limited[0]!.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited[0]!.body.error.message).toMatch(/^Too many wrong exam codes for your account\. Try again in /);
  });
});

describe('time spent per answer', () => {
  it('adds the page’s seconds when a save is applied, never on a replay, capped at the attempt’s running time', async () => {
    const exam = await publishedExam(t, teacher);
    const { student: s, attemptId } = await startedAttempt(t, teacher, exam.id);
    // The attempt has been running for a minute.
    await t.system.db
      .update(attempts)
      .set({ startedAt: sql`now() - interval '60 seconds'` })
      .where(eq(attempts.id, attemptId));
    const socket = await openSocket(t.url, s);
    sockets.push(socket);
    const snap = await call(socket, 'attempt:join', { attemptId, deviceId: 'time-spent-dev1' });
    const [q1, q2] = snap.questions.map((q: { id: string }) => q.id);
    const save = (questionId: string, seq: number, timeSpentSeconds: number) =>
      call(socket, 'answer:save', { attemptId, seq, questionId, response: { optionId: 'a' }, timeSpentSeconds });
    const spent = async (questionId: string) => {
      const [row] = await t.system.db
        .select({ s: answers.timeSpentSeconds })
        .from(answers)
        .where(and(eq(answers.attemptId, attemptId), eq(answers.questionId, questionId)));
      return row?.s;
    };

    expect(await save(q1, 1, 5)).toMatchObject({ applied: true });
    expect(await spent(q1)).toBe(5);
    expect(await save(q1, 1, 5)).toMatchObject({ applied: false }); // the outbox replays it
    expect(await spent(q1)).toBe(5);
    await save(q1, 2, 10);
    expect(await spent(q1)).toBe(15);
    // An hour claimed on a second question: only what is left of the minute counts.
    await save(q2, 3, 3600);
    const capped = (await spent(q2))!;
    expect(capped).toBeGreaterThanOrEqual(44);
    expect(capped).toBeLessThanOrEqual(47);
    await save(q2, 4, 30);
    expect(await spent(q2)).toBeLessThanOrEqual(capped + 2);

    // The teacher reads it on the answer sheet.
    const sheet = await teacher.get(`/api/exams/${exam.id}/grading/${attemptId}`);
    expect(sheet.status).toBe(200);
    const timeOf = (id: string) =>
      sheet.body.items.find((i: { questionId: string }) => i.questionId === id).timeSpentSeconds as number;
    expect(timeOf(q1)).toBe(15);
    expect(timeOf(q2)).toBe(await spent(q2));

    await expect(save(q1, 5, -1)).rejects.toThrow(/validation_failed/);
    await expect(save(q1, 6, 1.5)).rejects.toThrow(/validation_failed/);
  });
});

describe('abandoned attempts', () => {
  it('ends an attempt nobody used by the time its window closed as abandoned, not graded; others expire', async () => {
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    const exam = await publishedExam(t, teacher, { availableAnytime: false, startsAt, endsAt });
    const left = await startedAttempt(t, teacher, exam.id);
    const answered = await startedAttempt(t, teacher, exam.id);
    const stillOpen = await startedAttempt(t, teacher, exam.id);
    // Nothing saved, no page open, but the student's own window (an accommodation) is still open.
    const ownWindow = await startedAttempt(t, teacher, exam.id);
    const anytime = await publishedExam(t, teacher);
    const noWindow = await startedAttempt(t, teacher, anytime.id);

    // One answer saved, then the page closed.
    const s1 = await openSocket(t.url, answered.student);
    const snap = await call(s1, 'attempt:join', { attemptId: answered.attemptId, deviceId: 'abandon-dev-0001' });
    await call(s1, 'answer:save', {
      attemptId: answered.attemptId,
      seq: 1,
      questionId: snap.questions[0].id,
      response: { optionId: 'b' },
    });
    s1.close();
    await waitFor('the closed page to leave', async () => {
      const open = await t.system.db
        .select()
        .from(presence)
        .where(and(eq(presence.attemptId, answered.attemptId), sql`${presence.leftAt} is null`));
      return open.length === 0;
    });
    // Nothing saved, but the page is still open.
    await joined(stillOpen.student, stillOpen.attemptId, 'abandon-dev-0002');

    // The window closed a minute ago and every deadline has passed.
    const ids = [left.attemptId, answered.attemptId, stillOpen.attemptId, noWindow.attemptId, ownWindow.attemptId];
    await t.system.db.execute(sql`update exam_participants p
      set window_starts_at = now() - interval '2 hours', window_ends_at = now() + interval '1 hour'
      from attempts a where a.id = ${ownWindow.attemptId} and p.id = a.participant_id`);
    await t.system.db
      .update(exams)
      .set({ startsAt: sql`now() - interval '2 hours'`, endsAt: sql`now() - interval '1 minute'` })
      .where(eq(exams.id, exam.id));
    await t.system.db
      .update(attempts)
      .set({ deadlineAt: sql`now() - interval '1 minute'` })
      .where(sql`${attempts.id} in ${ids}`);
    const queued: string[] = [];
    const grading = { enqueue: async (id: string) => void queued.push(id) };
    expect(await sweepExpired(t.system.db, silentPublisher, 500, grading)).toBeGreaterThanOrEqual(5);

    const rows = await t.system.db
      .select()
      .from(attempts)
      .where(sql`${attempts.id} in ${ids}`);
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(left.attemptId)).toMatchObject({ status: 'abandoned', endedReason: 'abandoned' });
    expect(byId.get(answered.attemptId)).toMatchObject({ status: 'expired', endedReason: 'time_up' });
    expect(byId.get(stillOpen.attemptId)).toMatchObject({ status: 'expired' });
    expect(byId.get(noWindow.attemptId)).toMatchObject({ status: 'expired' });
    expect(byId.get(ownWindow.attemptId)).toMatchObject({ status: 'expired' });
    const audit = await t.system.db.select().from(auditLogs).where(eq(auditLogs.targetId, left.attemptId));
    expect(audit.map((a) => a.action)).toContain('attempt.abandoned');

    // The expired ones go to grading; the abandoned one does not, and grading refuses it.
    expect(queued).toEqual(expect.arrayContaining([answered.attemptId, stillOpen.attemptId, noWindow.attemptId]));
    expect(queued).not.toContain(left.attemptId);
    expect(await gradeAttempt(t.system.db, left.attemptId)).toBeNull();
    expect(await gradeAttempt(t.system.db, answered.attemptId)).not.toBeNull();
    const results = await teacher.get(`/api/exams/${exam.id}/results`);
    expect(results.status).toBe(200);
    const statusOf = (id: string) =>
      results.body.rows.find((r: { attemptId: string }) => r.attemptId === id)?.status as string | undefined;
    expect(statusOf(left.attemptId)).toBe('abandoned');
    expect(statusOf(answered.attemptId)).toBe('expired');
  });
});

describe('demo data', () => {
  it('has an exam of the demo course the demo student joins with its code; loading it again changes nothing', async () => {
    const account = (role: string) => DEMO_ACCOUNTS.find((a) => a.role === role)!;
    const secret = t.system.config.secret;
    await seedDemo(t.system.db);
    await seedDemoExams(t.system.db, secret, account('teacher').email, account('student').email);
    const first = await seedDemoSettings(t.system.db, secret, account('teacher').email);
    expect(first.code).toBe(DEMO_EXAM_CODE);
    const auditRows = async () => (await t.system.db.select({ id: auditLogs.id }).from(auditLogs)).length;
    const before = await auditRows();
    expect(await seedDemoSettings(t.system.db, secret, account('teacher').email)).toEqual(first);
    expect(await auditRows()).toBe(before);

    const [exam] = await t.system.db.select().from(exams).where(eq(exams.id, first.examId));
    expect(exam).toMatchObject({ title: DEMO_CODE_EXAM_TITLE, status: 'published', blindGrading: true });
    expect(exam!.proctoring).toMatchObject({ enabled: true, strictMode: true });
    const s = new Client(t.url);
    expect((await s.signIn(account('student').email, account('student').password)).status).toBe(200);
    const joinedDemo = await s.post('/api/my/exams/join', { code: DEMO_EXAM_CODE.toLowerCase() });
    expect(joinedDemo.status, JSON.stringify(joinedDemo.body)).toBe(200);
    expect(joinedDemo.body).toMatchObject({ examId: first.examId, joined: true });
  });
});
