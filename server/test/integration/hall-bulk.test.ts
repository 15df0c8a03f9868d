// Proctor tools for the whole hall: message, pause and resume everyone; acknowledge or
// dismiss many alerts at once. Each bulk change commits with its audit rows or not at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { attempts, auditLogs, proctoringEvents } from '../../src/db/schema/index.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { Client } from '../support/http-client.ts';
import { assignProctor, publishedExam, signedIn, startedAttempt } from '../support/fixtures.ts';
import { call, eventWhere, nextEvent, openSocket, type TestSocket } from '../support/sockets.ts';
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

/** An exam with `n` joined students (sockets in their attempt rooms) and one submitted attempt. */
async function hall(n: number, settings: Record<string, unknown> = {}) {
  const exam = await publishedExam(t, teacher, settings);
  const students: {
    attemptId: string;
    participantId: string;
    socket: TestSocket;
    deadlineAt: string;
    client: Client;
  }[] = [];
  for (let i = 0; i < n; i++) {
    const { student, attemptId, participantId } = await startedAttempt(t, teacher, exam.id);
    const socket = await socketFor(student);
    const snap = await call(socket, 'attempt:join', { attemptId, deviceId: `device-${i}-000001` });
    students.push({ attemptId, participantId, socket, deadlineAt: snap.clock.deadlineAt, client: student });
  }
  const done = await startedAttempt(t, teacher, exam.id);
  const ds = await socketFor(done.student);
  await call(ds, 'attempt:join', { attemptId: done.attemptId, deviceId: 'device-done-0001' });
  await call(ds, 'attempt:submit', { attemptId: done.attemptId });
  const proctor = await socketFor(teacher);
  await call(proctor, 'hall:watch', { examId: exam.id });
  return { exam, students, proctor, submittedId: done.attemptId };
}

const auditOf = (action: string, ids: string[]) =>
  t.system.db
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.action, action), inArray(auditLogs.targetId, ids)));

/** A trigger in this test file's own database refuses the audit row of one target. */
async function refusingAudit<T>(action: string, targetId: string, work: () => Promise<T>) {
  const db = t.system.db;
  await db.execute(
    sql.raw(`create function refuse_bulk_audit() returns trigger language plpgsql as $$
      begin
        if new.action = '${action}' and new.target_id = '${targetId}' then raise exception 'audit refused'; end if;
        return new;
      end $$;
      create trigger refuse_bulk_audit before insert on audit_logs for each row execute function refuse_bulk_audit();`),
  );
  try {
    return await work();
  } finally {
    await db.execute(sql.raw('drop trigger refuse_bulk_audit on audit_logs; drop function refuse_bulk_audit();'));
  }
}

