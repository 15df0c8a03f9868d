// Resume on another device (a proctor's one-time code moves a running attempt to a new
// browser), and audit rows that commit or roll back together with the change they record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { attemptResumeCodes, attempts, auditLogs, proctoringEvents } from '../../src/db/schema/index.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { Client } from '../support/http-client.ts';
import { assignProctor, publishedExam, signedIn, startedAttempt } from '../support/fixtures.ts';
import { call, nextEvent, openSocket, type TestSocket } from '../support/sockets.ts';
import { startServerProcess } from '../support/processes.ts';

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

async function runningAttempt() {
  const exam = await publishedExam(t, teacher);
  const started = await startedAttempt(t, teacher, exam.id);
  return { exam, ...started };
}

const attemptRow = async (id: string) => (await t.system.db.select().from(attempts).where(eq(attempts.id, id)))[0]!;
const issue = (c: Client, attemptId: string) => c.post(`/api/attempts/${attemptId}/resume-codes`);

describe('resuming an attempt on another device', () => {
  it('moves the same attempt, answers and clock to the new device; the old one is told and loses access', async () => {
    const exam = await publishedExam(t, teacher);
    const proctor = await signedIn(t, 'proctor');
    await assignProctor(t, teacher, exam.id, proctor.user.id);
    const { student, attemptId, email } = await startedAttempt(t, teacher, exam.id);
    const laptop = await socketFor(student);
    const snap = await call(laptop, 'attempt:join', { attemptId, deviceId: 'laptop-resume-01' });
    const q = snap.questions.find((x: { type: string }) => x.type === 'single_choice').id;
    await call(laptop, 'answer:save', { attemptId, seq: 1, questionId: q, response: { optionId: 'b' }, flagged: true });
    const ps = await socketFor(proctor);
    await call(ps, 'hall:watch', { examId: exam.id });

    const issued = await issue(proctor, attemptId);
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({
      attemptId,
      code: expect.stringMatching(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/),
    });
    const minutes = (Date.parse(issued.body.expiresAt) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(14);
    expect(minutes).toBeLessThanOrEqual(15);
    const [stored] = await t.system.db
      .select()
      .from(attemptResumeCodes)
      .where(eq(attemptResumeCodes.attemptId, attemptId));
    expect(JSON.stringify(stored)).not.toContain(issued.body.code.replaceAll('-', ''));

    const moved = nextEvent(laptop, 'attempt:moved');
    const closed = new Promise<string>((resolve) => laptop.once('disconnect', resolve));
    const phone = new Client(t.url);
    // Typed the way people type: lower case, no dashes.
    const resumed = await phone.post('/api/attempts/resume', {
      email: email.toUpperCase(),
      code: issued.body.code.replaceAll('-', '').toLowerCase(),
    });
    expect(resumed.status).toBe(200);
    expect(resumed.body.attempt).toMatchObject({ id: attemptId, status: 'in_progress' });
    expect(await moved).toEqual({ attemptId, reason: 'resumed_elsewhere' });
    expect(await closed).toBe('io server disconnect');

    // The new device continues the same attempt: saved answer, same deadline, next seq.
    const ps2 = await socketFor(phone);
    const again = await call(ps2, 'attempt:join', { attemptId, deviceId: 'phone-resume-001' });
    expect(again.answers).toEqual([{ questionId: q, response: { optionId: 'b' }, flagged: true, seq: 1 }]);
    expect(again.clock.deadlineAt).toBe(snap.clock.deadlineAt);
    expect(again.lastSeq).toBe(1);
    expect(
      await call(ps2, 'answer:save', { attemptId, seq: 2, questionId: q, response: { optionId: 'c' } }),
    ).toMatchObject({ applied: true });

    // The old device's cookie no longer opens the attempt, over HTTP or a socket.
    expect((await student.get(`/api/attempts/${attemptId}`)).status).toBe(404);
    expect((await phone.get(`/api/attempts/${attemptId}`)).status).toBe(200);
    const back = await socketFor(student);
    await expect(call(back, 'attempt:join', { attemptId, deviceId: 'laptop-resume-01' })).rejects.toThrow(/not_found/);

    // The move itself is no second-device alert: the old connection ended with it.
    const alerts = await t.system.db.select().from(proctoringEvents).where(eq(proctoringEvents.attemptId, attemptId));
    expect(alerts.filter((a) => a.type === 'second_device')).toEqual([]);

    const log = await t.system.db.select().from(auditLogs).where(eq(auditLogs.targetId, attemptId));
    const issuedLog = log.find((l) => l.action === 'attempt.resume_code_issued');
    const usedLog = log.find((l) => l.action === 'attempt.resumed_on_new_device');
    expect(issuedLog).toMatchObject({ actorId: proctor.user.id, actorRole: 'proctor' });
    expect(usedLog).toMatchObject({ actorRole: 'student', details: { resumeCodeId: stored!.id } });
    const code = issued.body.code as string;
    for (const text of [JSON.stringify(log), ...t.logs]) {
      expect(text).not.toContain(code);
      expect(text).not.toContain(code.replaceAll('-', ''));
    }
  });

  it('is single use: a second claim is refused, and of 100 concurrent claims exactly one wins', async () => {
    // A system of its own whose per-email budget lets all 100 claims reach the database at once.
    const r = await startTestSystem({ CODE_FREE_TRIES_PER_EMAIL: '100' });
    try {
      const owner = await signedIn(r, 'teacher');
      const { attemptId, email } = await startedAttempt(r, owner, (await publishedExam(r, owner)).id);
      const first = await issue(owner, attemptId);
      const device = new Client(r.url);
      expect((await device.post('/api/attempts/resume', { email, code: first.body.code })).status).toBe(200);
      const second = await new Client(r.url).post('/api/attempts/resume', { email, code: first.body.code });
      expect(second.status).toBe(409);
      expect(second.body.error).toMatchObject({ code: 'code_used', message: expect.stringMatching(/already used/) });

      const race = await issue(owner, attemptId);
      const clients = Array.from({ length: 100 }, () => new Client(r.url));
      const replies = await Promise.all(
        clients.map((c) => c.post('/api/attempts/resume', { email, code: race.body.code })),
      );
      const statuses = replies.map((x) => x.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 409)).toHaveLength(99);
      // Only the winner's cookie opens the attempt.
      const winner = clients[statuses.indexOf(200)]!;
      const opens = await Promise.all(clients.map(async (c) => (await c.get(`/api/attempts/${attemptId}`)).status));
      expect(opens.filter((s) => s === 200)).toHaveLength(1);
      expect((await winner.get(`/api/attempts/${attemptId}`)).status).toBe(200);
      expect((await device.get(`/api/attempts/${attemptId}`)).status).toBe(404);
      const used = await r.system.db
        .select()
        .from(attemptResumeCodes)
        .where(eq(attemptResumeCodes.attemptId, attemptId));
      expect(used.filter((c) => c.usedAt !== null)).toHaveLength(2);
    } finally {
      await r.close();
    }
  });

  it('refuses a wrong code, a wrong email, an expired code and a replaced code with clear 4xx', async () => {
    const { attemptId, email } = await runningAttempt();
    const issued = await issue(teacher, attemptId);
    const code = issued.body.code as string;
    const claim = (body: unknown) => new Client(t.url).post('/api/attempts/resume', body);
    const wrongCode = await claim({ email, code: 'ZZZZ-ZZZZ-ZZZZ' });
    expect(wrongCode.status).toBe(401);
    expect(wrongCode.body.error).toMatchObject({ code: 'invalid_code', message: expect.stringMatching(/resume code/) });
    const wrongEmail = await claim({ email: 'someone-else@school.example', code });
    expect(wrongEmail.status).toBe(401);
    expect((await claim({ email, code: '' })).body.error).toMatchObject({
      code: 'validation_failed',
      fields: [{ path: 'body.code', message: 'Enter your access code' }],
    });

    await t.system.db
      .update(attemptResumeCodes)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(attemptResumeCodes.attemptId, attemptId));
    const expired = await claim({ email, code });
    expect(expired.status).toBe(410);
    expect(expired.body.error).toMatchObject({ code: 'code_expired', message: expect.stringMatching(/expired/) });

    const older = (await issue(teacher, attemptId)).body.code;
    const newer = (await issue(teacher, attemptId)).body.code;
    const replaced = await claim({ email, code: older });
    expect(replaced.status).toBe(409);
    expect(replaced.body.error.message).toMatch(/replaced by a newer one/);
    expect((await claim({ email, code: newer })).status).toBe(200);
    expect((await attemptRow(attemptId)).status).toBe('in_progress');
  });

  it('throttles wrong resume codes per email', async () => {
    const { attemptId, email } = await runningAttempt();
    const { code } = (await issue(teacher, attemptId)).body;
    let status = 0;
    let tries = 0;
    while (status !== 429 && tries < 30) {
      tries++;
      status = (await new Client(t.url).post('/api/attempts/resume', { email, code: 'ZZZZ-ZZZZ-ZZZ0' })).status;
      expect([401, 429]).toContain(status);
    }
    expect(status).toBe(429);
    // Locked out: even the right code waits, so guessing cannot continue.
    const locked = await new Client(t.url).post('/api/attempts/resume', { email, code });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('only the exam’s teacher, its proctors and admins may issue codes, and only for a running or paused attempt', async () => {
    const { attemptId, student } = await runningAttempt();
    const otherStudent = await signedIn(t, 'student');
    const otherTeacher = await signedIn(t, 'teacher');
    const strayProctor = await signedIn(t, 'proctor');
    const admin = await signedIn(t, 'admin');
    expect((await issue(student, attemptId)).status).toBe(401); // attempt cookie only: not signed in
    expect((await issue(otherStudent, attemptId)).status).toBe(403);
    expect((await issue(otherTeacher, attemptId)).status).toBe(404);
    expect((await issue(strayProctor, attemptId)).status).toBe(404);
    expect((await issue(admin, attemptId)).status).toBe(201);
    expect((await issue(teacher, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const codes = await t.system.db
      .select()
      .from(attemptResumeCodes)
      .where(eq(attemptResumeCodes.attemptId, attemptId));
    expect(codes).toHaveLength(1);

    // A finished attempt cannot move, and a code issued before the end cannot reopen it.
    const { code } = (await issue(teacher, attemptId)).body;
    const s = await socketFor(student);
    await call(s, 'attempt:join', { attemptId, deviceId: 'laptop-resume-09' });
    await call(s, 'attempt:submit', { attemptId });
    expect((await issue(teacher, attemptId)).status).toBe(409);
    const late = await new Client(t.url).post('/api/attempts/resume', {
      email: (
        await t.system.db.execute<{ email: string }>(
          sql`select u.email from users u join attempts a on a.user_id = u.id where a.id = ${attemptId}`,
        )
      ).rows[0]!.email,
      code,
    });
    expect(late.status).toBe(409);
    expect(late.body.error.message).toMatch(/submitted/);
  });

  it('reaches and closes the old device’s socket on another server process', async () => {
    // A second API process on the same database and Redis: the claim lands there, the old socket is here.
    const other = await startServerProcess({
      DATABASE_URL: t.system.config.database.url,
      REDIS_PREFIX: t.system.config.redis.prefix,
      EXAM_HALL_ROLE: 'api',
    });
    try {
      const { student, attemptId, email } = await runningAttempt();
      const laptop = await socketFor(student);
      await call(laptop, 'attempt:join', { attemptId, deviceId: 'laptop-resume-02' });
      const { code } = (await issue(teacher, attemptId)).body;
      const moved = nextEvent(laptop, 'attempt:moved');
      const closed = new Promise<string>((resolve) => laptop.once('disconnect', resolve));
      const phone = new Client(other.url);
      expect((await phone.post('/api/attempts/resume', { email, code })).status).toBe(200);
      expect(await moved).toEqual({ attemptId, reason: 'resumed_elsewhere' });
      expect(await closed).toBe('io server disconnect');
      expect((await phone.get(`/api/attempts/${attemptId}`)).status).toBe(200);
    } finally {
      await other.stop();
    }
  }, 90_000); // a second process start (startServerProcess alone allows 60 s) on a busy machine

  it('tells a student whose access code was used what to do instead', async () => {
    const exam = await publishedExam(t, teacher);
    const email = `again-${Math.random().toString(36).slice(2, 8)}@school.example`;
    const inv = await teacher.post(`/api/exams/${exam.id}/participants`, { email });
    expect((await new Client(t.url).post('/api/attempts/start', { email, code: inv.body.code })).status).toBe(201);
    const reused = await new Client(t.url).post('/api/attempts/start', { email, code: inv.body.code });
    expect(reused.status).toBe(409);
    expect(reused.body.error.message).toBe(
      'This code was already used. If you were taking the exam on another device, ask your proctor for a resume code.',
    );
  });
});

describe('audit rows commit with their change', () => {
  // A trigger in this test file's own database refuses the audit rows of the actions
  // under test: the change they record must roll back with them.
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

  it('hall actions, submit and alert reviews roll back when their audit row cannot be written', async () => {
    const exam = await publishedExam(t, teacher, { proctoring: { enabled: true } });
    const { student, attemptId, email } = await startedAttempt(t, teacher, exam.id);
    const ss = await socketFor(student);
    await call(ss, 'attempt:join', { attemptId, deviceId: 'laptop-audit-001' });
    const heard: string[] = [];
    ss.onAny((event: string) => heard.push(event));
    await call(ss, 'proctor:signal', { attemptId, type: 'tab_hidden', clientEventId: 'audit-evt-0001' });
    const [alert] = await t.system.db.select().from(proctoringEvents).where(eq(proctoringEvents.attemptId, attemptId));
    const ts = await socketFor(teacher);
    await call(ts, 'hall:watch', { examId: exam.id });
    const before = await attemptRow(attemptId);

    await refuseAudit(
      [
        'hall.extend',
        'hall.pause',
        'hall.terminate',
        'attempt.submitted',
        'alert.dismissed',
        'attempt.resume_code_issued',
        'attempt.resumed_on_new_device',
      ],
      async () => {
        await expect(call(ts, 'hall:action', { action: 'extend', attemptId, minutes: 10 })).rejects.toThrow(/internal/);
        await expect(call(ts, 'hall:action', { action: 'pause', attemptId })).rejects.toThrow(/internal/);
        await expect(call(ts, 'hall:action', { action: 'terminate', attemptId, reason: 'Phone' })).rejects.toThrow(
          /internal/,
        );
        await expect(call(ss, 'attempt:submit', { attemptId })).rejects.toThrow(/internal/);
        await expect(call(ts, 'alert:review', { eventId: alert!.id, status: 'dismissed' })).rejects.toThrow(/internal/);
        expect((await issue(teacher, attemptId)).status).toBe(500);
      },
    );
    const after = await attemptRow(attemptId);
    expect(after).toMatchObject({
      status: 'in_progress',
      deadlineAt: before.deadlineAt,
      extraSeconds: 0,
      pausedAt: null,
      submittedAt: null,
      endedReason: null,
    });
    const [review] = await t.system.db.select().from(proctoringEvents).where(eq(proctoringEvents.id, alert!.id));
    expect(review).toMatchObject({ reviewStatus: 'open', reviewedBy: null });
    expect(after.riskScore).toBe(10);
    expect(
      await t.system.db.select().from(attemptResumeCodes).where(eq(attemptResumeCodes.attemptId, attemptId)),
    ).toEqual([]);

    // The claim of a resume code rolls back too: code unused, the old cookie still the attempt's.
    const { code } = (await issue(teacher, attemptId)).body;
    await refuseAudit(['attempt.resumed_on_new_device'], async () => {
      expect((await new Client(t.url).post('/api/attempts/resume', { email, code })).status).toBe(500);
    });
    const [unused] = await t.system.db
      .select()
      .from(attemptResumeCodes)
      .where(eq(attemptResumeCodes.attemptId, attemptId));
    expect(unused!.usedAt).toBeNull();
    expect((await attemptRow(attemptId)).attemptTokenHash).toBe(before.attemptTokenHash);
    expect((await student.get(`/api/attempts/${attemptId}`)).status).toBe(200);

    // Nothing was pushed for the refused changes: the first event the student hears is a later message.
    const msg = nextEvent(ss, 'attempt:message');
    await call(ts, 'hall:action', { action: 'message', attemptId, text: 'After the refusals' });
    await msg;
    expect(heard).toEqual(['attempt:message']);
    const log = await t.system.db.select().from(auditLogs).where(eq(auditLogs.targetId, attemptId));
    expect(log.map((l) => l.action)).toEqual([
      'attempt.entered_lobby',
      'attempt.started',
      'attempt.resume_code_issued',
      'hall.message',
    ]);
  });
});
