import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { answers, attempts, auditLogs, presence, proctoringEvents } from '../../src/db/schema/index.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { Client } from '../support/http-client.ts';
import { assignProctor, publishedExam, signedIn, startedAttempt } from '../support/fixtures.ts';
import { call, nextEvent, openSocket, type TestSocket } from '../support/sockets.ts';
import { waitFor } from '../support/certificates.ts';

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

async function joinedStudent(settings: Record<string, unknown> = {}) {
  const exam = await publishedExam(t, teacher, settings);
  const { student, attemptId, participantId } = await startedAttempt(t, teacher, exam.id);
  const socket = await socketFor(student);
  const snapshot = await call(socket, 'attempt:join', { attemptId, deviceId: 'device-one-0001' });
  return { exam, student, attemptId, participantId, socket, snapshot };
}

describe('joining an attempt', () => {
  it('sends questions without keys in the attempt’s order, saved answers, the deadline and server time', async () => {
    const { snapshot, attemptId } = await joinedStudent({ shuffleQuestions: true, shuffleOptions: true });
    const [row] = await t.system.db.select().from(attempts).where(eq(attempts.id, attemptId));
    expect(snapshot.questions.map((q: { id: string }) => q.id)).toEqual(row!.questionOrder);
    const text = JSON.stringify(snapshot.questions);
    expect(text).not.toContain('answerKey');
    expect(text).not.toContain('correct');
    const first = snapshot.questions.find((q: { type: string }) => q.type === 'single_choice');
    expect(first.content.options.map((o: { id: string }) => o.id)).toEqual(row!.optionOrder[first.id]);
    expect(snapshot.clock.deadlineAt).toBe(row!.deadlineAt!.toISOString());
    expect(Math.abs(Date.parse(snapshot.clock.serverTime) - Date.now())).toBeLessThan(5000);
    expect(snapshot).toMatchObject({
      answers: [],
      lastSeq: 0,
      attempt: { status: 'in_progress', examTitle: 'Hall exam' },
    });
  });

  it('refuses someone else’s attempt and bad payloads without crashing', async () => {
    const { attemptId } = await joinedStudent();
    const intruder = await signedIn(t, 'student');
    const s = await socketFor(intruder);
    await expect(call(s, 'attempt:join', { attemptId, deviceId: 'intruder-0001' })).rejects.toThrow(/not_found/);
    await expect(call(s, 'attempt:join', { attemptId: 'x', deviceId: '1' })).rejects.toThrow(
      /validation_failed.*attemptId/,
    );
    await expect(call(s, 'answer:save', 'garbage')).rejects.toThrow(/validation_failed/);
    await expect(call(s, 'answer:save', { attemptId, seq: 1, questionId: attemptId, response: null })).rejects.toThrow(
      /Join the attempt first/,
    );
    expect(await call(s, 'time:sync')).toHaveProperty('serverTime');
  });

  it('rejects a handshake with neither session nor attempt cookie', async () => {
    await expect(openSocket(t.url, new Client(t.url))).rejects.toThrow('unauthenticated');
  });
});

