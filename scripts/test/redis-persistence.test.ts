// The embedded Redis that `npm start` runs keeps queued jobs across a restart: a
// grading job queued before Redis stops is still waiting after it starts again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { freePort } from '../../server/test/support/processes.ts';
// @ts-expect-error: plain JavaScript (it runs before TypeScript is available)
import { startRedisServer } from '../bootstrap/services.mjs';

const dir = mkdtempSync(join(tmpdir(), 'eh-redis-'));
let stop: (() => void) | undefined;
afterAll(() => {
  stop?.();
  rmSync(dir, { recursive: true, force: true });
});

it('keeps a queued job across a Redis restart', async () => {
  const port = await freePort();
  const connection = () => new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: null });
  stop = (await startRedisServer({ dir, port })).stop as () => void;

  let redis = connection();
  let queue = new Queue('grading', { connection: redis, prefix: 'persist' });
  await queue.add('attempt.grade', { attemptId: '00000000-0000-4000-8000-000000000001' }, { jobId: 'kept' });
  await queue.close();
  redis.disconnect();
  stop!();

  stop = (await startRedisServer({ dir, port })).stop as () => void;
  redis = connection();
  queue = new Queue('grading', { connection: redis, prefix: 'persist' });
  const job = await queue.getJob('kept');
  expect(job?.data).toEqual({ attemptId: '00000000-0000-4000-8000-000000000001' });
  expect(await job?.getState()).toBe('waiting');
  await queue.close();
  redis.disconnect();
});
