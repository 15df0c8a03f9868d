// Attempts' jobs: the expiry producer (one delayed job per attempt and deadline) and what
// each attempts job does (called by the job registry, server/src/jobs/registry.ts).
import type { JobPayload } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Enqueue } from '../../jobs/queues.ts';
import type { HallPublisher } from '../hall/hall.events.ts';
import type { GradingQueue } from '../grading/grading.jobs.ts';
import { expireIfDue, expiryRunsAt, rearmExpiries, sweepExpired } from './attempts.expiry.ts';

export interface ExpiryScheduler {
  /** Makes sure the attempt is ended at its deadline even if no browser is connected. */
  schedule(attemptId: string, deadlineAt: Date): Promise<void>;
}

/** Queues one delayed job per (attempt, deadline); a moved deadline queues another. */
export function expiryJobs(enqueue: Enqueue<'attempts'>): ExpiryScheduler {
  return {
    async schedule(attemptId, deadlineAt) {
      await enqueue(
        'attempt.expire',
        { attemptId },
        {
          delay: Math.max(0, expiryRunsAt(deadlineAt) - Date.now()),
          jobId: `expire-${attemptId}-${deadlineAt.getTime()}`,
          removeOnComplete: true,
          removeOnFail: 1000,
          attempts: 5,
          backoff: { type: 'exponential', delay: 1000 },
        },
      );
    },
  };
}

interface AttemptJobDeps {
  db: Db;
  log: Logger;
  publish: HallPublisher;
  grading: GradingQueue;
  expiry: ExpiryScheduler;
}

/** 'attempt.expire' */
export async function runExpireJob(deps: AttemptJobDeps, payload: JobPayload<'attempts', 'attempt.expire'>) {
  return { expired: await expireIfDue(deps.db, payload.attemptId, deps.publish, deps.grading) };
}

/** 'attempts.sweep': ends overdue attempts, re-queues the expiry jobs of those due soon. */
export async function runSweepJob(deps: AttemptJobDeps, payload: JobPayload<'attempts', 'attempts.sweep'>) {
  const expired = await sweepExpired(deps.db, deps.publish, payload.limit, deps.grading);
  const rearmed = await rearmExpiries(deps.db, deps.expiry, payload.limit);
  // Expired > 0 means a job was late or lost (or the sweep came first by a few ms): worth seeing.
  if (expired) deps.log.warn({ expired, rearmed }, 'sweeper ended overdue attempts');
  return { expired, rearmed };
}