describe('the whole hall at once', () => {
  it('messages every student of the exam, audited once', async () => {
    const { exam, students, proctor } = await hall(3);
    const heard = students.map((s) => nextEvent(s.socket, 'attempt:message'));
    const reply = await call(proctor, 'hall:bulk', { action: 'message', examId: exam.id, text: '  Pens down soon  ' });
    // The submitted attempt is over: three reached, not four.
    expect(reply).toEqual({ action: 'message', count: 3 });
    for (const m of await Promise.all(heard)) expect(m).toMatchObject({ text: 'Pens down soon' });
    expect(await auditOf('hall.message_all', [exam.id])).toEqual([
      expect.objectContaining({ targetType: 'exam', details: { recipients: 3 } }),
    ]);
    await expect(call(proctor, 'hall:bulk', { action: 'message', examId: exam.id, text: 'a\u0000b' })).rejects.toThrow(
      /validation_failed.*text/,
    );
  });

  it('pauses every running attempt exactly once with the reason, and resumes them with deadlines moved', async () => {
    const { exam, students, proctor, submittedId } = await hall(3);
    const ids = students.map((s) => s.attemptId);
    // The roster push that follows the pause (one from the students' joins may still be on its way).
    const rows = eventWhere(proctor, 'hall:rows', (rs: { status: string }[]) => rs.some((r) => r.status === 'paused'));
    const paused = students.map((s) => nextEvent(s.socket, 'attempt:clock'));
    expect(await call(proctor, 'hall:bulk', { action: 'pause', examId: exam.id, reason: 'Fire alarm' })).toEqual({
      action: 'pause',
      count: 3,
    });
    for (const c of await Promise.all(paused))
      expect(c).toMatchObject({ status: 'paused', reason: 'paused', pauseReason: 'Fire alarm' });
    expect((await rows).map((r: { status: string }) => r.status)).toEqual(['paused', 'paused', 'paused']);
    // Again: nothing is running any more, so nothing is paused twice.
    expect(await call(proctor, 'hall:bulk', { action: 'pause', examId: exam.id })).toEqual({
      action: 'pause',
      count: 0,
    });
    const pauses = await auditOf('hall.pause', [...ids, submittedId]);
    expect(pauses).toHaveLength(3);
    expect(pauses.every((p) => (p.details as { bulk?: boolean }).bulk === true)).toBe(true);
    const [submitted] = await t.system.db.select().from(attempts).where(eq(attempts.id, submittedId));
    expect(submitted!.status).toBe('submitted');

    // Pretend the pause lasted two minutes: resuming moves every deadline by that much.
    await t.system.db
      .update(attempts)
      .set({ pausedAt: sql`now() - interval '2 minutes'` })
      .where(inArray(attempts.id, ids));
    const resumed = students.map((s) => nextEvent(s.socket, 'attempt:clock'));
    expect(await call(proctor, 'hall:bulk', { action: 'resume', examId: exam.id })).toEqual({
      action: 'resume',
      count: 3,
    });
    const clocks = await Promise.all(resumed);
    clocks.forEach((c, i) => {
      expect(c).toMatchObject({ status: 'in_progress', reason: 'resumed' });
      const moved = Date.parse(c.deadlineAt) - Date.parse(students[i]!.deadlineAt);
      expect(moved).toBeGreaterThanOrEqual(119_000);
      expect(moved).toBeLessThan(180_000);
    });
    expect(await auditOf('hall.resume', ids)).toHaveLength(3);
    const now = await t.system.db.select().from(attempts).where(inArray(attempts.id, ids));
    expect(now.map((a) => a.status)).toEqual(['in_progress', 'in_progress', 'in_progress']);
  });

  it('tells the student how far an extension moved the deadline and why they were paused', async () => {
    const { students, proctor } = await hall(1);
    const [s] = students;
    const ext = nextEvent(s!.socket, 'attempt:clock');
    await call(proctor, 'hall:action', { action: 'extend', attemptId: s!.attemptId, minutes: 10 });
    expect(await ext).toMatchObject({ reason: 'extended', deltaSeconds: 600 });
    const pause = nextEvent(s!.socket, 'attempt:clock');
    await call(proctor, 'hall:action', { action: 'pause', attemptId: s!.attemptId, reason: 'Stay seated' });
    expect(await pause).toMatchObject({ reason: 'paused', pauseReason: 'Stay seated' });
    // A page that joins (or reloads) while paused is told why too.
    const again = await socketFor(s!.client);
    const snap = await call(again, 'attempt:join', { attemptId: s!.attemptId, deviceId: 'device-0-000001' });
    expect(snap.clock).toMatchObject({ status: 'paused', pauseReason: 'Stay seated' });
  });

  it('rolls the whole pause back when one audit row cannot be written; nobody is told', async () => {
    const { exam, students, proctor } = await hall(3);
    const ids = students.map((s) => s.attemptId);
    const seen: string[] = [];
    students[0]!.socket.onAny((event: string) => seen.push(event));
    await refusingAudit('hall.pause', ids[2]!, async () => {
      await expect(call(proctor, 'hall:bulk', { action: 'pause', examId: exam.id })).rejects.toThrow(/internal/);
    });
    const rows = await t.system.db.select().from(attempts).where(inArray(attempts.id, ids));
    expect(rows.map((a) => a.status)).toEqual(['in_progress', 'in_progress', 'in_progress']);
    expect(await auditOf('hall.pause', ids)).toHaveLength(0);
    // A later message is the marker: anything pushed for the failed pause would have come first.
    const marker = nextEvent(students[0]!.socket, 'attempt:message');
    await call(proctor, 'hall:bulk', { action: 'message', examId: exam.id, text: 'still running' });
    await marker;
    expect(seen).toEqual(['attempt:message']);
  });

  it('refuses students, proctors not assigned to the exam and other teachers', async () => {
    const { exam, students } = await hall(1);
    const event = (
      await t.system.db
        .insert(proctoringEvents)
        .values({
          attemptId: students[0]!.attemptId,
          examId: exam.id,
          userId: (await t.system.db.select().from(attempts).where(eq(attempts.id, students[0]!.attemptId)))[0]!.userId,
          type: 'copy',
          severity: 'medium',
          details: {},
        })
        .returning()
    )[0]!;
    // The exam's own student (attempt cookie, no account session), a signed-in student, an
    // unassigned proctor and another teacher: none may act on this hall.
    const refused = /unauthenticated|forbidden|not_found/;
    const outsiders = [
      students[0]!.socket,
      await socketFor(await signedIn(t, 'student')),
      await socketFor(await signedIn(t, 'proctor')),
      await socketFor(await signedIn(t, 'teacher')),
    ];
    for (const s of outsiders) {
      await expect(call(s, 'hall:bulk', { action: 'pause', examId: exam.id })).rejects.toThrow(refused);
      await expect(call(s, 'hall:bulk', { action: 'message', examId: exam.id, text: 'hi' })).rejects.toThrow(refused);
      await expect(call(s, 'alert:review-many', { eventIds: [event.id], status: 'dismissed' })).rejects.toThrow(
        refused,
      );
    }
    const [a] = await t.system.db.select().from(attempts).where(eq(attempts.id, students[0]!.attemptId));
    expect(a!.status).toBe('in_progress');
    const [e] = await t.system.db.select().from(proctoringEvents).where(eq(proctoringEvents.id, event.id));
    expect(e!.reviewStatus).toBe('open');
    // An assigned proctor may.
    const assigned = await signedIn(t, 'proctor');
    await assignProctor(t, teacher, exam.id, assigned.user.id);
    const ps = await socketFor(assigned);
    expect(await call(ps, 'hall:bulk', { action: 'message', examId: exam.id, text: 'hi' })).toEqual({
      action: 'message',
      count: 1,
    });
  });
});

