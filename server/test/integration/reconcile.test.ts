// Redis restarted without persistence loses every queued job. The reconcilers re-derive
// from PostgreSQL what those jobs would have done: grading, certificate evaluation and
// attendance sync. Each case builds the stranded state (work owed in the database, the
// queues emptied), then starts the workers; their start-up run does the work, once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, ne, sql } from 'drizzle-orm';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { attempts, certificates, meetingParticipation, zoomMeetings } from '../../src/db/schema/index.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { transitionAttempt } from '../../src/modules/attempts/attempts.state.ts';
import { evaluateAttempt } from '../../src/modules/certificates/certificates.evaluate.ts';
import { markRevoked } from '../../src/modules/certificates/certificates.repository.ts';
import { startWorkers } from '../../src/jobs/runtime.ts';
import { startZoomEmulator, type ZoomEmulator } from '../../../scripts/zoom-emulator/emulator.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { publishedExam, signedIn, startedAttempt } from '../support/fixtures.ts';
import { waitFor } from '../support/certificates.ts';

let emulator: ZoomEmulator;
let t: TestSystem;
let workers: Awaited<ReturnType<typeof startWorkers>> | undefined;
let redis: Redis;
const queues: Record<string, Queue> = {};
const stranded = {
  ungraded: '',
  passedWithoutCertificate: '',
  overridden: { attemptId: '', oldCertificateId: '' },
  revokedByHand: '',
  meetingId: '',
  segments: 0,
};

/** An attempt ended (or graded) five minutes ago: past every reconciler's settle time. */
const longAgo = sql`now() - interval '5 minutes'`;

beforeAll(async () => {
  emulator = await startZoomEmulator({
    port: 0,
    accountId: 'acc-r',
    clientId: 'client-r',
    clientSecret: 'secret-r',
    webhookSecret: 'webhook-secret-r',
  });
  t = await startTestSystem({
    ZOOM_ACCOUNT_ID: 'acc-r',
    ZOOM_CLIENT_ID: 'client-r',
    ZOOM_CLIENT_SECRET: 'secret-r',
    ZOOM_API_URL: emulator.apiBaseUrl,
    ZOOM_OAUTH_URL: emulator.oauthTokenUrl,
  });
  redis = new Redis(t.system.config.redis.url, { maxRetriesPerRequest: null });
  for (const name of ['grading', 'certificates', 'zoom', 'attempts']) {
    queues[name] = new Queue(name, { connection: redis, prefix: `${t.system.config.redis.prefix}:bull` });
  }
  const db = t.system.db;
  const teacher = await signedIn(t, 'teacher');

  // Grading: a submitted attempt that was never graded.
  const plain = await publishedExam(t, teacher);
  stranded.ungraded = (await startedAttempt(t, teacher, plain.id)).attemptId;
  await transitionAttempt(db, stranded.ungraded, 'submitted');
  await db.update(attempts).set({ submittedAt: longAgo }).where(eq(attempts.id, stranded.ungraded));

  // Certificates: graded passes of an exam that issues them.
  const certExam = await publishedExam(t, teacher, { issueCertificates: true });
  const graded = async (score: number) => {
    const { attemptId } = await startedAttempt(t, teacher, certExam.id);
    await transitionAttempt(db, attemptId, 'submitted');
    await db
      .update(attempts)
      .set({ score, maxScore: 4, percentage: score * 25, passed: score >= 2, gradedAt: longAgo, updatedAt: longAgo })
      .where(eq(attempts.id, attemptId));
    return attemptId;
  };
  // A pass whose evaluation job was lost: no certificate at all.
  stranded.passedWithoutCertificate = await graded(4);
  // A pass with its certificate, then a score override whose evaluation job was lost.
  stranded.overridden.attemptId = await graded(4);
  const made = await evaluateAttempt(db, 'Test Institution', stranded.overridden.attemptId);
  expect(made.action).toBe('created');
  stranded.overridden.oldCertificateId = (made as { certificateId: string }).certificateId;
  await db
    .update(attempts)
    .set({ score: 3, percentage: 75, scoreOverriddenAt: longAgo, updatedAt: longAgo })
    .where(eq(attempts.id, stranded.overridden.attemptId));
  // A pass whose certificate an admin revoked by hand: must stay without one.
  stranded.revokedByHand = await graded(4);
  const revoked = await evaluateAttempt(db, 'Test Institution', stranded.revokedByHand);
  await markRevoked(db, { id: (revoked as { certificateId: string }).certificateId }, 'Misconduct', null);
  await db.update(attempts).set({ updatedAt: longAgo }).where(eq(attempts.id, stranded.revokedByHand));

  // Attendance: a meeting that ended an hour ago and whose sync job was lost.
  const created = emulator.createMeeting({ topic: 'Lost sync', type: 2, duration: 60, settings: { approval_type: 0 } });
  const truth = emulator.generate(created.id as number, { participants: 12, rejoinRate: 0.3, seed: 5 });
  stranded.segments = truth.totalSegments;
  const [meeting] = await db
    .insert(zoomMeetings)
    .values({
      zoomMeetingId: String(truth.meetingId),
      zoomUuid: truth.uuid,
      topic: 'Lost sync',
      status: 'ended',
      startedAt: new Date(truth.startTime),
      endedAt: new Date(truth.endTime),
      updatedAt: sql`now() - interval '1 hour'`,
    })
    .returning();
  stranded.meetingId = meeting!.id;

  // Redis forgets everything that was queued.
  for (const q of Object.values(queues)) await q.obliterate({ force: true });
  workers = await startWorkers(t.system.config, createLogger('silent'));
});
afterAll(async () => {
  await workers?.close();
  for (const q of Object.values(queues)) await q.close();
  redis?.disconnect();
  await t?.close();
  await emulator?.stop();
});

