// The exam lobby: entering with a code spends it and sets the attempt cookie but starts no
// clock; POST /api/attempts/{id}/begin starts it exactly once; in the 'proctor' start mode
// begin waits for a proctor to open the hall, which tells every waiting lobby at once; a
// lobby whose exam closed ends as abandoned; every change is audited in its transaction.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { ATTEMPT_COOKIE, type Clock } from '@exam-hall/protocol';
import { attempts, auditLogs, examParticipants, exams } from '../../src/db/schema/index.ts';
import { sweepExpired } from '../../src/modules/attempts/attempts.expiry.ts';
import { silentPublisher } from '../../src/modules/hall/hall.events.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { Client } from '../support/http-client.ts';
import { assignProctor, publishedExam, signedIn } from '../support/fixtures.ts';
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

async function socketFor(c: Client) {
  const s = await openSocket(t.url, c);
  sockets.push(s);
  return s;
}

/** Invites a fresh email and enters the lobby with its code; answers the student's client and attempt id. */
async function enterLobby(examId: string) {
  const email = `lobby-${Math.random().toString(36).slice(2, 10)}@school.example`;
  const inv = await teacher.post(`/api/exams/${examId}/participants`, { email });
  expect(inv.status).toBe(201);
  const student = new Client(t.url);
  const entered = await student.post('/api/attempts/start', { email, code: inv.body.code });
  expect(entered.status, JSON.stringify(entered.body)).toBe(201);
  return { student, email, attemptId: entered.body.attempt.id as string, entered };
}

const row = async (id: string) => (await t.system.db.select().from(attempts).where(eq(attempts.id, id)))[0]!;
const auditOf = async (targetId: string) =>
  (await t.system.db.select().from(auditLogs).where(eq(auditLogs.targetId, targetId)).orderBy(auditLogs.id)).map(
    (l) => l.action,
  );

/** Makes the audit rows of `actions` fail to insert while `work` runs (in this test's own database). */
async function refuseAudit(actions: string[], work: () => Promise<void>) {
  await t.system.db.execute(sql`create or replace function refuse_audit() returns trigger language plpgsql as $$
      begin raise exception 'audit refused for %', new.action; end $$`);
  await t.system.db.execute(
    sql`create trigger refuse_audit before insert on audit_logs for each row when (new.action in (${sql.raw(
      actions.map((a) => `'${a}'`).join(', '),
    )})) execute function refuse_audit()`,
  );
  try {
    await work();
  } finally {
    await t.system.db.execute(sql`drop trigger if exists refuse_audit on audit_logs`);
  }
}

