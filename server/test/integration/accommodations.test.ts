// Accommodations: extra time (minutes and/or percent of the duration) added to the deadline
// at the start, an own window replacing the exam's, extra attempts beyond the maximum; a
// change moves a running attempt's deadline at once and the student's socket hears why.
// Set by the exam's teachers and admins, read by its proctors too; every change audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { accommodationChangeMessage, type Clock } from '@exam-hall/protocol';
import { attempts, auditLogs, examParticipants, exams } from '../../src/db/schema/index.ts';
import { transitionAttempt } from '../../src/modules/attempts/attempts.state.ts';
import { sweepClosedLobbies } from '../../src/modules/attempts/attempts.lobby.ts';
import { silentPublisher } from '../../src/modules/hall/hall.events.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { Client } from '../support/http-client.ts';
import { assignProctor, publishedExam, signedIn, startedAttempt } from '../support/fixtures.ts';
import { begin } from '../support/attempts.ts';
import { call, nextEvent, openSocket, type TestSocket } from '../support/sockets.ts';

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

const hour = 3_600_000;
const iso = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString();
const path = (examId: string, participantId: string) =>
  `/api/exams/${examId}/participants/${participantId}/accommodation`;
const attemptRow = async (id: string) => (await t.system.db.select().from(attempts).where(eq(attempts.id, id)))[0]!;

/** Invites a fresh email; answers its code and participant id. */
async function invite(examId: string) {
  const email = `acc-${Math.random().toString(36).slice(2, 10)}@school.example`;
  const inv = await teacher.post(`/api/exams/${examId}/participants`, { email });
  expect(inv.status, JSON.stringify(inv.body)).toBe(201);
  return { email, code: inv.body.code as string, participantId: inv.body.participant.id as string };
}

async function enter(examId: string, who: { email: string; code: string }) {
  const student = new Client(t.url);
  const entered = await student.post('/api/attempts/start', { email: who.email, code: who.code });
  return { student, entered };
}

