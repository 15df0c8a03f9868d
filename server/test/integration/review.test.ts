// The attempt-level proctoring review (seed 003): the risk threshold flags ended attempts,
// reviewers decide with a note, alert actions are recorded, the student appeals once, the
// exam's teacher resolves, and the trail shows every step; certificates follow the decision.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { attemptAppeals, attempts, auditLogs, exams, proctoringEvents } from '../../src/db/schema/index.ts';
import { evaluateAttempt } from '../../src/modules/certificates/certificates.evaluate.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { Client } from '../support/http-client.ts';
import { assignProctor, publishedExam, signedIn, startedAttempt } from '../support/fixtures.ts';
import { call, openSocket, type TestSocket } from '../support/sockets.ts';

let t: TestSystem;
let teacher: Awaited<ReturnType<typeof signedIn>>;
let proctor: Awaited<ReturnType<typeof signedIn>>;
let otherTeacher: Awaited<ReturnType<typeof signedIn>>;
let otherStudent: Awaited<ReturnType<typeof signedIn>>;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  t = await startTestSystem();
  teacher = await signedIn(t, 'teacher');
  proctor = await signedIn(t, 'proctor');
  otherTeacher = await signedIn(t, 'teacher');
  otherStudent = await signedIn(t, 'student');
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

/** An exam whose review threshold is 10 (one hidden tab), watched by `proctor`. */
async function reviewedExam() {
  const exam = await publishedExam(t, teacher);
  await t.system.db.update(exams).set({ reviewRiskThreshold: 10 }).where(eq(exams.id, exam.id));
  await assignProctor(t, teacher, exam.id, proctor.user.id);
  return exam;
}

/** A running attempt that sent `signals` hidden-tab alerts (10 risk points each). */
async function runningAttempt(examId: string, signals: number) {
  const { student, attemptId } = await startedAttempt(t, teacher, examId);
  const socket = await socketFor(student);
  await call(socket, 'attempt:join', { attemptId, deviceId: `device-${attemptId.slice(0, 8)}` });
  for (let i = 0; i < signals; i++) {
    await call(socket, 'proctor:signal', { attemptId, type: 'tab_hidden', clientEventId: `evt-${i}-${attemptId}` });
  }
  return { student, attemptId, socket };
}

async function submitted(examId: string, signals: number) {
  const r = await runningAttempt(examId, signals);
  expect(await call(r.socket, 'attempt:submit', { attemptId: r.attemptId })).toMatchObject({ status: 'submitted' });
  return r;
}

const attemptRow = async (id: string) => (await t.system.db.select().from(attempts).where(eq(attempts.id, id)))[0]!;

describe('the review threshold', () => {
  it('flags an attempt that ends at or above it, and only that one', async () => {
    const exam = await reviewedExam();
    const risky = await submitted(exam.id, 1);
    const calm = await submitted(exam.id, 0);
    expect(await attemptRow(risky.attemptId)).toMatchObject({
      riskScore: 10,
      manualReviewRequired: true,
      reviewStatus: 'pending',
    });
    expect(await attemptRow(calm.attemptId)).toMatchObject({ manualReviewRequired: false, reviewStatus: null });
    // A running attempt is not flagged before it ends, whatever its risk.
    const running = await runningAttempt(exam.id, 2);
    expect(await attemptRow(running.attemptId)).toMatchObject({ riskScore: 20, manualReviewRequired: false });

    const queue = await proctor.get(`/api/exams/${exam.id}/review`);
    expect(queue.status).toBe(200);
    expect(queue.body.attempts.map((a: { attemptId: string }) => a.attemptId)).toEqual([risky.attemptId]);
    expect(queue.body.attempts[0]).toMatchObject({ reviewStatus: 'pending', riskScore: 10, alertCount: 1 });
  });

  it('flags a terminated attempt and records session_terminated on the alert the proctor answered', async () => {
    const exam = await reviewedExam();
    const { attemptId } = await runningAttempt(exam.id, 1);
    const [alert] = await t.system.db.select().from(proctoringEvents).where(eq(proctoringEvents.attemptId, attemptId));
    const ps = await socketFor(proctor);
    await call(ps, 'hall:watch', { examId: exam.id });
    await call(ps, 'hall:action', { action: 'terminate', attemptId, reason: 'phone on desk', alertId: alert!.id });
    expect(await attemptRow(attemptId)).toMatchObject({
      status: 'invalidated',
      manualReviewRequired: true,
      reviewStatus: 'pending',
    });
    const [after] = await t.system.db.select().from(proctoringEvents).where(eq(proctoringEvents.id, alert!.id));
    expect(after).toMatchObject({ action: 'session_terminated', actionBy: proctor.user.id });
    expect(after!.actionAt).toBeInstanceOf(Date);
  });
});

