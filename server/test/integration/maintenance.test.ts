import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { eq } from 'drizzle-orm';
import { loadConfig } from '../../src/config/config.ts';
import { createDb } from '../../src/db/client.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { sessions, users } from '../../src/db/schema/index.ts';
import { createTestDatabase } from '../support/test-db.ts';
import { startWorkers } from '../../src/jobs/runtime.ts';
import { checkRegistry } from '../../src/jobs/registry.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let workers: Awaited<ReturnType<typeof startWorkers>>;
let config: ReturnType<typeof loadConfig>;
beforeAll(async () => {
  database = await createTestDatabase();
  config = loadConfig({
    ...process.env,
    DATABASE_URL: database.url,
    REDIS_PREFIX: `w${randomBytes(4).toString('hex')}`,
  });
  // Without the schedules: the hourly cleanup would otherwise race the job under test.
  workers = await startWorkers(config, createLogger('silent'), { schedules: false });
});
afterAll(async () => {
  await workers?.close();
  await database?.drop();
});

describe('job registry', () => {
  it('has a handler for every declared job', () => {
    expect(() => checkRegistry()).not.toThrow();
  });
});

describe('sessions.cleanup', () => {
  it('deletes sessions that ended over a week ago and keeps the rest', async () => {
    const { db, pool } = createDb(database.url, 2);
    const [user] = await db
      .insert(users)
      .values({ email: 'cleanup@test.example', name: 'C', role: 'student' })
      .returning();
    const day = 86_400_000;
    const mk = (label: string, expiresAt: Date, revokedAt: Date | null = null) => ({
      userId: user!.id,
      accessTokenHash: `a-${label}`,
      refreshTokenHash: `r-${label}`,
      accessExpiresAt: expiresAt,
      expiresAt,
      revokedAt,
    });
    await db
      .insert(sessions)
      .values([
        mk('old', new Date(Date.now() - 10 * day)),
        mk('revoked-long-ago', new Date(Date.now() + day), new Date(Date.now() - 8 * day)),
        mk('recent', new Date(Date.now() - 1 * day)),
        mk('live', new Date(Date.now() + day)),
      ]);
    const connection = new Redis(config.redis.url, { maxRetriesPerRequest: null });
    const prefix = `${config.redis.prefix}:bull`;
    const queue = new Queue('maintenance', { connection, prefix });
    const events = new QueueEvents('maintenance', { connection: connection.duplicate(), prefix });
    await events.waitUntilReady();
    const job = await queue.add('sessions.cleanup', { olderThanDays: 7 });
    const result = await job.waitUntilFinished(events, 15_000);
    expect(result).toEqual({ deleted: 2 });
    const left = await db
      .select({ hash: sessions.accessTokenHash })
      .from(sessions)
      .where(eq(sessions.userId, user!.id));
    expect(left.map((s) => s.hash).sort()).toEqual(['a-live', 'a-recent']);

    const bad = await queue.add('sessions.cleanup', { olderThanDays: -1 } as never);
    await expect(bad.waitUntilFinished(events, 15_000)).rejects.toThrow(/invalid payload/);
    await events.close();
    await queue.close();
    connection.disconnect();
    await pool.end();
  });
});