describe('the lobby', () => {
  it('entering with a code spends it and sets the cookie, but leaves the attempt not started with no clock', async () => {
    const exam = await publishedExam(t, teacher, {
      durationMinutes: 40,
      maxAttempts: 2,
      instructions: 'Calculators allowed. One sheet of notes.',
      proctoring: { enabled: true, requireFullscreen: true, blockCopyPaste: true, strictMode: false },
    });
    const { student, email, attemptId, entered } = await enterLobby(exam.id);
    expect(entered.body.attempt).toMatchObject({ status: 'not_started', startedAt: null, deadlineAt: null });
    const a = await row(attemptId);
    expect(a).toMatchObject({ status: 'not_started', startedAt: null, deadlineAt: null });
    const [p] = await t.system.db.select().from(examParticipants).where(eq(examParticipants.email, email));
    expect(p!.codeStatus).toBe('used');
    expect(student.jar.get(ATTEMPT_COOKIE)).toMatch(new RegExp(`^${attemptId}\\.`));

    // A reload of the lobby finds it by the cookie; the lobby says what the exam is and what is watched.
    expect((await student.get(`/api/attempts/${attemptId}`)).body.attempt.status).toBe('not_started');
    const lobby = await student.get(`/api/attempts/${attemptId}/lobby`);
    expect(lobby.status).toBe(200);
    expect(lobby.body).toMatchObject({
      canBegin: true,
      exam: {
        title: 'Hall exam',
        durationMinutes: 40,
        questionCount: 4,
        maxAttempts: 2,
        instructions: 'Calculators allowed. One sheet of notes.',
        startMode: 'student',
        proctoring: { enabled: true, requireFullscreen: true, blockCopyPaste: true },
      },
    });
    expect((await new Client(t.url).get(`/api/attempts/${attemptId}/lobby`)).status).toBe(404);
    expect((await teacher.get(`/api/attempts/${attemptId}/lobby`)).status).toBe(404);

    // The lobby's socket sees no questions before the clock starts; the proctor sees "in the lobby" (not_started, with an attempt).
    const s = await socketFor(student);
    const snap = await call(s, 'attempt:join', { attemptId, deviceId: 'lobby-device-001' });
    expect(snap.attempt.status).toBe('not_started');
    expect(snap.questions).toEqual([]);
    const hall = await call(await socketFor(teacher), 'hall:watch', { examId: exam.id });
    expect(hall.rows).toEqual([expect.objectContaining({ attemptId, status: 'not_started', connections: 1 })]);
    // The expiry sweep leaves a lobby of an open exam alone.
    await sweepExpired(t.system.db, silentPublisher);
    expect((await row(attemptId)).status).toBe('not_started');
    expect(await auditOf(attemptId)).toEqual(['attempt.entered_lobby']);
  });

  it('begin starts the clock exactly once: concurrent begins all answer the same running attempt', async () => {
    const exam = await publishedExam(t, teacher, { durationMinutes: 25 });
    const { student, attemptId } = await enterLobby(exam.id);
    // Neither a stranger, nor the teacher, nor an anonymous caller can begin someone's attempt.
    expect((await new Client(t.url).post(`/api/attempts/${attemptId}/begin`)).status).toBe(404);
    expect((await teacher.post(`/api/attempts/${attemptId}/begin`)).status).toBe(404);
    expect((await row(attemptId)).status).toBe('not_started');

    const before = Date.now();
    const replies = await Promise.all(
      Array.from({ length: 20 }, () => student.post(`/api/attempts/${attemptId}/begin`)),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(200));
    const deadlines = new Set(replies.map((r) => r.body.attempt.deadlineAt));
    expect(deadlines.size).toBe(1);
    const deadline = Date.parse([...deadlines][0]!);
    expect(deadline - before).toBeGreaterThan(25 * 60_000 - 5_000);
    expect(deadline - before).toBeLessThan(25 * 60_000 + 5_000);
    expect(replies[0]!.body.attempt.status).toBe('in_progress');
    expect(await auditOf(attemptId)).toEqual(['attempt.entered_lobby', 'attempt.started']);

    // A reload (or a late click) answers the running attempt unchanged.
    const again = await student.post(`/api/attempts/${attemptId}/begin`);
    expect(again.body.attempt.deadlineAt).toBe(replies[0]!.body.attempt.deadlineAt);
    const s = await socketFor(student);
    const snap = await call(s, 'attempt:join', { attemptId, deviceId: 'lobby-device-002' });
    expect(snap.questions).toHaveLength(4);

    // Once ended, it cannot begin again.
    await call(s, 'attempt:submit', { attemptId });
    const ended = await student.post(`/api/attempts/${attemptId}/begin`);
    expect(ended.status).toBe(409);
    expect(ended.body.error.code).toBe('invalid_transition');
  });

  it('a signed-in student enters from My exams, comes back to the same lobby, and begins', async () => {
    const exam = await publishedExam(t, teacher);
    const s = await signedIn(t, 'student');
    await teacher.post(`/api/exams/${exam.id}/participants`, { email: s.user.email });
    const first = await s.post(`/api/exams/${exam.id}/attempts`);
    expect(first.status).toBe(201);
    expect(first.body.attempt.status).toBe('not_started');
    const second = await s.post(`/api/exams/${exam.id}/attempts`);
    expect(second.body.attempt.id).toBe(first.body.attempt.id);
    expect((await s.get('/api/my/exams')).body.exams[0]).toMatchObject({
      canStart: false,
      latestAttempt: { id: first.body.attempt.id, status: 'not_started' },
    });
    const begun = await s.post(`/api/attempts/${first.body.attempt.id}/begin`);
    expect(begun.status).toBe(200);
    expect(begun.body.attempt.status).toBe('in_progress');
  });

  it('a lobby can move to another device with a resume code', async () => {
    const exam = await publishedExam(t, teacher);
    const { email, attemptId } = await enterLobby(exam.id);
    const issued = await teacher.post(`/api/attempts/${attemptId}/resume-codes`);
    expect(issued.status).toBe(201);
    const phone = new Client(t.url);
    const moved = await phone.post('/api/attempts/resume', { email, code: issued.body.code });
    expect(moved.status).toBe(200);
    expect(moved.body.attempt.status).toBe('not_started');
    expect((await phone.post(`/api/attempts/${attemptId}/begin`)).status).toBe(200);
  });
});