describe('alert actions', () => {
  it('records a warning sent from the hall and an action recorded on the review page, audited', async () => {
    const exam = await reviewedExam();
    const { attemptId } = await runningAttempt(exam.id, 2);
    const alerts = await t.system.db.select().from(proctoringEvents).where(eq(proctoringEvents.attemptId, attemptId));
    const ps = await socketFor(proctor);
    await call(ps, 'hall:watch', { examId: exam.id });
    await call(ps, 'hall:action', {
      action: 'message',
      attemptId,
      text: 'Eyes on your screen',
      alertId: alerts[0]!.id,
    });
    // An alert of another attempt cannot be answered through this one: nothing changes.
    const other = await runningAttempt(exam.id, 1);
    await expect(
      call(ps, 'hall:action', { action: 'message', attemptId: other.attemptId, text: 'x', alertId: alerts[1]!.id }),
    ).rejects.toThrow(/not_found/);

    const ignored = await proctor.post(`/api/review/alerts/${alerts[1]!.id}/action`, { action: 'ignored' });
    expect(ignored.status).toBe(200);
    expect(ignored.body).toMatchObject({ action: 'ignored', actionBy: { id: proctor.user.id } });
    const terminated = await proctor.post(`/api/review/alerts/${alerts[1]!.id}/action`, {
      action: 'session_terminated',
    });
    expect(terminated.status).toBe(409);
    const bad = await proctor.post(`/api/review/alerts/${alerts[1]!.id}/action`, { action: 'shrug' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].path).toBe('body.action');
    expect((await otherTeacher.post(`/api/review/alerts/${alerts[1]!.id}/action`, { action: 'ignored' })).status).toBe(
      404,
    );

    const rows = await t.system.db.select().from(proctoringEvents).where(eq(proctoringEvents.attemptId, attemptId));
    expect(Object.fromEntries(rows.map((r) => [r.id, r.action]))).toEqual({
      [alerts[0]!.id]: 'warning_sent',
      [alerts[1]!.id]: 'ignored',
    });
    const audited = await t.system.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, 'alert.action'), eq(auditLogs.targetId, alerts[1]!.id)));
    expect(audited).toHaveLength(1);
    expect(audited[0]!.details).toEqual({ attemptId, type: 'tab_hidden', action: 'ignored' });
  });
});