const attemptOf = async (id: string) => (await t.system.db.select().from(attempts).where(eq(attempts.id, id)))[0]!;
const liveCertificates = (attemptId: string) =>
  t.system.db
    .select()
    .from(certificates)
    .where(and(eq(certificates.attemptId, attemptId), ne(certificates.status, 'revoked')));

/** Runs a reconciler by hand and answers what it returned. */
async function runOnce(queue: string, name: string, data: Record<string, unknown>) {
  const events = new QueueEvents(queue, {
    connection: redis.duplicate(),
    prefix: `${t.system.config.redis.prefix}:bull`,
  });
  try {
    await events.waitUntilReady();
    const job = await queues[queue]!.add(name, data);
    return await job.waitUntilFinished(events, 15_000);
  } finally {
    await events.close();
  }
}

describe('after Redis lost the queued jobs', () => {
  it('grades an ended attempt that was never graded', async () => {
    const a = await waitFor('the grade', async () => {
      const row = await attemptOf(stranded.ungraded);
      return row.gradedAt ? row : null;
    });
    expect(a).toMatchObject({ score: 0, maxScore: 4, passed: false });
  });

  it('issues the certificate of a pass that never got one, and replaces one left behind by an override', async () => {
    const [issued] = await waitFor('the missing certificate', async () => {
      const rows = await liveCertificates(stranded.passedWithoutCertificate);
      return rows.length ? rows : null;
    });
    expect(issued!.metadata).toMatchObject({ result: { score: 4, maxScore: 4, percentage: 100 } });

    const [replaced] = await waitFor('the corrected certificate', async () => {
      const rows = await liveCertificates(stranded.overridden.attemptId);
      return rows.length && rows[0]!.id !== stranded.overridden.oldCertificateId ? rows : null;
    });
    expect(replaced!.metadata).toMatchObject({ result: { score: 3, percentage: 75 } });
    const [old] = await t.system.db
      .select()
      .from(certificates)
      .where(eq(certificates.id, stranded.overridden.oldCertificateId));
    expect(old!.status).toBe('revoked');
  });

  it('syncs the attendance of an ended meeting that was never synced', async () => {
    const [m] = await waitFor('the sync', async () => {
      const rows = await t.system.db.select().from(zoomMeetings).where(eq(zoomMeetings.id, stranded.meetingId));
      return rows[0]!.lastSyncedAt ? rows : null;
    });
    expect(m!.lastSyncedAt).not.toBeNull();
    const segments = await t.system.db
      .select()
      .from(meetingParticipation)
      .where(and(eq(meetingParticipation.meetingId, stranded.meetingId), eq(meetingParticipation.source, 'report')));
    expect(segments).toHaveLength(stranded.segments);
  });

  it('leaves nothing owed behind: a second run finds no work, each job was done once', async () => {
    // Positive conditions first: the work above is done and no job it queued is still pending.
    await waitFor('everything reconciled', async () => {
      const done =
        (await attemptOf(stranded.ungraded)).gradedAt !== null &&
        (await liveCertificates(stranded.passedWithoutCertificate)).length === 1 &&
        (await liveCertificates(stranded.overridden.attemptId))[0]?.id !== stranded.overridden.oldCertificateId;
      if (!done) return false;
      for (const q of Object.values(queues)) {
        const pending = await q.getJobCounts('waiting', 'active', 'prioritized');
        if (Object.values(pending).some((n) => n > 0)) return false;
      }
      return true;
    });
    expect(await runOnce('grading', 'grading.reconcile', { limit: 100, settleSeconds: 60 })).toEqual({ enqueued: 0 });
    expect(await runOnce('certificates', 'evaluations.reconcile', { limit: 100, settleSeconds: 60 })).toEqual({
      enqueued: 0,
    });
    expect(await runOnce('zoom', 'attendance.reconcile', { limit: 100, marginSeconds: 120, maxAgeHours: 72 })).toEqual({
      enqueued: 0,
    });
    // The certificate an admin revoked stays revoked; no new one was made for that pass.
    const all = await t.system.db.select().from(certificates).where(eq(certificates.attemptId, stranded.revokedByHand));
    expect(all.map((c) => c.status)).toEqual(['revoked']);
    expect(await liveCertificates(stranded.passedWithoutCertificate)).toHaveLength(1);
    expect(await liveCertificates(stranded.overridden.attemptId)).toHaveLength(1);
  });
});