describe('autosave', () => {
  it('acknowledges after commit, replays idempotently, and never lets a stale save win', async () => {
    const { socket, attemptId, snapshot } = await joinedStudent();
    const q = snapshot.questions.find((x: { type: string }) => x.type === 'single_choice').id;
    const save = (seq: number, optionId: string) =>
      call(socket, 'answer:save', { attemptId, seq, questionId: q, response: { optionId }, flagged: false });
    expect(await save(1, 'b')).toMatchObject({ seq: 1, applied: true });
    const [stored] = await t.system.db.select().from(answers).where(eq(answers.attemptId, attemptId));
    expect(stored).toMatchObject({ response: { optionId: 'b' }, seq: 1 });
    expect(await save(3, 'c')).toMatchObject({ seq: 3, applied: true });
    expect(await save(3, 'c')).toMatchObject({ seq: 3, applied: false }); // replay
    expect(await save(2, 'a')).toMatchObject({ seq: 2, applied: false }); // stale, arrives late
    const [after] = await t.system.db.select().from(answers).where(eq(answers.attemptId, attemptId));
    expect(after).toMatchObject({ response: { optionId: 'c' }, seq: 3 });
    // A page that joins again continues after the highest applied seq (a stale save never lowers it).
    const again = await call(socket, 'attempt:join', { attemptId, deviceId: 'device-one-0001' });
    expect(again.lastSeq).toBe(3);
  });

  it('validates the response against the question type', async () => {
    const { socket, attemptId, snapshot } = await joinedStudent();
    const tf = snapshot.questions.find((x: { type: string }) => x.type === 'true_false').id;
    await expect(
      call(socket, 'answer:save', { attemptId, seq: 1, questionId: tf, response: { optionId: 'a' } }),
    ).rejects.toThrow(/validation_failed: This answer does not fit the question/);
    await expect(
      call(socket, 'answer:save', { attemptId, seq: 2, questionId: attemptId, response: null }),
    ).rejects.toThrow(/not part of the attempt/);
    expect(
      await call(socket, 'answer:save', { attemptId, seq: 3, questionId: tf, response: { value: true } }),
    ).toMatchObject({
      applied: true,
    });
  });

  it('refuses saves after the deadline (past the grace) and while paused', async () => {
    const { socket, attemptId, snapshot } = await joinedStudent();
    const q = snapshot.questions[0].id;
    await t.system.db
      .update(attempts)
      .set({ deadlineAt: sql`now() - interval '10 seconds'` })
      .where(eq(attempts.id, attemptId));
    await expect(call(socket, 'answer:save', { attemptId, seq: 1, questionId: q, response: null })).rejects.toThrow(
      /Time is up/,
    );
    // Within the grace a save that was in flight at the deadline still lands.
    await t.system.db
      .update(attempts)
      .set({ deadlineAt: sql`now() - interval '1 second'` })
      .where(eq(attempts.id, attemptId));
    expect(await call(socket, 'answer:save', { attemptId, seq: 2, questionId: q, response: null })).toMatchObject({
      applied: true,
    });
  });

  it('submits exactly once', async () => {
    const { socket, attemptId } = await joinedStudent();
    const ended = nextEvent(socket, 'attempt:ended');
    expect(await call(socket, 'attempt:submit', { attemptId })).toMatchObject({ status: 'submitted' });
    expect(await ended).toMatchObject({ attemptId, status: 'submitted' });
    await expect(call(socket, 'attempt:submit', { attemptId })).rejects.toThrow(/invalid_transition/);
  });
});

