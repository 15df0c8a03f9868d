// The exam start's fast path (attempts.fast-start.repository.ts): a preview read without
// locks, then ONE statement that writes the claim (code spent, attempt, audit entry) or the
// begin (clock, audit entry), only if nothing it relied on changed meanwhile. Each test
// changes one thing between the preview and the statement, as a concurrent request would, and
// checks that the statement wrote nothing, so the service falls back to the transactional
// path, which decides with the rows locked.
import { randomBytes } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWithCodeBodySchema } from '@exam-hall/protocol';
import { attempts, auditLogs, examParticipants, exams } from '../../src/db/schema/index.ts';
import {
  beginIfUnchanged,
  beginPreview,
  claimAndCreate,
  entryPreview,
} from '../../src/modules/attempts/attempts.fast-start.repository.ts';
import { ctx, startServiceWorld, type Person, type ServiceWorld } from '../support/service-world.ts';

let w: ServiceWorld;
let teacher: Person;
let examId: string;

beforeAll(async () => {
  w = await startServiceWorld();
  teacher = await w.person('teacher');
  examId = (await w.publishedExam(teacher)).id;
});
afterAll(async () => {
  await w?.close();
});

async function invited() {
  const email = `fast-${randomBytes(4).toString('hex')}@school.example`;
  const { code } = await w.services.participants.add(teacher.caller, examId, { email });
  const [p] = await w.db.select().from(examParticipants).where(eq(examParticipants.email, email));
  const pre = await entryPreview(w.db, p!.id);
  return { email, code, participant: p!, pre: pre! };
}

/** The statement's input as the service builds it from a preview. */
function claimOf(v: Awaited<ReturnType<typeof invited>>) {
  return {
    participantId: v.participant.id,
    accessCodeHash: v.participant.accessCodeHash,
    participantVersion: v.pre.participantVersion,
    usedAt: new Date(),
    examId,
    examVersion: v.pre.examVersion,
    attemptNumber: v.pre.used + 1,
    questionOrder: v.pre.questions.map((q) => q.id),
    optionOrder: {},
    drawnQuestions: {},
    attemptTokenHash: randomBytes(16).toString('hex'),
    ipHash: 'ip',
    userAgent: null,
    requestId: null,
    details: { examId, via: 'code', attemptNumber: v.pre.used + 1 },
  };
}

async function nothingWritten(participantId: string) {
  const [p] = await w.db.select().from(examParticipants).where(eq(examParticipants.id, participantId));
  expect(p!.codeStatus).toBe('unused');
  expect(p!.codeUsedAt).toBeNull();
  expect(await w.db.$count(attempts, eq(attempts.participantId, participantId))).toBe(0);
  expect(
    await w.db.$count(auditLogs, and(eq(auditLogs.action, 'attempt.entered_lobby'), eq(auditLogs.actorId, p!.userId))),
  ).toBe(0);
}

describe('the one-statement claim', () => {
  it('spends the code, creates the attempt and records the audit entry when nothing changed', async () => {
    const v = await invited();
    expect(v.pre.questions.map((q) => q.position)).toEqual([0, 1, 2]);
    expect(v.pre.hasSections).toBe(false);
    const created = await claimAndCreate(w.db, claimOf(v));
    expect(created).toMatchObject({ status: 'not_started', attemptNumber: 1, examId });
    const [p] = await w.db.select().from(examParticipants).where(eq(examParticipants.id, v.participant.id));
    expect(p!.codeStatus).toBe('used');
    const [a] = await w.db.select().from(attempts).where(eq(attempts.id, created!.id));
    expect(a!.questionOrder).toEqual(v.pre.questions.map((q) => q.id));
    const [entry] = await w.db.select().from(auditLogs).where(eq(auditLogs.targetId, created!.id));
    expect(entry).toMatchObject({ action: 'attempt.entered_lobby', actorId: p!.userId, actorRole: 'student' });
    expect(entry!.details).toEqual({ examId, via: 'code', attemptNumber: 1 });
  });

  it('writes nothing when the exam row changed after the preview (a question or section edit rewrites it)', async () => {
    const v = await invited();
    await w.db
      .update(exams)
      .set({ title: sql`${exams.title}` })
      .where(eq(exams.id, examId));
    expect(await claimAndCreate(w.db, claimOf(v))).toBeNull();
    await nothingWritten(v.participant.id);
  });

  it('writes nothing when the invitation changed after the preview (an accommodation, a new code)', async () => {
    const v = await invited();
    await w.db.update(examParticipants).set({ extraTimeMinutes: 10 }).where(eq(examParticipants.id, v.participant.id));
    expect(await claimAndCreate(w.db, claimOf(v))).toBeNull();
    await nothingWritten(v.participant.id);
  });

  it('writes nothing when an attempt appeared after the preview (another device, signed in)', async () => {
    const v = await invited();
    const [other] = await w.db
      .insert(attempts)
      .values({ examId, participantId: v.participant.id, userId: v.participant.userId, attemptNumber: 1 })
      .returning();
    expect(await claimAndCreate(w.db, claimOf(v))).toBeNull();
    const [p] = await w.db.select().from(examParticipants).where(eq(examParticipants.id, v.participant.id));
    expect(p!.codeStatus).toBe('unused');
    expect(
      (await w.db.select().from(attempts).where(eq(attempts.participantId, v.participant.id))).map((a) => a.id),
    ).toEqual([other!.id]);
  });

  it('falls back to the transactional path, which refuses with the reason (attempt already in the lobby)', async () => {
    const v = await invited();
    await w.db
      .insert(attempts)
      .values({ examId, participantId: v.participant.id, userId: v.participant.userId, attemptNumber: 1 });
    await expect(
      w.services.attempts.startWithCode(startWithCodeBodySchema.parse({ email: v.email, code: v.code }), ctx),
    ).rejects.toMatchObject({ status: 409, code: 'attempt_in_progress' });
    const [p] = await w.db.select().from(examParticipants).where(eq(examParticipants.id, v.participant.id));
    expect(p!.codeStatus).toBe('unused');
  });
});

