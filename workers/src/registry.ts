// One table of every job the workers run: queue -> job name -> payload schema
// (from protocol/) -> handler. Checked at start: a job without a handler, or a
// handler for an unknown job, stops the process.
import { jobSchemas, type JobName, type JobPayload, type QueueName } from '@exam-hall/protocol';
import type { Db } from '@exam-hall/server/db/client.ts';
import { deleteEndedSessions } from '@exam-hall/server/modules/auth/auth.repository.ts';
import type { Logger } from '@exam-hall/server/lib/logger.ts';
import type { HallPublisher } from '@exam-hall/server/modules/hall/hall.events.ts';
import { expireIfDue, sweepExpired } from '@exam-hall/server/modules/attempts/attempts.expiry.ts';
import { gradeAttempt, type GradingQueue } from '@exam-hall/server/modules/grading/grading.service.ts';

export interface JobContext {
  db: Db;
  log: Logger;
  /** Pushes to browsers through Redis, from a process that has no sockets of its own. */
  publish: HallPublisher;
  grading: GradingQueue;
}

type Handlers = {
  [Q in QueueName]: { [N in JobName<Q>]: (payload: JobPayload<Q, N>, ctx: JobContext) => Promise<unknown> };
};

export const handlers: Handlers = {
  maintenance: {
    'sessions.cleanup': async (payload, ctx) => {
      const deleted = await deleteEndedSessions(ctx.db, payload.olderThanDays);
      ctx.log.info({ deleted }, 'deleted ended sessions');
      return { deleted };
    },
  },
  grading: {
    'attempt.grade': async (payload, ctx) => {
      const outcome = await gradeAttempt(ctx.db, payload.attemptId);
      // Grading runs after the student's page has moved on; tell it the result is ready.
      if (outcome) ctx.publish.graded(payload.attemptId);
      return outcome;
    },
  },
  attempts: {
    'attempt.expire': async (payload, ctx) => ({
      expired: await expireIfDue(ctx.db, payload.attemptId, ctx.publish, ctx.grading),
    }),
    'attempts.sweep': async (payload, ctx) => {
      const expired = await sweepExpired(ctx.db, ctx.publish, payload.limit, ctx.grading);
      if (expired) ctx.log.warn({ expired }, 'sweeper ended attempts whose expiry job was missing');
      return { expired };
    },
  },
};

/** Repeating jobs, scheduled idempotently (BullMQ job schedulers are keyed by id). */
export const schedules = [
  {
    queue: 'maintenance' as const,
    id: 'sessions.cleanup',
    name: 'sessions.cleanup' as const,
    everyMs: 3_600_000,
    data: { olderThanDays: 7 },
  },
];

export function checkRegistry(): void {
  for (const queue of Object.keys(jobSchemas) as QueueName[]) {
    const declared = Object.keys(jobSchemas[queue]).sort();
    const handled = Object.keys(handlers[queue] ?? {}).sort();
    if (declared.join() !== handled.join()) {
      throw new Error(`job registry mismatch in queue ${queue}: declared [${declared}] handled [${handled}]`);
    }
  }
}