describe('proctoring', () => {
  it('shows students who enter the lobby, then begin, to the watching proctor, rows batched per exam', async () => {
    const exam = await publishedExam(t, teacher);
    const proctor = await signedIn(t, 'proctor');
    await assignProctor(t, teacher, exam.id, proctor.user.id);
    const ps = await socketFor(proctor);
    expect((await call(ps, 'hall:watch', { examId: exam.id })).rows).toEqual([]);
    const latest = new Map<string, string>();
    ps.on('hall:rows', (rows: { participantId: string; status: string }[]) => {
      for (const r of rows) latest.set(r.participantId, r.status);
    });
    const invited = await Promise.all(
      [1, 2, 3].map(async () => {
        const email = `s-${Math.random().toString(36).slice(2, 10)}@school.example`;
        const inv = await teacher.post(`/api/exams/${exam.id}/participants`, { email });
        return { email, code: inv.body.code as string, participantId: inv.body.participant.id as string };
      }),
    );
    // Three students enter the lobby together: their rows reach the proctor without a reload...
    const students = invited.map(() => new Client(t.url));
    const entered = await Promise.all(
      invited.map((s, i) => students[i]!.post('/api/attempts/start', { email: s.email, code: s.code })),
    );
    expect(entered.map((r) => r.status)).toEqual([201, 201, 201]);
    await waitFor('the lobby rows', async () => invited.every((s) => latest.get(s.participantId) === 'not_started'));
    // ... and again once each begins.
    const begun = await Promise.all(
      entered.map((r, i) => students[i]!.post(`/api/attempts/${r.body.attempt.id}/begin`, {})),
    );
    expect(begun.map((r) => r.status)).toEqual([200, 200, 200]);
    await waitFor('the running rows', async () => invited.every((s) => latest.get(s.participantId) === 'in_progress'));
  });

  it('streams progress, presence and alerts to the proctor, with a risk breakdown', async () => {
    const exam = await publishedExam(t, teacher, { proctoring: { enabled: true, blockCopyPaste: true } });
    const proctor = await signedIn(t, 'proctor');
    const ps = await socketFor(proctor);
    await expect(call(ps, 'hall:watch', { examId: exam.id })).rejects.toThrow(/not_found/);
    await assignProctor(t, teacher, exam.id, proctor.user.id);
    const { student, attemptId } = await startedAttempt(t, teacher, exam.id);
    const hall = await call(ps, 'hall:watch', { examId: exam.id });
    expect(hall.rows).toHaveLength(1);
    expect(hall.rows[0]).toMatchObject({ attemptId, status: 'in_progress', connections: 0, answered: 0 });

    const ss = await socketFor(student);
    // The joined row reaches the proctor coalesced with the exam's other joins (one message a second).
    const joinedRow = nextEvent(ps, 'hall:rows');
    const snap = await call(ss, 'attempt:join', { attemptId, deviceId: 'laptop-000001' });
    expect(await joinedRow).toEqual([expect.objectContaining({ attemptId, connections: 1, devices: 1 })]);

    const alert = nextEvent(ps, 'hall:alert');
    await call(ss, 'proctor:signal', {
      attemptId,
      type: 'tab_hidden',
      clientEventId: 'evt-00000001',
      durationMs: 4000,
    });
    const a = await alert;
    expect(a.event).toMatchObject({ type: 'tab_hidden', severity: 'medium', reviewStatus: 'open' });
    expect(a.risk).toEqual({ score: 10, items: [{ type: 'tab_hidden', count: 1, weight: 10, points: 10 }] });
    // The same event replayed after a reconnect is stored once.
    expect(await call(ss, 'proctor:signal', { attemptId, type: 'tab_hidden', clientEventId: 'evt-00000001' })).toEqual({
      stored: false,
    });

    // A second device raises its own alert.
    const phone = await socketFor(student);
    const second = nextEvent(ps, 'hall:alert');
    await call(phone, 'attempt:join', { attemptId, deviceId: 'phone-0000001' });
    expect((await second).event.type).toBe('second_device');

    // Progress reaches the proctor after saves, batched per exam once a second as a compact
    // delta (the answered count, not the whole row); a cleared answer moves it back down.
    const participantId = hall.rows[0].participantId;
    const progress = nextEvent(ps, 'hall:progress');
    const tf = snap.questions.find((x: { type: string }) => x.type === 'true_false');
    await call(ss, 'answer:save', { attemptId, seq: 1, questionId: tf.id, response: { value: true }, flagged: true });
    expect(await progress).toEqual([{ participantId, attemptId, answered: 1 }]);
    const cleared = nextEvent(ps, 'hall:progress');
    await call(ss, 'answer:save', { attemptId, seq: 2, questionId: tf.id, response: null });
    expect(await cleared).toEqual([{ participantId, attemptId, answered: 0 }]);
    await call(ss, 'proctor:signal', { attemptId, type: 'copy', clientEventId: 'evt-00000002' });

    const reviewed = await call(ps, 'alert:review', { eventId: a.event.id, status: 'dismissed', note: 'looked fine' });
    expect(reviewed.event.reviewStatus).toBe('dismissed');
    const risk = await call(ps, 'hall:risk', { attemptId });
    expect(risk.items.map((i: { type: string }) => i.type).sort()).toEqual(['copy', 'second_device']);
    const stored = await t.system.db.select().from(proctoringEvents).where(eq(proctoringEvents.attemptId, attemptId));
    expect(stored).toHaveLength(3);

    phone.close();
    ss.close();
    // Both disconnects close their presence segments (polled: the server hears of them a moment later).
    const closed = await waitFor('both presence segments to close', async () => {
      const rows = await t.system.db.select().from(presence).where(eq(presence.attemptId, attemptId));
      return rows.length >= 2 && rows.every((r) => r.leftAt !== null) ? rows : null;
    });
    expect(closed.filter((r) => r.leftAt === null)).toHaveLength(0);
  });

  it('extends, pauses, resumes, messages and terminates, reaching the student at once and audited', async () => {
    const exam = await publishedExam(t, teacher);
    const { student, attemptId } = await startedAttempt(t, teacher, exam.id);
    const ss = await socketFor(student);
    const snap = await call(ss, 'attempt:join', { attemptId, deviceId: 'laptop-000002' });
    const ts = await socketFor(teacher);
    await call(ts, 'hall:watch', { examId: exam.id });

    const clock = nextEvent(ss, 'attempt:clock');
    const extended = await call(ts, 'hall:action', { action: 'extend', attemptId, minutes: 10 });
    const c = await clock;
    expect(Date.parse(c.deadlineAt) - Date.parse(snap.clock.deadlineAt)).toBe(10 * 60_000);
    expect(c).toMatchObject({ reason: 'extended', extraSeconds: 600 });
    expect(extended.row.deadlineAt).toBe(c.deadlineAt);

    const paused = nextEvent(ss, 'attempt:clock');
    await call(ts, 'hall:action', { action: 'pause', attemptId, reason: 'fire alarm' });
    expect(await paused).toMatchObject({ status: 'paused', reason: 'paused' });
    const resumed = nextEvent(ss, 'attempt:clock');
    await call(ts, 'hall:action', { action: 'resume', attemptId });
    expect(await resumed).toMatchObject({ status: 'in_progress', reason: 'resumed' });

    const msg = nextEvent(ss, 'attempt:message');
    await call(ts, 'hall:action', { action: 'message', attemptId, text: 'Five minutes left in the room' });
    expect(await msg).toMatchObject({ text: 'Five minutes left in the room' });

    await expect(call(ts, 'hall:action', { action: 'terminate', attemptId, reason: '' })).rejects.toThrow(/reason/);
    const ended = nextEvent(ss, 'attempt:ended');
    await call(ts, 'hall:action', { action: 'terminate', attemptId, reason: 'Phone in use' });
    expect(await ended).toMatchObject({ status: 'invalidated', reason: 'Phone in use' });

    const log = await t.system.db.select().from(auditLogs).where(eq(auditLogs.targetId, attemptId));
    expect(log.map((l) => l.action)).toEqual(
      expect.arrayContaining(['hall.extend', 'hall.pause', 'hall.resume', 'hall.message', 'hall.terminate']),
    );
    // Students cannot act on the hall.
    const other = await signedIn(t, 'student');
    const os = await socketFor(other);
    await expect(call(os, 'hall:action', { action: 'extend', attemptId, minutes: 5 })).rejects.toThrow(/forbidden/);
  });

  it('credits time lost while disconnected when the exam says so', async () => {
    const exam = await publishedExam(t, teacher, { disconnectPolicy: 'credit', disconnectCreditMaxMinutes: 5 });
    const { student, attemptId } = await startedAttempt(t, teacher, exam.id);
    const s1 = await socketFor(student);
    const first = await call(s1, 'attempt:join', { attemptId, deviceId: 'laptop-000003' });
    s1.close();
    await waitFor('the disconnect to close the presence segment', async () => {
      const rows = await t.system.db.select().from(presence).where(eq(presence.attemptId, attemptId));
      return rows.length > 0 && rows.every((r) => r.leftAt !== null);
    });
    // Pretend the outage lasted two minutes.
    await t.system.db
      .update(presence)
      .set({ leftAt: sql`now() - interval '2 minutes'`, joinedAt: sql`now() - interval '3 minutes'` })
      .where(eq(presence.attemptId, attemptId));
    const s2 = await socketFor(student);
    const second = await call(s2, 'attempt:join', { attemptId, deviceId: 'laptop-000003' });
    expect(second.clock.reason).toBe('disconnect_credit');
    const gained = Date.parse(second.clock.deadlineAt) - Date.parse(first.clock.deadlineAt);
    expect(gained).toBeGreaterThanOrEqual(119_000);
    expect(gained).toBeLessThanOrEqual(121_000);
  });
});

