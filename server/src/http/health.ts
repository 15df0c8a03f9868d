import { sql } from 'drizzle-orm';
import type { Router } from 'express';
import express from 'express';
import type { Redis } from 'ioredis';
import type { Db } from '../db/client.ts';

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

/** Liveness and readiness in one: 200 when PostgreSQL and Redis answer, 503 otherwise. */
export function healthRouter(db: Db, redis: Redis): Router {
  const router = express.Router();
  router.get('/healthz', async (_req, res) => {
    const [database, cache] = await Promise.all([probe(() => db.execute(sql`select 1`)), probe(() => redis.ping())]);
    const ok = database === 'ok' && cache === 'ok';
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', database, redis: cache });
  });
  return router;
}