describe('extra time at the start', () => {
  it('adds minutes plus the percent of the duration to the deadline, and shows it in the lobby', async () => {
    const exam = await publishedExam(t, teacher, { durationMinutes: 60 });
    const p = await invite(exam.id);
    const set = await teacher.request('PUT', path(exam.id, p.participantId), {
      extraTimeMinutes: 10,
      extraTimePercent: 25,
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toMatchObject({
      accommodation: { participantId: p.participantId, extraTimeMinutes: 10, extraTimePercent: 25, extraAttempts: 0 },
      applied: null,
    });
    const { student, entered } = await enter(exam.id, p);
    expect(entered.status).toBe(201);
    const attemptId = entered.body.attempt.id as string;
    const lobby = await student.get(`/api/attempts/${attemptId}/lobby`);
    expect(lobby.body.accommodation).toMatchObject({ extraTimeMinutes: 10, extraTimePercent: 25, extraSeconds: 1500 });
    const before = Date.now();
    await begin(student, attemptId);
    const a = await attemptRow(attemptId);
    // 60 min + 25 % (15 min) + 10 min = 85 min.
    expect(a.accommodationSeconds).toBe(1500);
    const left = a.deadlineAt!.getTime() - before;
    expect(left).toBeGreaterThan(85 * 60_000 - 5000);
    expect(left).toBeLessThan(85 * 60_000 + 5000);
  });

  it('tells a student waiting in the lobby, whose lobby then shows the new time', async () => {
    const exam = await publishedExam(t, teacher, { durationMinutes: 60 });
    const p = await invite(exam.id);
    const { student, entered } = await enter(exam.id, p);
    const attemptId = entered.body.attempt.id as string;
    const socket = await openSocket(t.url, student);
    sockets.push(socket);
    await call(socket, 'attempt:join', { attemptId, deviceId: 'device-lobby-0001' });
    const heard = nextEvent<Clock>(socket, 'attempt:clock');
    const set = await teacher.request('PUT', path(exam.id, p.participantId), { extraTimePercent: 25 });
    expect(set.body.applied).toBeNull();
    expect(await heard).toMatchObject({ attemptId, reason: 'accommodation', status: 'not_started' });
    const lobby = await student.get(`/api/attempts/${attemptId}/lobby`);
    expect(lobby.body.accommodation).toMatchObject({ extraTimePercent: 25, extraSeconds: 900 });
  });

  it('rounds the percent to whole seconds and leaves others untouched', async () => {
    const exam = await publishedExam(t, teacher, { durationMinutes: 7 });
    const p = await invite(exam.id);
    const other = await invite(exam.id);
    expect((await teacher.request('PUT', path(exam.id, p.participantId), { extraTimePercent: 33 })).status).toBe(200);
    const { student, entered } = await enter(exam.id, p);
    await begin(student, entered.body.attempt.id);
    expect((await attemptRow(entered.body.attempt.id)).accommodationSeconds).toBe(139); // 420 s * 33 % = 138.6
    const plain = await enter(exam.id, other);
    await begin(plain.student, plain.entered.body.attempt.id);
    const a = await attemptRow(plain.entered.body.attempt.id);
    expect(a.accommodationSeconds).toBe(0);
    expect(a.deadlineAt!.getTime() - a.startedAt!.getTime()).toBeLessThanOrEqual(7 * 60_000 + 1000);
  });
});

describe('own window', () => {
  it('admits a student outside the exam’s window inside their own, and refuses outside their own', async () => {
    // The exam's window is tomorrow.
    const exam = await publishedExam(t, teacher, {
      availableAnytime: false,
      startsAt: iso(24 * hour),
      endsAt: iso(26 * hour),
    });
    const early = await invite(exam.id);
    const plain = await invite(exam.id);
    const later = await invite(exam.id);
    const own = { windowStartsAt: iso(-hour), windowEndsAt: iso(hour) };
    expect((await teacher.request('PUT', path(exam.id, early.participantId), own)).status).toBe(200);
    expect(
      (
        await teacher.request('PUT', path(exam.id, later.participantId), {
          windowStartsAt: iso(48 * hour),
          windowEndsAt: iso(50 * hour),
        })
      ).status,
    ).toBe(200);

    const refused = await enter(exam.id, plain);
    expect(refused.entered.status).toBe(403);
    expect(refused.entered.body.error.code).toBe('exam_not_available');
    // Inside the exam's window would not help either: their own window replaces it.
    const notYet = await enter(exam.id, later);
    expect(notYet.entered.status).toBe(403);
    expect(notYet.entered.body.error.message).toMatch(/opens at/);

    const admitted = await enter(exam.id, early);
    expect(admitted.entered.status, JSON.stringify(admitted.entered.body)).toBe(201);
    const id = admitted.entered.body.attempt.id as string;
    const lobby = await admitted.student.get(`/api/attempts/${id}/lobby`);
    expect(lobby.body).toMatchObject({ canBegin: true, exam: { endsAt: own.windowEndsAt } });
    await begin(admitted.student, id);
    // The deadline never falls after the own window's end (30 min exam, an hour left).
    const a = await attemptRow(id);
    expect(a.status).toBe('in_progress');
    expect(a.deadlineAt!.getTime()).toBeLessThanOrEqual(Date.parse(own.windowEndsAt));
  });

  it('keeps a lobby open past the exam’s end while the own window runs (the expiry sweep too)', async () => {
    const exam = await publishedExam(t, teacher);
    // The exam's window closed two hours ago (set directly: the API refuses a window in the past).
    await t.system.db
      .update(exams)
      .set({
        availableAnytime: false,
        startsAt: new Date(Date.now() - 3 * hour),
        endsAt: new Date(Date.now() - 2 * hour),
      })
      .where(eq(exams.id, exam.id));
    const p = await invite(exam.id);
    const own = { windowStartsAt: iso(-hour), windowEndsAt: iso(hour) };
    expect((await teacher.request('PUT', path(exam.id, p.participantId), own)).status).toBe(200);
    const { student, entered } = await enter(exam.id, p);
    expect(entered.status, JSON.stringify(entered.body)).toBe(201);
    const id = entered.body.attempt.id as string;
    expect(await sweepClosedLobbies(t.system.db, silentPublisher)).toBe(0);
    expect((await attemptRow(id)).status).toBe('not_started');
    await begin(student, id);
    expect((await attemptRow(id)).status).toBe('in_progress');
  });

  it('refuses a window with one end, or ending before it starts, naming the field and changing nothing', async () => {
    const exam = await publishedExam(t, teacher);
    const p = await invite(exam.id);
    const oneEnd = await teacher.request('PUT', path(exam.id, p.participantId), { windowStartsAt: iso(0) });
    expect(oneEnd.status).toBe(400);
    expect(oneEnd.body.error.fields).toEqual([
      expect.objectContaining({ path: 'body.windowEndsAt', message: expect.stringMatching(/both/) }),
    ]);
    const backwards = await teacher.request('PUT', path(exam.id, p.participantId), {
      windowStartsAt: iso(hour),
      windowEndsAt: iso(0),
    });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.fields[0]).toMatchObject({ path: 'body.windowEndsAt' });
    for (const [field, value] of [
      ['extraTimePercent', 301],
      ['extraTimeMinutes', -1],
      ['extraAttempts', 1.5],
      ['extraTimeMinutes', '10'],
    ] as const) {
      const bad = await teacher.request('PUT', path(exam.id, p.participantId), { [field]: value });
      expect(bad.status, `${field}=${value}`).toBe(400);
      expect(bad.body.error.fields[0].path).toBe(`body.${field}`);
    }
    const [row] = await t.system.db.select().from(examParticipants).where(eq(examParticipants.id, p.participantId));
    expect(row).toMatchObject({ extraTimeMinutes: 0, extraTimePercent: 0, windowStartsAt: null, extraAttempts: 0 });
    expect(row!.accommodationUpdatedAt).toBeNull();
  });
});

describe('extra attempts', () => {
  it('adds to the exam’s maximum', async () => {
    const exam = await publishedExam(t, teacher, { maxAttempts: 1 });
    const student = await signedIn(t, 'student');
    const inv = await teacher.post(`/api/exams/${exam.id}/participants`, { email: student.user.email });
    expect(inv.status).toBe(201);
    const first = await student.post(`/api/exams/${exam.id}/attempts`);
    expect(first.status).toBe(201);
    await begin(student, first.body.attempt.id);
    await transitionAttempt(t.system.db, first.body.attempt.id, 'submitted');
    const second = await student.post(`/api/exams/${exam.id}/attempts`);
    expect(second.status).toBe(403);
    expect(second.body.error.code).toBe('attempt_limit_reached');
    const pid = inv.body.participant.id as string;
    expect((await teacher.request('PUT', path(exam.id, pid), { extraAttempts: 1 })).status).toBe(200);
    const mine = (await student.get('/api/my/exams')).body;
    const listed = (Array.isArray(mine) ? mine : mine.exams).find((e: { examId: string }) => e.examId === exam.id);
    expect(listed).toMatchObject({ maxAttempts: 2, canStart: true });
    const again = await student.post(`/api/exams/${exam.id}/attempts`);
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.body.attempt.attemptNumber).toBe(2);
  });
});