describe('which exams a proctor may watch', () => {
  it('lists published exams of courses the proctor is assigned to, and the teacher’s own', async () => {
    const exam = await publishedExam(t, teacher);
    const proctor = await signedIn(t, 'proctor');
    const ids = async (c: Client) => (await c.get('/api/hall/exams')).body.exams.map((e: { id: string }) => e.id);
    expect(await ids(proctor)).not.toContain(exam.id);
    await assignProctor(t, teacher, exam.id, proctor.user.id);
    expect(await ids(proctor)).toContain(exam.id);
    expect(await ids(teacher)).toContain(exam.id);
    await startedAttempt(t, teacher, exam.id);
    await teacher.post(`/api/exams/${exam.id}/participants`, { email: 'waiting@school.example' });
    const listed = (await proctor.get('/api/hall/exams')).body.exams.find((e: { id: string }) => e.id === exam.id);
    expect(listed).toMatchObject({ inProgress: 1, participants: 2 });
    const other = await signedIn(t, 'teacher');
    expect(await ids(other)).not.toContain(exam.id);
    expect((await (await signedIn(t, 'student')).get('/api/hall/exams')).status).toBe(403);
  });
});

describe('expiry', () => {
  it('ends a running attempt past its deadline once, and never a paused one', async () => {
    const { expireIfDue, sweepExpired } = await import('../../src/modules/attempts/attempts.expiry.ts');
    const { silentPublisher } = await import('../../src/modules/hall/hall.events.ts');
    const { transitionAttempt } = await import('../../src/modules/attempts/attempts.state.ts');
    const exam = await publishedExam(t, teacher);
    const running = await startedAttempt(t, teacher, exam.id);
    const paused = await startedAttempt(t, teacher, exam.id);
    const db = t.system.db;
    expect(await expireIfDue(db, running.attemptId, silentPublisher)).toBe(false); // not due yet
    await transitionAttempt(db, paused.attemptId, 'paused');
    await db
      .update(attempts)
      .set({ deadlineAt: sql`now() - interval '1 minute'` })
      .where(sql`${attempts.id} in (${running.attemptId}, ${paused.attemptId})`);
    expect(await sweepExpired(db, silentPublisher)).toBeGreaterThanOrEqual(1);
    expect(await expireIfDue(db, running.attemptId, silentPublisher)).toBe(false); // already ended
    const rows = await db
      .select()
      .from(attempts)
      .where(sql`${attempts.id} in (${running.attemptId}, ${paused.attemptId})`);
    const status = Object.fromEntries(rows.map((r) => [r.id, r.status]));
    expect(status[running.attemptId]).toBe('expired');
    expect(status[paused.attemptId]).toBe('paused');
  });

  it('ends an attempt and writes its audit row in one transaction, and tells or queues only after commit', async () => {
    const { expireIfDue } = await import('../../src/modules/attempts/attempts.expiry.ts');
    const { silentPublisher } = await import('../../src/modules/hall/hall.events.ts');
    const exam = await publishedExam(t, teacher);
    const { attemptId } = await startedAttempt(t, teacher, exam.id);
    const db = t.system.db;
    await db
      .update(attempts)
      .set({ deadlineAt: sql`now() - interval '1 minute'` })
      .where(eq(attempts.id, attemptId));
    const told: string[] = [];
    const queued: string[] = [];
    const publish = { ...silentPublisher, ended: (id: string) => void told.push(id) };
    const grading = { enqueue: async (id: string) => void queued.push(id) };
    // This test's own database refuses the audit row of this attempt's expiry.
    await db.execute(
      sql.raw(`create function refuse_expiry_audit() returns trigger language plpgsql as $$
        begin
          if new.action = 'attempt.expired' and new.target_id = '${attemptId}' then raise exception 'audit refused'; end if;
          return new;
        end $$;
        create trigger refuse_expiry_audit before insert on audit_logs
          for each row execute function refuse_expiry_audit();`),
    );
    try {
      await expect(expireIfDue(db, attemptId, publish, grading)).rejects.toThrow();
    } finally {
      await db.execute(sql.raw('drop trigger refuse_expiry_audit on audit_logs; drop function refuse_expiry_audit();'));
    }
    // Rolled back with its audit row: still running, nobody told, nothing queued.
    const [still] = await db.select().from(attempts).where(eq(attempts.id, attemptId));
    expect(still!.status).toBe('in_progress');
    expect(told).toEqual([]);
    expect(queued).toEqual([]);
    // The next try (the job's retry, or the sweep) ends it, audited once.
    expect(await expireIfDue(db, attemptId, publish, grading)).toBe(true);
    const [ended] = await db.select().from(attempts).where(eq(attempts.id, attemptId));
    expect(ended!.status).toBe('expired');
    const audited = await db.select().from(auditLogs).where(eq(auditLogs.targetId, attemptId));
    expect(audited.filter((a) => a.action === 'attempt.expired')).toHaveLength(1);
    expect(told).toEqual([attemptId]);
    expect(queued).toEqual([attemptId]);
  });
});

