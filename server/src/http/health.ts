import { sql } from 'drizzle-orm';
import type { Router } from 'express';
import express from 'express';
import type { Redis } from 'ioredis';
import type { Db } from '../db/client.ts';
import { RETRY_AFTER_SECONDS } from '../db/unavailable.ts';

async function probe(check: () => Promise<unknown>, ms = 1500): Promise<'ok' | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms))),
    ]);
    return 'ok';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Liveness and readiness in one, for load balancers and container health checks.
 *
 * - both answer: 200 `{ status: 'ok' }`.
 * - Redis down, PostgreSQL up: 200 `{ status: 'degraded' }`. This process still does
 *   what must not stop: saves commit in PostgreSQL and are acknowledged; only live
 *   pushes, shared sign-in throttling and job scheduling wait for Redis. Redis is
 *   shared by every instance, so a 503 here would take all of them out of rotation
 *   (and get healthy containers restarted) at once, turning a degradation into an outage.
 * - PostgreSQL down: 503 `{ status: 'unavailable' }` with Retry-After. Nothing
 *   useful can be done without it; a balancer routes to an instance that still
 *   reaches it, if any (and fails open to all when none does).
 */
export function healthRouter(db: Db, redis: Redis): Router {
  const router = express.Router();
  router.get('/healthz', async (_req, res) => {
    const [database, cache] = await Promise.all([
      probe(() => db.execute(sql`select 1`)),
      // A client that is not connected queues commands until it is: say so at once.
      redis.status === 'ready' ? probe(() => redis.ping()) : Promise.resolve('down' as const),
    ]);
    const status = database === 'down' ? 'unavailable' : cache === 'down' ? 'degraded' : 'ok';
    if (status === 'unavailable') res.set('Retry-After', String(RETRY_AFTER_SECONDS));
    res.status(status === 'unavailable' ? 503 : 200).json({ status, database, redis: cache });
  });
  return router;
}
