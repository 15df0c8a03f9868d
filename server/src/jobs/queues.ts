// The producer side of every queue: one BullMQ Queue per queue of protocol's jobSchemas,
// and one typed enqueue function per queue that validates the payload against its
// schema before it reaches Redis. Domains enqueue through these (<domain>.jobs.ts).
import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { jobSchemas, type JobName, type JobPayload, type QueueName } from '@exam-hall/protocol';
import type { ZodType } from 'zod';

/** Adds one job of queue `Q`; the payload is checked against protocol's schema first. */
export type Enqueue<Q extends QueueName> = <N extends JobName<Q>>(
  name: N,
  payload: JobPayload<Q, N>,
  opts?: JobsOptions,
) => Promise<void>;

export type Enqueuers = { [Q in QueueName]: Enqueue<Q> };

export const queueNames = Object.keys(jobSchemas) as QueueName[];

/** A typed enqueue over an existing Queue (tests and scripts that hold their own). */
export function enqueuer<Q extends QueueName>(queue: Queue, name: Q): Enqueue<Q> {
  if (queue.name !== name) throw new Error(`queue ${queue.name} is not ${name}`);
  const schemas = jobSchemas[name] as Record<string, ZodType>;
  return async (job, payload, opts) => {
    const schema = schemas[job];
    if (!schema) throw new Error(`unknown job ${name}/${job}`);
    await queue.add(job, schema.parse(payload), opts);
  };
}

/** Every queue once, on one connection; `close()` closes them all. */
export function createQueues(connection: ConnectionOptions, prefix: string) {
  const queues = new Map(queueNames.map((q) => [q, new Queue(q, { connection, prefix })]));
  const of = <Q extends QueueName>(q: Q): Enqueue<Q> => enqueuer(queues.get(q)!, q);
  const enqueue: Enqueuers = {
    maintenance: of('maintenance'),
    grading: of('grading'),
    attempts: of('attempts'),
    certificates: of('certificates'),
    zoom: of('zoom'),
    lti: of('lti'),
  };
  return {
    enqueue,
    close: async () => {
      for (const q of queues.values()) await q.close();
    },
  };
}
