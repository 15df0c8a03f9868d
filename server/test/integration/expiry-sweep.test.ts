// The expiry safety net with the workers' normal schedules: an attempt whose delayed
// expiry job is lost (as after a Redis restart without persistence) still ends within
// 18 s of its deadline (3 s save grace + one 15 s sweep period), exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { attempts, auditLogs } from '../../src/db/schema/index.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { startWorkers } from '../../src/jobs/runtime.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { publishedExam, signedIn, startedAttempt } from '../support/fixtures.ts';
import { waitFor } from '../support/certificates.ts';

let t: TestSystem;
let workers: Awaited<ReturnType<typeof startWorkers>>;
let redis: Redis;
let attemptsQueue: Queue;
beforeAll(async () => {
  t = await startTestSystem();
  // Normal schedules: the sweep runs at start and every 15 s, as in production.
  workers = await startWorkers(t.system.config, createLogger('silent'));
  redis = new Redis(t.system.config.redis.url, { maxRetriesPerRequest: null });
  attemptsQueue = new Queue('attempts', { connection: redis, prefix: `${t.system.config.redis.prefix}:bull` });
});
afterAll(async () => {
  await attemptsQueue?.close();
  redis?.disconnect();
  await workers?.close();
  await t?.close();
});

/** Every `added` (not `duplicated`) event of a job id in a queue's event stream: how often it was really queued. */
async function timesQueued(queue: string, jobId: string): Promise<number> {
  const entries = await redis.xrange(`${t.system.config.redis.prefix}:bull:${queue}:events`, '-', '+');
  return entries.filter(([, f]) => {
    const fields = Object.fromEntries(f.flatMap((v, i, all) => (i % 2 ? [] : [[v, all[i + 1]]])));
    return fields.event === 'added' && fields.jobId === jobId;
  }).length;
}

describe('an attempt whose expiry job was lost', () => {
  it('ends within 18 s of its deadline, exactly once, through the sweep', async () => {
    const teacher = await signedIn(t, 'teacher');
    const exam = await publishedExam(t, teacher);
    const { attemptId } = await startedAttempt(t, teacher, exam.id);
    const [started] = await t.system.db.select().from(attempts).where(eq(attempts.id, attemptId));

    // Redis loses the delayed job the start queued.
    const jobId = `expire-${attemptId}-${started!.deadlineAt!.getTime()}`;
    const job = await attemptsQueue.getJob(jobId);
    expect(job?.name).toBe('attempt.expire');
    await job!.remove();
    expect(await attemptsQueue.getJob(jobId)).toBeUndefined();

    // And the deadline comes in 2 s, so the test does not wait 30 minutes.
    const [moved] = await t.system.db
      .update(attempts)
      .set({ deadlineAt: sql`now() + interval '2 seconds'` })
      .where(eq(attempts.id, attemptId))
      .returning();
    const deadline = moved!.deadlineAt!.getTime();

    const [ended] = await waitFor(
      'the attempt to end',
      async () => {
        const rows = await t.system.db.select().from(attempts).where(eq(attempts.id, attemptId));
        return rows[0]!.status !== 'in_progress' ? rows : null;
      },
      24_000,
    );
    expect(ended!.status).toBe('expired');
    expect(ended!.endedReason).toBe('time_up');
    const late = ended!.submittedAt!.getTime() - deadline;
    console.log(`[expiry sweep] lost job: ended ${late} ms after the deadline`);
    expect(late).toBeGreaterThanOrEqual(3000); // the save grace is honoured
    expect(late).toBeLessThanOrEqual(18_000);

    // Settled: graded, and no expiry job of this attempt left to run (a re-queued one may still be waiting).
    await waitFor('the grade', async () => {
      const rows = await t.system.db.select().from(attempts).where(eq(attempts.id, attemptId));
      return rows[0]!.gradedAt !== null;
    });
    await waitFor('no expiry job of the attempt left', async () => {
      const pending = await attemptsQueue.getJobs(['delayed', 'waiting', 'active', 'prioritized']);
      return !pending.some((j) => j?.name === 'attempt.expire' && j.data.attemptId === attemptId);
    });
    const audited = await t.system.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.targetId, attemptId), eq(auditLogs.action, 'attempt.expired')));
    expect(audited).toHaveLength(1);
    expect(await timesQueued('grading', `grade-${attemptId}`)).toBe(1);
  });

  it('is queued again by the sweep before its deadline when the deadline is a sweep period or more away', async () => {
    const teacher = await signedIn(t, 'teacher');
    const exam = await publishedExam(t, teacher);
    const { attemptId } = await startedAttempt(t, teacher, exam.id);
    const [started] = await t.system.db.select().from(attempts).where(eq(attempts.id, attemptId));
    await (await attemptsQueue.getJob(`expire-${attemptId}-${started!.deadlineAt!.getTime()}`))!.remove();
    const [moved] = await t.system.db
      .update(attempts)
      .set({ deadlineAt: sql`now() + interval '25 seconds'` })
      .where(eq(attempts.id, attemptId))
      .returning();
    const deadline = moved!.deadlineAt!.getTime();

    // Within one sweep period a job for the current deadline is back, due at the deadline plus the grace.
    const job = await waitFor(
      'the expiry job to be queued again',
      async () => attemptsQueue.getJob(`expire-${attemptId}-${deadline}`),
      20_000, // one 15 s period, and room for a busy machine
    );
    expect(await job.getState()).toBe('delayed');
    expect(job.timestamp + job.delay).toBeGreaterThanOrEqual(deadline + 3000);
    expect(job.timestamp + job.delay).toBeLessThanOrEqual(deadline + 3000 + 1000);
    const [still] = await t.system.db.select().from(attempts).where(eq(attempts.id, attemptId));
    expect(still!.status).toBe('in_progress');
  });
});
