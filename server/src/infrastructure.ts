// One infrastructure for every role: the database pool, Redis, the queues and their
// typed producers, the publisher, the chain client and the Zoom client, built once per
// process. The API (system.ts) and the job runtime (jobs/runtime.ts) both take it, so a
// process with role `all` builds one set, not one each.
import { Redis } from 'ioredis';
import { Emitter } from '@socket.io/redis-emitter';
import type { Config } from './config/config.ts';
import { createDb } from './db/client.ts';
import type { Logger } from './lib/logger.ts';
import { closeRedis, createRedis, fireAndForgetPublisher } from './lib/redis.ts';
import { createQueues } from './jobs/queues.ts';
import { socketChannel } from './socket/hub.ts';
import { socketPublisher, type RoomEmitter } from './modules/hall/hall.events.ts';
import { expiryJobs } from './modules/attempts/attempts.jobs.ts';
import { gradingJobs } from './modules/grading/grading.jobs.ts';
import { certificateJobs } from './modules/certificates/certificates.jobs.ts';
import { createChain } from './modules/certificates/certificates.chain.ts';
import { createZoomClient } from './modules/zoom/zoom.client.ts';
import { zoomJobs } from './modules/zoom/zoom.jobs.ts';
import { createKeyStore } from './modules/keys/keys.service.ts';
import { ltiGradeJobs } from './modules/lti/lti.jobs.ts';
import { createLtiTokenClient } from './modules/lti/lti.token.ts';

export type Role = Config['role'];

export function createInfrastructure(config: Config, log: Logger, opts: { role: Role }) {
  const { role } = opts;
  // A worker-only process keeps the small pool it always had; with role `all` the one pool
  // holds what the API's and the workers' pools held together.
  const workerPool = Math.min(config.database.poolMax, 10);
  const poolMax =
    role === 'api' ? config.database.poolMax : role === 'worker' ? workerPool : config.database.poolMax + workerPool;
  const { db, pool } = createDb(config.database.url, poolMax);
  const redis = createRedis(config.redis.url, role === 'worker' ? 'exam-hall-worker' : 'exam-hall-api');
  const queueConnection = redis.duplicate();
  queueConnection.on('error', () => {});
  const queues = createQueues(queueConnection, `${config.redis.prefix}:bull`);
  const clients = [redis, queueConnection];

  // API processes push through their Socket.IO server (its Redis adapter reaches the other
  // processes); it exists only once the HTTP server does, so it is attached then. A process
  // without sockets pushes through the Redis emitter.
  const sockets: { io?: RoomEmitter } = {};
  let rooms: RoomEmitter;
  if (role === 'worker') {
    const emitterRedis = new Redis(config.redis.url, { connectionName: 'exam-hall-worker-emitter' });
    emitterRedis.on('error', () => {});
    clients.push(emitterRedis);
    // The emitter publishes without awaiting: its client handles its own failures (Redis restarts).
    rooms = new Emitter(fireAndForgetPublisher(emitterRedis, log, 'worker emitter'), {
      key: socketChannel(config.redis.prefix),
    });
  } else {
    const io = () => {
      if (!sockets.io) throw new Error('nothing can be pushed before the sockets are attached');
      return sockets.io;
    };
    rooms = { to: (room) => io().to(room), in: (room) => io().in(room) };
  }
  const publish = socketPublisher(rooms);

  const chain = config.chain.contractAddress
    ? // The API only reads (verification); processes that run jobs send transactions.
      createChain(config.chain, { readOnly: role === 'api' })
    : null;

  let closing: Promise<void> | undefined;
  return {
    role,
    db,
    pool,
    redis,
    publish,
    enqueue: queues.enqueue,
    expiry: expiryJobs(queues.enqueue.attempts),
    grading: gradingJobs(queues.enqueue.grading),
    certificates: certificateJobs(queues.enqueue.certificates),
    chain,
    zoom: createZoomClient(redis, config.redis.prefix, config.zoom),
    zoomJobs: zoomJobs(queues.enqueue.zoom),
    ltiGrades: ltiGradeJobs(queues.enqueue.lti),
    /** LMS service tokens (AGS, NRPS), cached in this process, signed with the tool's key. */
    ltiTokens: createLtiTokenClient({ keys: createKeyStore({ db, secret: config.secret }) }),
    /** API processes: the Socket.IO server the publisher pushes through. */
    attachSockets(io: RoomEmitter) {
      sockets.io = io;
    },
    /** Closes queues, chain, pool and Redis, in that order, once; users close first. */
    close: (): Promise<void> =>
      (closing ??= (async () => {
        await queues.close();
        chain?.destroy();
        await pool.end();
        await closeRedis(...clients);
      })()),
  };
}
export type Infrastructure = ReturnType<typeof createInfrastructure>;
