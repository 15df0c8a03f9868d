// Starts one BullMQ Worker per queue, validating each payload against its schema
// before the handler sees it. Closes exactly once on shutdown.
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { ZodType } from 'zod';
import { jobSchemas, type QueueName } from '@exam-hall/protocol';
import type { Config } from '../config/config.ts';
import type { Logger } from '../lib/logger.ts';
import { closeRedis } from '../lib/redis.ts';
import { unavailableErrorOf } from '../db/unavailable.ts';
import { createInfrastructure, type Infrastructure } from '../infrastructure.ts';
import { checkRegistry, handlers, schedules } from './registry.ts';

/** Jobs in flight per queue and process. Grading is short database work; minting is
 * serialized per issuer by an advisory lock anyway, so more would only wait. */
const CONCURRENCY: Record<QueueName, number> = {
  maintenance: 1,
  grading: 10,
  attempts: 5,
  certificates: 2,
  zoom: 5,
  lti: 5,
};

/**
 * `schedules: false` leaves out the repeating jobs (tests that must control every job run).
 * `infra`: the process's infrastructure (role `all`), closed by its owner; without it the
 * runtime builds its own for role `worker` and closes it with itself.
 */
export async function startWorkers(
  config: Config,
  log: Logger,
  opts: { schedules?: boolean; infra?: Infrastructure } = {},
) {
  checkRegistry();
  const infra = opts.infra ?? createInfrastructure(config, log, { role: 'worker' });
  // Workers block on Redis; BullMQ requires maxRetriesPerRequest: null for them.
  const connection = new Redis(config.redis.url, { maxRetriesPerRequest: null, connectionName: 'exam-hall-worker' });
  connection.on('error', () => {});
  const prefix = `${config.redis.prefix}:bull`;
  if (!infra.chain) log.warn('CERTIFICATE_CONTRACT_ADDRESS is not set: certificates will wait in pending');
  const context = {
    db: infra.db,
    publish: infra.publish,
    grading: infra.grading,
    expiry: infra.expiry,
    certificates: infra.certificates,
    chain: infra.chain,
    zoom: infra.zoom,
    zoomJobs: infra.zoomJobs,
    ltiGrades: infra.ltiGrades,
    ltiTokens: infra.ltiTokens,
    institutionName: config.institutionName,
    reportDelayMs: config.zoom.reportDelayMs,
  };
  const workers: Worker[] = [];
  const queues: Queue[] = [];

  for (const queue of Object.keys(jobSchemas) as QueueName[]) {
    const worker = new Worker(
      queue,
      async (job) => {
        const schemas = jobSchemas[queue] as Record<string, ZodType>;
        const handler = (handlers[queue] as Record<string, (p: unknown, c: unknown) => Promise<unknown>>)[job.name];
        const schema = schemas[job.name];
        if (!schema || !handler) throw new UnrecoverableError(`unknown job ${queue}/${job.name}`);
        const parsed = schema.safeParse(job.data);
        if (!parsed.success) throw new UnrecoverableError(`invalid payload for ${job.name}: ${parsed.error.message}`);
        return handler(parsed.data, { ...context, log: log.child({ queue, job: job.name, jobId: job.id }) });
      },
      { connection, prefix, concurrency: CONCURRENCY[queue] },
    );
    worker.on('failed', (job, err) => logJobFailure(log, queue, job, err));
    workers.push(worker);
  }
  // The last runs stay in Redis for a while: what a sweep or reconciler did can be looked up.
  const kept = { removeOnComplete: 100, removeOnFail: 100 };
  for (const s of opts.schedules === false ? [] : schedules) {
    const q = new Queue(s.queue, { connection, prefix });
    queues.push(q);
    await q.upsertJobScheduler(s.id, { every: s.everyMs }, { name: s.name, data: s.data, opts: kept });
    // A restart (maybe after Redis lost its jobs) is when the safety nets matter most.
    if (s.atStart) await q.add(s.name, s.data, kept);
  }
  log.info({ queues: Object.keys(jobSchemas) }, 'workers started');

  let closing: Promise<void> | undefined;
  return {
    close: () =>
      (closing ??= (async () => {
        await Promise.all(workers.map((w) => w.close()));
        await Promise.all(queues.map((q) => q.close()));
        await closeRedis(connection);
        // A shared infrastructure is closed by its owner, after the API.
        if (!opts.infra) await infra.close();
      })()),
  };
}

/**
 * A failed job's log line. One that failed because PostgreSQL or Redis is away (the sweep,
 * every few seconds of an outage) is a warning naming the cause, not an error with the
 * statement and its stack; anything else stays an error with its stack.
 */
export function logJobFailure(
  log: Pick<Logger, 'warn' | 'error'>,
  queue: string,
  job: { name?: string; id?: string | undefined; attemptsMade?: number } | undefined,
  err: Error,
): void {
  const where = { queue, job: job?.name, jobId: job?.id };
  if (!unavailableErrorOf(err)) return log.error({ ...where, err }, 'job failed');
  const cause = err.cause instanceof Error ? err.cause.message : err.message;
  log.warn({ ...where, attemptsMade: job?.attemptsMade, cause }, 'job failed: the database or Redis is unavailable');
}
