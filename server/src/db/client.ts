import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema/index.ts';

export type Db = NodePgDatabase<typeof schema>;
/** A transaction handle has the same query API as the database. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export function createDb(url: string, poolMax: number) {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolMax,
    connectionTimeoutMillis: 5000,
    // Connections opened for a burst (an exam's start: thousands of joins) stay for 5 minutes
    // rather than pg's default 10 s. Closing them all 10 s after the burst, then opening new
    // ones (a PostgreSQL backend each, cold caches, named statements prepared again) stalled
    // the event loop for about 200 ms and pushed save acks to 300 ms (scripts/bench-hall.ts,
    // [scale] issue #16).
    idleTimeoutMillis: 5 * 60_000,
  });
  // An idle client that loses its connection emits here; without a listener the process dies.
  pool.on('error', () => {});
  const db = drizzle(pool, { schema });
  return { db, pool };
}

/**
 * The pg pool under a database handle (drizzle's documented `$client`), for what drizzle
 * cannot express: a named prepared statement with raw text (autosave's group commit).
 */
export function poolOf(db: Db): pg.Pool {
  return (db as Db & { $client: pg.Pool }).$client;
}