describe('the one-statement begin', () => {
  async function lobby() {
    const entered = await w.entered(teacher, examId);
    const pre = (await beginPreview(w.db, entered.id))!;
    const input = {
      attemptId: entered.id,
      attemptVersion: pre.attemptVersion,
      examId,
      examVersion: pre.examVersion,
      participantId: pre.attempt.participantId,
      participantVersion: pre.participantVersion,
      durationSeconds: 1800,
      notAfter: null,
      accommodationSeconds: 0,
      actorId: pre.attempt.userId,
      actorRole: 'student',
      ipHash: 'ip',
      requestId: null,
      details: { examId, attemptNumber: 1, startMode: 'student' },
    };
    return { entered, pre, input };
  }
  async function notStarted(attemptId: string) {
    const [a] = await w.db.select().from(attempts).where(eq(attempts.id, attemptId));
    expect(a).toMatchObject({ status: 'not_started', startedAt: null, deadlineAt: null });
    expect(
      await w.db.$count(auditLogs, and(eq(auditLogs.action, 'attempt.started'), eq(auditLogs.targetId, attemptId))),
    ).toBe(0);
  }

  it('starts the clock (extra time kept on the attempt) and records the audit entry when nothing changed', async () => {
    const { entered, input } = await lobby();
    const started = await beginIfUnchanged(w.db, { ...input, durationSeconds: 2100, accommodationSeconds: 300 });
    expect(started).toMatchObject({ id: entered.id, status: 'in_progress' });
    const seconds = (started!.deadlineAt!.getTime() - started!.startedAt!.getTime()) / 1000;
    expect(seconds).toBeCloseTo(2100, 0);
    const [a] = await w.db.select().from(attempts).where(eq(attempts.id, entered.id));
    expect(a!.accommodationSeconds).toBe(300);
    const [entry] = await w.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, 'attempt.started'), eq(auditLogs.targetId, entered.id)));
    expect(entry!.details).toEqual({ examId, attemptNumber: 1, startMode: 'student' });
    // A second one finds it started: nothing more is written.
    expect(await beginIfUnchanged(w.db, input)).toBeNull();
  });

  it('writes nothing when the exam row changed after the preview', async () => {
    const { entered, input } = await lobby();
    await w.db
      .update(exams)
      .set({ title: sql`${exams.title}` })
      .where(eq(exams.id, examId));
    expect(await beginIfUnchanged(w.db, input)).toBeNull();
    await notStarted(entered.id);
  });

  it("writes nothing when the participant's accommodations changed after the preview", async () => {
    const { entered, pre, input } = await lobby();
    await w.db
      .update(examParticipants)
      .set({ extraTimePercent: 50 })
      .where(eq(examParticipants.id, pre.attempt.participantId));
    expect(await beginIfUnchanged(w.db, input)).toBeNull();
    await notStarted(entered.id);
  });

  it('writes nothing when the attempt changed after the preview (camera consent given meanwhile)', async () => {
    const { entered, input } = await lobby();
    await w.db.update(attempts).set({ cameraConsentAt: new Date() }).where(eq(attempts.id, entered.id));
    expect(await beginIfUnchanged(w.db, input)).toBeNull();
    await notStarted(entered.id);
  });
});