describe('a change reaches a running attempt at once', () => {
  it('moves the deadline by the difference and tells the student’s socket why', async () => {
    const exam = await publishedExam(t, teacher, { durationMinutes: 60 });
    const { student, attemptId, participantId } = await startedAttempt(t, teacher, exam.id);
    const socket = await openSocket(t.url, student);
    sockets.push(socket);
    await call(socket, 'attempt:join', { attemptId, deviceId: 'device-acc-0001' });
    const before = await attemptRow(attemptId);

    const heard = nextEvent<Clock>(socket, 'attempt:clock');
    const set = await teacher.request('PUT', path(exam.id, participantId), { extraTimePercent: 25 });
    expect(set.status).toBe(200);
    expect(set.body.applied).toMatchObject({ attemptId, deltaSeconds: 900 });
    const clock = await heard;
    expect(clock).toMatchObject({
      attemptId,
      reason: 'accommodation',
      deltaSeconds: 900,
      accommodation: { extraTimeMinutes: 0, extraTimePercent: 25 },
    });
    expect(accommodationChangeMessage(clock.accommodation!, clock.deltaSeconds!)).toBe(
      'Your extra time (25%) was applied: +15 minutes.',
    );
    const after = await attemptRow(attemptId);
    expect(after.deadlineAt!.getTime() - before.deadlineAt!.getTime()).toBe(900_000);
    expect(clock.deadlineAt).toBe(after.deadlineAt!.toISOString());
    expect(after.accommodationSeconds).toBe(900);
    expect(after.extraSeconds).toBe(0); // the proctor's share is its own

    // Another change moves only by the difference; clearing takes it all back.
    const heard2 = nextEvent<Clock>(socket, 'attempt:clock');
    expect(
      (await teacher.request('PUT', path(exam.id, participantId), { extraTimeMinutes: 5 })).body.applied.deltaSeconds,
    ).toBe(-600);
    expect((await heard2).deltaSeconds).toBe(-600);
    const cleared = await teacher.delete(path(exam.id, participantId));
    expect(cleared.status).toBe(200);
    expect(cleared.body.applied.deltaSeconds).toBe(-300);
    expect((await attemptRow(attemptId)).deadlineAt!.getTime()).toBe(before.deadlineAt!.getTime());

    const audit = await t.system.db.select().from(auditLogs).where(eq(auditLogs.targetId, participantId));
    const sets = audit.filter((l) => l.action === 'participant.accommodation_set');
    expect(sets).toHaveLength(3);
    expect(sets[0]!.details).toMatchObject({ examId: exam.id, extraTimePercent: 25, attemptId, deltaSeconds: 900 });
  });

  it('never leaves less than a minute when time is taken, and shows the badge in the hall row', async () => {
    const exam = await publishedExam(t, teacher, { durationMinutes: 60 });
    const { attemptId, participantId } = await startedAttempt(t, teacher, exam.id);
    expect((await teacher.request('PUT', path(exam.id, participantId), { extraTimeMinutes: 30 })).status).toBe(200);
    // Only two minutes are left now; taking the 30 minutes away leaves one.
    await t.system.db
      .update(attempts)
      .set({ deadlineAt: new Date(Date.now() + 120_000) })
      .where(eq(attempts.id, attemptId));
    const cleared = await teacher.delete(path(exam.id, participantId));
    expect(cleared.status).toBe(200);
    const left = (await attemptRow(attemptId)).deadlineAt!.getTime() - Date.now();
    expect(left).toBeGreaterThan(55_000);
    expect(left).toBeLessThanOrEqual(61_000);

    expect((await teacher.request('PUT', path(exam.id, participantId), { extraTimePercent: 50 })).status).toBe(200);
    const watcher = await openSocket(t.url, teacher);
    sockets.push(watcher);
    const snapshot = await call(watcher, 'hall:watch', { examId: exam.id });
    const row = snapshot.rows.find((r: { participantId: string }) => r.participantId === participantId);
    expect(row.accommodation).toMatchObject({ extraTimePercent: 50, extraSeconds: 1800 });
  });
});

