// What counts as "the database is unavailable" (503 / an `unavailable` ack, retried by
// clients) and what does not (a bug or a bad statement stays `internal`), on real errors
// from pg, pg-pool, Drizzle and PostgreSQL.
import type { PoolClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createDb } from '../../src/db/client.ts';
import { isDatabaseUnavailable, unavailableErrorOf } from '../../src/db/unavailable.ts';
import { createTestDatabase } from '../support/test-db.ts';
import { freePort } from '../support/processes.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
const pools: ReturnType<typeof createDb>[] = [];
const open = (url: string, max = 2, connectionTimeoutMillis?: number) => {
  const d = createDb(url, max);
  if (connectionTimeoutMillis) d.pool.options.connectionTimeoutMillis = connectionTimeoutMillis;
  pools.push(d);
  return d;
};
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await Promise.all(pools.map((p) => p.pool.end().catch(() => {})));
  await database?.drop();
});

describe('database unavailable', () => {
  it('is a refused connection, a pool that cannot connect in time, and a backend terminated by the server', async () => {
    const closed = new URL(database.url);
    closed.port = String(await freePort());
    const refused = await failure(open(closed.toString()).db.execute(sql`select 1`));
    expect(isDatabaseUnavailable(refused)).toBe(true);

    const busy = open(database.url, 1, 200);
    // The pool's one connection, held: on a loaded machine a backend start itself may take
    // more than the 200 ms allowed, so taking it is tried a few times.
    let held: PoolClient | undefined;
    for (let tries = 1; !held; tries++)
      held = await busy.pool.connect().catch((e: unknown) => (tries < 10 ? undefined : Promise.reject(e)));
    const timedOut = await failure(busy.db.execute(sql`select 1`));
    held.release();
    expect(String((timedOut as Error).cause)).toMatch(/timeout/);
    expect(isDatabaseUnavailable(timedOut)).toBe(true);

    // 57P01 admin_shutdown, as a fast shutdown or a failover sends it, wrapped by Drizzle.
    const terminated = await failure(open(database.url).db.execute(sql`select pg_terminate_backend(pg_backend_pid())`));
    expect(isDatabaseUnavailable(terminated)).toBe(true);
    expect(unavailableErrorOf(terminated)).toMatchObject({
      status: 503,
      code: 'unavailable',
      headers: { 'Retry-After': expect.stringMatching(/^\d+$/) },
    });
  });

  it('is not a bad statement, our own closed pool, or another service being down', async () => {
    const { db, pool } = open(database.url);
    expect(isDatabaseUnavailable(await failure(db.execute(sql`select from nowhere_at_all`)))).toBe(false);
    expect(isDatabaseUnavailable(await failure(db.execute(sql`select 1 / 0`)))).toBe(false);
    await pool.end();
    expect(isDatabaseUnavailable(await failure(db.execute(sql`select 1`)))).toBe(false);
    // fetch's error carries ECONNREFUSED as its cause: that is Zoom or the chain, not the database.
    const elsewhere = await failure(fetch(`http://127.0.0.1:${await freePort()}/`));
    expect(isDatabaseUnavailable(elsewhere)).toBe(false);
    expect(unavailableErrorOf(new Error('boom'))).toBeUndefined();
  });
});
