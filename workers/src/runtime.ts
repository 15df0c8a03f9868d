// Starts one BullMQ Worker per queue, validating each payload against its schema
// before the handler sees it. Closes exactly once on shutdown.
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { jobSchemas, type QueueName } from '@exam-hall/protocol';
import type { Config } from '@exam-hall/server/config/config.ts';
import { createDb } from '@exam-hall/server/db/client.ts';
import type { Logger } from '@exam-hall/server/lib/logger.ts';
import { Emitter } from '@socket.io/redis-emitter';
import { socketPublisher } from '@exam-hall/server/modules/hall/hall.events.ts';
import { bullGradingQueue, GRADING_QUEUE } from '@exam-hall/server/modules/grading/grading.service.ts';
import { socketChannel } from '@exam-hall/server/socket/hub.ts';
import { bullCertificateJobs, CERTIFICATES_QUEUE } from '@exam-hall/server/modules/certificates/certificates.jobs.ts';
import { createChain } from '@exam-hall/server/modules/certificates/certificates.chain.ts';
import { createZoomClient } from '@exam-hall/server/modules/zoom/zoom.client.ts';
import { bullZoomJobs, ZOOM_QUEUE } from '@exam-hall/server/modules/zoom/zoom.jobs.ts';
import { ATTEMPTS_QUEUE, queueExpiryScheduler } from '@exam-hall/server/modules/attempts/attempts.expiry.ts';
import { checkRegistry, handlers, schedules } from './registry.ts';
import { closeRedis, fireAndForgetPublisher } from '@exam-hall/server/lib/redis.ts';

/** Jobs in flight per queue and process. Grading is short database work; minting is
 * serialized per issuer by an advisory lock anyway, so more would only wait. */
const CONCURRENCY: Record<QueueName, number> = { maintenance: 1, grading: 10, attempts: 5, certificates: 2, zoom: 5 };

/** `schedules: false` leaves out the repeating jobs (tests that must control every job run). */
export async function startWorkers(config: Config, log: Logger, opts: { schedules?: boolean } = {}) {
  checkRegistry();
  const { db, pool } = createDb(config.database.url, Math.min(config.database.poolMax, 10));
  // Workers block on Redis; BullMQ requires maxRetriesPerRequest: null for them.
  const connection = new Redis(config.redis.url, { maxRetriesPerRequest: null, connectionName: 'exam-hall-worker' });
  connection.on('error', () => {});
  const prefix = `${config.redis.prefix}:bull`;
  const emitterRedis = new Redis(config.redis.url, { connectionName: 'exam-hall-worker-emitter' });
  emitterRedis.on('error', () => {});
  const gradingQueue = new Queue(GRADING_QUEUE, { connection, prefix });
  const grading = bullGradingQueue(gradingQueue);
  const certificatesQueue = new Queue(CERTIFICATES_QUEUE, { connection, prefix });
  const certificates = bullCertificateJobs(certificatesQueue);
  const chain = config.chain.contractAddress ? createChain(config.chain) : null;
  const zoomQueue = new Queue(ZOOM_QUEUE, { connection, prefix });
  const zoomJobs = bullZoomJobs(zoomQueue);
  const attemptsQueue = new Queue(ATTEMPTS_QUEUE, { connection, prefix });
  const expiry = queueExpiryScheduler(attemptsQueue);
  const zoomRedis = new Redis(config.redis.url, { connectionName: 'exam-hall-worker-zoom' });
  zoomRedis.on('error', () => {});
  const zoom = createZoomClient(zoomRedis, config.redis.prefix, config.zoom);
  if (!chain) log.warn('CERTIFICATE_CONTRACT_ADDRESS is not set: certificates will wait in pending');
  // The emitter publishes without awaiting: its client handles its own failures (Redis restarts).
  const publish = socketPublisher(
    new Emitter(fireAndForgetPublisher(emitterRedis, log, 'worker emitter'), {
      key: socketChannel(config.redis.prefix),
    }),
  );
  const workers: Worker[] = [];
  const queues: Queue[] = [];

  for (const queue of Object.keys(jobSchemas) as QueueName[]) {
    const worker = new Worker(
      queue,
      async (job) => {
        const schemas = jobSchemas[queue] as Record<string, import('zod').ZodType>;
        const handler = (handlers[queue] as Record<string, (p: unknown, c: unknown) => Promise<unknown>>)[job.name];
        const schema = schemas[job.name];
        if (!schema || !handler) throw new UnrecoverableError(`unknown job ${queue}/${job.name}`);
        const parsed = schema.safeParse(job.data);
        if (!parsed.success) throw new UnrecoverableError(`invalid payload for ${job.name}: ${parsed.error.message}`);
        return handler(parsed.data, {
          db,
          publish,
          grading,
          expiry,
          certificates,
          chain,
          institutionName: config.institutionName,
          zoom,
          zoomJobs,
          reportDelayMs: config.zoom.reportDelayMs,
          log: log.child({ queue, job: job.name, jobId: job.id }),
        });
      },
      { connection, prefix, concurrency: CONCURRENCY[queue] },
    );
    worker.on('failed', (job, err) => log.error({ queue, job: job?.name, jobId: job?.id, err }, 'job failed'));
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
        await gradingQueue.close();
        await certificatesQueue.close();
        await zoomQueue.close();
        await attemptsQueue.close();
        chain?.destroy();
        await closeRedis(connection, emitterRedis, zoomRedis);
        await pool.end();
      })()),
  };
}