describe('decisions, the appeal and its resolution', () => {
  it('goes from pending through a flag, one appeal and an overturn, each step on the trail', async () => {
    const exam = await reviewedExam();
    const { attemptId, student } = await submitted(exam.id, 1);

    // Bad input names the field and changes nothing.
    const noNote = await proctor.post(`/api/review/attempts/${attemptId}/decision`, { status: 'flagged' });
    expect(noNote.status).toBe(400);
    expect(noNote.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['body.note']);
    const badStatus = await proctor.post(`/api/review/attempts/${attemptId}/decision`, { status: 'pending' });
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error.fields[0].path).toBe('body.status');
    expect((await attemptRow(attemptId)).reviewStatus).toBe('pending');

    // Nothing to appeal while pending.
    expect((await student.get(`/api/attempts/${attemptId}/review`)).body).toMatchObject({
      reviewStatus: 'pending',
      note: null,
      canAppeal: false,
    });
    expect((await student.post(`/api/attempts/${attemptId}/appeal`, { message: 'Why?' })).status).toBe(409);

    const note = 'You looked away from the screen for two minutes.';
    const flagged = await proctor.post(`/api/review/attempts/${attemptId}/decision`, { status: 'flagged', note });
    expect(flagged.status).toBe(200);
    expect(flagged.body.attempt).toMatchObject({
      reviewStatus: 'flagged',
      reviewNote: note,
      reviewedBy: { id: proctor.user.id },
    });
    expect(flagged.body.canResolve).toBe(false);

    const seen = await student.get(`/api/attempts/${attemptId}/review`);
    expect(seen.body).toMatchObject({ reviewStatus: 'flagged', note, canAppeal: true, appeal: null });

    // The appeal: bad input 400, then five at once: exactly one is stored.
    const empty = await student.post(`/api/attempts/${attemptId}/appeal`, { message: '   ' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.fields[0].path).toBe('body.message');
    const long = await student.post(`/api/attempts/${attemptId}/appeal`, { message: 'x'.repeat(2001) });
    expect(long.status).toBe(400);
    const message = 'My cat walked over the keyboard.';
    const replies = await Promise.all(
      Array.from({ length: 5 }, () => student.post(`/api/attempts/${attemptId}/appeal`, { message })),
    );
    expect(replies.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(await t.system.db.select().from(attemptAppeals).where(eq(attemptAppeals.attemptId, attemptId))).toHaveLength(
      1,
    );
    expect((await student.get(`/api/attempts/${attemptId}/review`)).body).toMatchObject({
      canAppeal: false,
      appeal: { status: 'open', message },
    });

    // While the appeal is open, the decision waits for the resolution.
    const redecide = await proctor.post(`/api/review/attempts/${attemptId}/decision`, { status: 'approved' });
    expect(redecide.status).toBe(409);

    // Proctors review but do not resolve; another teacher cannot see it.
    const resolution = { outcome: 'overturned', note: 'The recording shows the cat.' };
    expect((await proctor.post(`/api/review/attempts/${attemptId}/appeal/resolution`, resolution)).status).toBe(403);
    expect((await otherTeacher.post(`/api/review/attempts/${attemptId}/appeal/resolution`, resolution)).status).toBe(
      404,
    );
    const badOutcome = await teacher.post(`/api/review/attempts/${attemptId}/appeal/resolution`, { outcome: 'maybe' });
    expect(badOutcome.status).toBe(400);
    expect(badOutcome.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual([
      'body.note',
      'body.outcome',
    ]);

    const resolved = await teacher.post(`/api/review/attempts/${attemptId}/appeal/resolution`, resolution);
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ status: 'overturned', resolutionNote: resolution.note });
    expect((await teacher.post(`/api/review/attempts/${attemptId}/appeal/resolution`, resolution)).status).toBe(409);
    expect(await attemptRow(attemptId)).toMatchObject({ reviewStatus: 'approved', reviewedBy: teacher.user.id });

    expect((await student.get(`/api/attempts/${attemptId}/review`)).body).toMatchObject({
      reviewStatus: 'approved',
      appeal: { status: 'overturned', resolutionNote: resolution.note },
    });

    const trail = await teacher.get(`/api/review/attempts/${attemptId}`);
    expect(trail.status).toBe(200);
    expect(trail.body.canResolve).toBe(true);
    const kinds = trail.body.trail.map((s: { kind: string }) => s.kind);
    expect(kinds).toEqual(['started', 'alert', 'ended', 'review_required', 'decision', 'appeal', 'appeal_resolved']);
    const steps = trail.body.trail as { kind: string; at: string; by: { name: string } | null; what: string }[];
    expect(steps.map((s) => s.at)).toEqual([...steps.map((s) => s.at)].sort());
    expect(steps.find((s) => s.kind === 'decision')).toMatchObject({ what: 'flagged', by: { id: proctor.user.id } });
    expect(steps.find((s) => s.kind === 'appeal_resolved')).toMatchObject({
      what: 'overturned',
      by: { id: teacher.user.id },
    });

    // Audited without the note or the message text.
    const rows = await t.system.db.select().from(auditLogs);
    const mine = rows.filter((r) => r.action.startsWith('review.'));
    expect(mine.map((r) => r.action).sort()).toEqual(
      expect.arrayContaining(['review.decide', 'review.appeal', 'review.appeal_resolved']),
    );
    const text = JSON.stringify(mine.map((r) => r.details));
    expect(text).not.toContain('cat');
    expect(text).not.toContain('looked away');
  });

  it('keeps the review to the exam’s reviewers and the attempt’s student', async () => {
    const exam = await reviewedExam();
    const { attemptId, student } = await submitted(exam.id, 1);
    const decide = { status: 'rejected', note: 'A second person answered for you.' };
    // A student cannot review (role), another teacher cannot see it (404), nor can another student.
    expect((await otherStudent.post(`/api/review/attempts/${attemptId}/decision`, decide)).status).toBe(403);
    expect((await otherStudent.get(`/api/exams/${exam.id}/review`)).status).toBe(403);
    expect((await otherTeacher.post(`/api/review/attempts/${attemptId}/decision`, decide)).status).toBe(404);
    expect((await otherTeacher.get(`/api/review/attempts/${attemptId}`)).status).toBe(404);
    expect((await otherTeacher.get(`/api/exams/${exam.id}/review`)).status).toBe(404);
    expect((await otherStudent.get(`/api/attempts/${attemptId}/review`)).status).toBe(404);
    expect((await new Client(t.url).get(`/api/attempts/${attemptId}/review`)).status).toBe(404);
    expect((await otherStudent.post(`/api/attempts/${attemptId}/appeal`, { message: 'me too' })).status).toBe(404);

    // A running attempt is not reviewed yet.
    const running = await runningAttempt(exam.id, 0);
    expect((await teacher.post(`/api/review/attempts/${running.attemptId}/decision`, decide)).status).toBe(409);

    expect((await teacher.post(`/api/review/attempts/${attemptId}/decision`, decide)).status).toBe(200);
    const appeal = await student.post(`/api/attempts/${attemptId}/appeal`, { message: 'It was me.' });
    expect(appeal.status).toBe(201);
    const upheld = await teacher.post(`/api/review/attempts/${attemptId}/appeal/resolution`, {
      outcome: 'upheld',
      note: 'The recording shows two people.',
    });
    expect(upheld.status).toBe(200);
    expect(await attemptRow(attemptId)).toMatchObject({ reviewStatus: 'rejected' });
    // The resolution is final.
    expect((await teacher.post(`/api/review/attempts/${attemptId}/decision`, { status: 'approved' })).status).toBe(409);
  });
});