describe('reviewing many alerts', () => {
  async function alerts(n: number) {
    const h = await hall(2, { proctoring: { enabled: true } });
    for (let i = 0; i < n; i++) {
      const s = h.students[i % 2]!;
      await call(s.socket, 'proctor:signal', {
        attemptId: s.attemptId,
        type: 'tab_hidden',
        clientEventId: `bulk-evt-${i}-0000`,
      });
    }
    const events = await waitFor(`${n} alerts stored`, async () => {
      const rows = await t.system.db.select().from(proctoringEvents).where(eq(proctoringEvents.examId, h.exam.id));
      return rows.length === n ? rows : null;
    });
    return { ...h, events };
  }

  it('acknowledges N alerts in one go, audited, with the rows refreshed', async () => {
    const { proctor, events, students } = await alerts(5);
    const ids = events.map((e) => e.id);
    const reviewed = students.map(() => nextEvent(proctor, 'hall:alert-reviewed'));
    const rows = eventWhere(proctor, 'hall:rows', (rs: { openAlerts: number }[]) => rs.some((r) => r.openAlerts === 0));
    const reply = await call(proctor, 'alert:review-many', { eventIds: ids, status: 'acknowledged' });
    expect(reply.events).toHaveLength(5);
    expect(reply.events.every((e: { reviewStatus: string }) => e.reviewStatus === 'acknowledged')).toBe(true);
    await Promise.all(reviewed);
    expect((await rows).map((r: { openAlerts: number }) => r.openAlerts)).toEqual([0, 0]);
    const stored = await t.system.db.select().from(proctoringEvents).where(inArray(proctoringEvents.id, ids));
    expect(stored.map((e) => e.reviewStatus)).toEqual(Array(5).fill('acknowledged'));
    expect(await auditOf('alert.acknowledged', ids)).toHaveLength(5);
    // Dismissing drops them from the risk score.
    await call(proctor, 'alert:review-many', { eventIds: ids, status: 'dismissed' });
    const scores = await t.system.db
      .select({ risk: attempts.riskScore })
      .from(attempts)
      .where(
        inArray(
          attempts.id,
          students.map((s) => s.attemptId),
        ),
      );
    expect(scores.map((s) => s.risk)).toEqual([0, 0]);
  });

  it('refuses an empty or oversized list and unknown ids, naming the problem', async () => {
    const { proctor, events } = await alerts(1);
    await expect(call(proctor, 'alert:review-many', { eventIds: [], status: 'acknowledged' })).rejects.toThrow(
      /validation_failed.*eventIds/,
    );
    const many = Array.from({ length: 501 }, () => crypto.randomUUID());
    await expect(call(proctor, 'alert:review-many', { eventIds: many, status: 'acknowledged' })).rejects.toThrow(
      /validation_failed.*eventIds.*500/,
    );
    await expect(
      call(proctor, 'alert:review-many', { eventIds: [events[0]!.id, crypto.randomUUID()], status: 'acknowledged' }),
    ).rejects.toThrow(/not_found/);
  });

  it('rolls every review back when one audit row cannot be written', async () => {
    const { proctor, events } = await alerts(4);
    const ids = events.map((e) => e.id);
    await refusingAudit('alert.dismissed', ids[3]!, async () => {
      await expect(call(proctor, 'alert:review-many', { eventIds: ids, status: 'dismissed' })).rejects.toThrow(
        /internal/,
      );
    });
    const stored = await t.system.db.select().from(proctoringEvents).where(inArray(proctoringEvents.id, ids));
    expect(stored.map((e) => e.reviewStatus)).toEqual(Array(4).fill('open'));
    expect(await auditOf('alert.dismissed', ids)).toHaveLength(0);
  });
});