describe('proctor start mode', () => {
  it('begin is refused until a proctor who may watch the exam opens the hall; waiting lobbies hear it at once', async () => {
    const exam = await publishedExam(t, teacher, { startMode: 'proctor' });
    expect((await teacher.get(`/api/exams/${exam.id}`)).body.startMode).toBe('proctor');
    const proctor = await signedIn(t, 'proctor');
    await assignProctor(t, teacher, exam.id, proctor.user.id);
    const { student, attemptId } = await enterLobby(exam.id);

    const lobby = await student.get(`/api/attempts/${attemptId}/lobby`);
    expect(lobby.body).toMatchObject({ canBegin: false, exam: { startMode: 'proctor', hallOpen: false } });
    const early = await student.post(`/api/attempts/${attemptId}/begin`);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('hall_not_open');
    expect(early.body.error.message).toMatch(/proctor has not opened the hall/);
    expect((await row(attemptId)).status).toBe('not_started');

    const state = await proctor.get(`/api/exams/${exam.id}/hall/lobby`);
    expect(state.body).toEqual({ examId: exam.id, startMode: 'proctor', hallOpenedAt: null, waiting: 1 });

    // Nobody else opens it: a student, an anonymous caller, a foreign teacher, a proctor not assigned.
    const signedStudent = await signedIn(t, 'student');
    const foreignTeacher = await signedIn(t, 'teacher');
    const otherProctor = await signedIn(t, 'proctor');
    expect((await signedStudent.post(`/api/exams/${exam.id}/hall/open`)).status).toBe(403);
    expect((await new Client(t.url).post(`/api/exams/${exam.id}/hall/open`)).status).toBe(401);
    expect((await foreignTeacher.post(`/api/exams/${exam.id}/hall/open`)).status).toBe(404);
    expect((await otherProctor.post(`/api/exams/${exam.id}/hall/open`)).status).toBe(404);
    expect((await otherProctor.get(`/api/exams/${exam.id}/hall/lobby`)).status).toBe(404);
    expect((await signedStudent.get(`/api/exams/${exam.id}/hall/lobby`)).status).toBe(403);
    const [closed] = await t.system.db.select().from(exams).where(eq(exams.id, exam.id));
    expect(closed!.hallOpenedAt).toBeNull();

    // The assigned proctor opens it: the waiting lobby hears it, then its begin works.
    const lobbySocket = await socketFor(student);
    await call(lobbySocket, 'attempt:join', { attemptId, deviceId: 'lobby-device-003' });
    const heard = nextEvent<Clock>(lobbySocket, 'attempt:clock');
    const opened = await proctor.post(`/api/exams/${exam.id}/hall/open`);
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({ startMode: 'proctor', waiting: 1 });
    expect(opened.body.hallOpenedAt).not.toBeNull();
    expect(await heard).toMatchObject({ attemptId, status: 'not_started', reason: 'hall_opened' });
    const begun = await student.post(`/api/attempts/${attemptId}/begin`);
    expect(begun.status).toBe(200);
    expect(begun.body.attempt.status).toBe('in_progress');

    // Idempotent: opening again changes nothing and records nothing more.
    const twice = await teacher.post(`/api/exams/${exam.id}/hall/open`);
    expect(twice.status).toBe(200);
    expect(twice.body.hallOpenedAt).toBe(opened.body.hallOpenedAt);
    const opens = await t.system.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.targetId, exam.id), eq(auditLogs.action, 'exam.hall_opened')));
    expect(opens).toHaveLength(1);
    expect(opens[0]!.actorId).toBe(proctor.user.id);
    expect(opens[0]!.details).toEqual({ waiting: 1 });

    // A later arrival can start by themselves.
    const late = await enterLobby(exam.id);
    expect((await late.student.get(`/api/attempts/${late.attemptId}/lobby`)).body.canBegin).toBe(true);
    expect((await late.student.post(`/api/attempts/${late.attemptId}/begin`)).status).toBe(200);
  });

  it('refuses to open the hall of an exam students start themselves', async () => {
    const exam = await publishedExam(t, teacher);
    const res = await teacher.post(`/api/exams/${exam.id}/hall/open`);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/start mode/);
    const bad = await teacher.request('PATCH', `/api/exams/${exam.id}`, { startMode: 'whenever' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].path).toBe('body.startMode');
  });
});