describe('certificates follow the review', () => {
  it('gives a rejected attempt no certificate, holds a pending one, and issues once approved', async () => {
    const exam = await reviewedExam();
    await t.system.db.update(exams).set({ issueCertificates: true }).where(eq(exams.id, exam.id));
    const { attemptId } = await submitted(exam.id, 1);
    const graded = { gradedAt: new Date(), score: 4, maxScore: 4, percentage: 100, passed: true, manualPending: 0 };
    await t.system.db.update(attempts).set(graded).where(eq(attempts.id, attemptId));
    const evaluate = () => evaluateAttempt(t.system.db, 'Test School', attemptId);

    expect(await evaluate()).toEqual({ action: 'none', reason: 'waiting for the proctoring review' });
    await t.system.db.update(attempts).set({ reviewStatus: 'rejected' }).where(eq(attempts.id, attemptId));
    expect(await evaluate()).toEqual({ action: 'none', reason: 'rejected in the proctoring review' });
    await t.system.db.update(attempts).set({ reviewStatus: 'approved' }).where(eq(attempts.id, attemptId));
    const created = await evaluate();
    expect(created.action).toBe('created');
    // Rejected after all: the certificate it had is revoked.
    await t.system.db.update(attempts).set({ reviewStatus: 'rejected' }).where(eq(attempts.id, attemptId));
    expect((await evaluate()).action).toBe('revoked');
  });
});

describe('demo data', () => {
  it('leaves one attempt waiting for review and one flagged, once', async () => {
    const { seedDemo, DEMO_ACCOUNTS } = await import('../../src/demo/demo.seed.ts');
    const { seedDemoReview } = await import('../../src/demo/demo-review.seed.ts');
    await seedDemo(t.system.db);
    const teacherEmail = DEMO_ACCOUNTS.find((a) => a.role === 'teacher')!.email;
    const first = await seedDemoReview(t.system.db, t.system.config.secret, teacherEmail);
    expect(first.attemptIds).toHaveLength(2);
    const [waiting, flagged] = await Promise.all(first.attemptIds.map(attemptRow));
    expect(waiting).toMatchObject({ status: 'submitted', riskScore: 40, reviewStatus: 'pending' });
    expect(flagged).toMatchObject({ riskScore: 12, manualReviewRequired: false, reviewStatus: 'flagged' });
    const audits = (await t.system.db.select().from(auditLogs)).length;
    const again = await seedDemoReview(t.system.db, t.system.config.secret, teacherEmail);
    expect(again.attemptIds).toEqual(first.attemptIds);
    expect((await t.system.db.select().from(auditLogs)).length).toBe(audits);
  });
});