describe('presence after a crash', () => {
  it('closes segments whose socket is gone from the cluster', async () => {
    const { reapPresence } = await import('../../src/modules/hall/hall.presence-reaper.ts');
    const { student, attemptId } = await startedAttempt(t, teacher, (await publishedExam(t, teacher)).id);
    const live = await socketFor(student);
    await call(live, 'attempt:join', { attemptId, deviceId: 'laptop-reap-01' });
    const [a] = await t.system.db.select().from(attempts).where(eq(attempts.id, attemptId));
    // A segment left open by a process that died a while ago.
    await t.system.db.insert(presence).values({
      attemptId,
      userId: a!.userId,
      examId: a!.examId,
      connectionId: 'socket-of-a-dead-process',
    });
    await t.system.db
      .update(presence)
      .set({ joinedAt: sql`now() - interval '5 minutes'` })
      .where(eq(presence.attemptId, attemptId));
    const liveIds = (await t.system.io.fetchSockets()).map((s) => s.id);
    expect(await reapPresence(t.system.db, liveIds)).toBe(1);
    const open = await t.system.db
      .select({ id: presence.connectionId })
      .from(presence)
      .where(and(eq(presence.attemptId, attemptId), sql`${presence.leftAt} is null`));
    expect(open).toHaveLength(1);
    expect(open[0]!.id).not.toBe('socket-of-a-dead-process');
  });
});