describe('who may see and change accommodations', () => {
  it('lets the exam’s proctor read, refuses writes by proctors and students, and answers 404 to other teachers', async () => {
    const exam = await publishedExam(t, teacher);
    const p = await invite(exam.id);
    expect((await teacher.request('PUT', path(exam.id, p.participantId), { extraAttempts: 2 })).status).toBe(200);
    const proctor = await signedIn(t, 'proctor');
    await assignProctor(t, teacher, exam.id, proctor.user.id);
    const listed = await proctor.get(`/api/exams/${exam.id}/accommodations`);
    expect(listed.status).toBe(200);
    expect(listed.body.accommodations).toEqual([
      expect.objectContaining({ participantId: p.participantId, extraAttempts: 2 }),
    ]);
    expect((await proctor.get(path(exam.id, p.participantId))).status).toBe(200);
    expect((await proctor.request('PUT', path(exam.id, p.participantId), { extraAttempts: 0 })).status).toBe(403);
    expect((await proctor.delete(path(exam.id, p.participantId))).status).toBe(403);

    const stranger = await signedIn(t, 'teacher');
    expect((await stranger.get(`/api/exams/${exam.id}/accommodations`)).status).toBe(404);
    expect((await stranger.request('PUT', path(exam.id, p.participantId), { extraAttempts: 5 })).status).toBe(404);
    const student = await signedIn(t, 'student');
    expect((await student.request('PUT', path(exam.id, p.participantId), { extraAttempts: 5 })).status).toBe(403);
    expect((await new Client(t.url).get(`/api/exams/${exam.id}/accommodations`)).status).toBe(401);

    // A participant of another exam is not found under this one.
    const otherExam = await publishedExam(t, teacher);
    expect((await teacher.request('PUT', path(otherExam.id, p.participantId), { extraAttempts: 1 })).status).toBe(404);
    const [row] = await t.system.db.select().from(examParticipants).where(eq(examParticipants.id, p.participantId));
    expect(row!.extraAttempts).toBe(2);
  });
});