describe('lobbies of an exam that closed', () => {
  it('end as abandoned: at begin (403) and by the expiry sweep, never a running attempt', async () => {
    const exam = await publishedExam(t, teacher, {
      availableAnytime: false,
      startsAt: new Date(Date.now() - 3_600_000).toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const a = await enterLobby(exam.id);
    const b = await enterLobby(exam.id);
    const running = await enterLobby(exam.id);
    expect((await running.student.post(`/api/attempts/${running.attemptId}/begin`)).status).toBe(200);
    // The window closes (moved into the past rather than waited for).
    await t.system.db
      .update(exams)
      .set({ endsAt: sql`now() - interval '1 second'` })
      .where(eq(exams.id, exam.id));

    const lobbySocket = await socketFor(a.student);
    await call(lobbySocket, 'attempt:join', { attemptId: a.attemptId, deviceId: 'lobby-device-004' });
    const told = nextEvent(lobbySocket, 'attempt:ended');
    const refused = await a.student.post(`/api/attempts/${a.attemptId}/begin`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('exam_not_available');
    expect(refused.body.error.message).toMatch(/closed at .* before your attempt started/);
    expect(await told).toMatchObject({ attemptId: a.attemptId, status: 'abandoned', reason: 'exam_closed' });
    expect(await row(a.attemptId)).toMatchObject({ status: 'abandoned', endedReason: 'exam_closed', startedAt: null });
    expect(await auditOf(a.attemptId)).toEqual(['attempt.entered_lobby', 'attempt.lobby_closed']);

    expect(await sweepExpired(t.system.db, silentPublisher)).toBeGreaterThanOrEqual(1);
    expect(await row(b.attemptId)).toMatchObject({ status: 'abandoned', endedReason: 'exam_closed' });
    expect((await row(running.attemptId)).status).toBe('in_progress');
    expect((await b.student.get(`/api/attempts/${b.attemptId}/lobby`)).body.canBegin).toBe(false);
  });
});

describe('audit rows commit with their change', () => {
  it('entering, beginning and opening the hall roll back when their audit row cannot be written', async () => {
    const exam = await publishedExam(t, teacher, { startMode: 'proctor' });
    const email = `audit-${Math.random().toString(36).slice(2, 10)}@school.example`;
    const inv = await teacher.post(`/api/exams/${exam.id}/participants`, { email });
    const student = new Client(t.url);
    await refuseAudit(['attempt.entered_lobby'], async () => {
      expect((await student.post('/api/attempts/start', { email, code: inv.body.code })).status).toBe(500);
    });
    const [p] = await t.system.db.select().from(examParticipants).where(eq(examParticipants.email, email));
    expect(p!.codeStatus).toBe('unused');
    expect(await t.system.db.select().from(attempts).where(eq(attempts.participantId, p!.id))).toEqual([]);

    const entered = await student.post('/api/attempts/start', { email, code: inv.body.code });
    expect(entered.status).toBe(201);
    const attemptId = entered.body.attempt.id as string;

    await refuseAudit(['exam.hall_opened'], async () => {
      expect((await teacher.post(`/api/exams/${exam.id}/hall/open`)).status).toBe(500);
    });
    const [still] = await t.system.db.select().from(exams).where(eq(exams.id, exam.id));
    expect(still!.hallOpenedAt).toBeNull();
    expect((await student.post(`/api/attempts/${attemptId}/begin`)).status).toBe(409);

    expect((await teacher.post(`/api/exams/${exam.id}/hall/open`)).status).toBe(200);
    await refuseAudit(['attempt.started'], async () => {
      expect((await student.post(`/api/attempts/${attemptId}/begin`)).status).toBe(500);
    });
    expect(await row(attemptId)).toMatchObject({ status: 'not_started', startedAt: null, deadlineAt: null });
    expect((await student.post(`/api/attempts/${attemptId}/begin`)).status).toBe(200);
    expect(await auditOf(attemptId)).toEqual(['attempt.entered_lobby', 'attempt.started']);
  });
});