describe('a socket that closes while its join is in flight', () => {
  it('ends the segment the join opened, without waiting for the presence reaper', async () => {
    const { student, attemptId } = await startedAttempt(t, teacher, (await publishedExam(t, teacher)).id);
    const s = await socketFor(student);
    const socketId = s.id!;
    // Presence is locked, so the join's statement waits at its insert; the socket closes meanwhile,
    // and 'disconnect' finds nothing joined yet.
    const lock = await t.system.pool.connect();
    try {
      await lock.query('begin');
      await lock.query('lock table presence in exclusive mode');
      void call(s, 'attempt:join', { attemptId, deviceId: 'laptop-race-0001' }).catch(() => {});
      await waitFor('the join to wait for the lock', async () => {
        const { rows } = await t.system.pool.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%joining%'`,
        );
        return rows[0]!.n > 0;
      });
      s.disconnect();
      await waitFor(
        'the server to see the socket close',
        async () => !(await t.system.io.fetchSockets()).some((x) => x.id === socketId),
      );
    } finally {
      await lock.query('commit');
      lock.release();
    }
    // The join then commits its segment, and it is closed at once.
    await waitFor(
      'the join to open its segment',
      async () => (await t.system.db.$count(presence, eq(presence.attemptId, attemptId))) === 1,
      10_000,
    );
    const open = () =>
      t.system.db
        .select({ id: presence.id })
        .from(presence)
        .where(and(eq(presence.attemptId, attemptId), sql`${presence.leftAt} is null`));
    await waitFor('the segment to be closed', async () => (await open()).length === 0, 10_000);
  });
});

describe('second device detection', () => {
  it('ignores a segment left open by a crashed process', async () => {
    const { student, attemptId } = await startedAttempt(t, teacher, (await publishedExam(t, teacher)).id);
    const [a] = await t.system.db.select().from(attempts).where(eq(attempts.id, attemptId));
    await t.system.db.insert(presence).values({
      attemptId,
      userId: a!.userId,
      examId: a!.examId,
      connectionId: 'socket-of-a-crashed-process',
      deviceId: 'old-laptop-0001',
    });
    const s = await socketFor(student);
    await call(s, 'attempt:join', { attemptId, deviceId: 'new-laptop-0001' });
    const alerts = await t.system.db.select().from(proctoringEvents).where(eq(proctoringEvents.attemptId, attemptId));
    expect(alerts).toEqual([]);
  });
});
