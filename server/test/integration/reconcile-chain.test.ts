// A revocation recorded in the database whose job Redis lost (restart without
// persistence): the certificates reconciler, run as the workers start, sends it to the
// chain, once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { certificates } from '../../src/db/schema/index.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { createChain } from '../../src/modules/certificates/certificates.chain.ts';
import { evaluateAttempt } from '../../src/modules/certificates/certificates.evaluate.ts';
import { markRevoked } from '../../src/modules/certificates/certificates.repository.ts';
import { mintPending } from '../../src/modules/certificates/certificates.minter.ts';
import { startWorkers } from '../../src/jobs/runtime.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { publishedExam, signedIn } from '../support/fixtures.ts';
import { deployTestContract } from '../support/chain.ts';
import { gradedAttempt, waitFor } from '../support/certificates.ts';

const log = createLogger('silent');
let chainEnv: Awaited<ReturnType<typeof deployTestContract>>;
let t: TestSystem;
let chain: ReturnType<typeof createChain>;
let workers: Awaited<ReturnType<typeof startWorkers>> | undefined;
let redis: Redis;
let certificateId = '';
let tokenId = 0n;

beforeAll(async () => {
  chainEnv = await deployTestContract();
  t = await startTestSystem(chainEnv.env);
  chain = createChain(t.system.config.chain);
  redis = new Redis(t.system.config.redis.url, { maxRetriesPerRequest: null });
  const teacher = await signedIn(t, 'teacher');
  const exam = await publishedExam(t, teacher, { issueCertificates: true });
  const p = await gradedAttempt(t, teacher, exam.id, true);
  const made = await evaluateAttempt(t.system.db, 'Test Institution', p.attemptId);
  certificateId = (made as { certificateId: string }).certificateId;
  expect((await mintPending(t.system.db, chain, log, 100)).minted).toBe(1);
  const [issued] = await t.system.db.select().from(certificates).where(eq(certificates.id, certificateId));
  expect(issued!.status).toBe('issued');
  tokenId = BigInt(issued!.tokenId!);
  // Revoked five minutes ago; the job that was to send it to the chain is gone with Redis.
  await markRevoked(t.system.db, { id: certificateId }, 'Issued in error', null);
  await t.system.db
    .update(certificates)
    .set({ revokedAt: sql`now() - interval '5 minutes'` })
    .where(eq(certificates.id, certificateId));
  expect((await chain.read(tokenId))?.revoked).toBe(false);
  workers = await startWorkers(t.system.config, log);
});
afterAll(async () => {
  await workers?.close();
  redis?.disconnect();
  chain?.destroy();
  await t?.close();
  chainEnv?.close();
});

describe('a revocation whose job was lost', () => {
  it('reaches the chain when the workers start, and is not queued again', async () => {
    const onChainAt = await waitFor('the revocation on chain', async () => {
      const [c] = await t.system.db.select().from(certificates).where(eq(certificates.id, certificateId));
      return c!.revokedOnChainAt;
    });
    expect(onChainAt).toBeInstanceOf(Date);
    expect((await chain.read(tokenId))?.revoked).toBe(true);

    // A second reconcile run finds nothing owed.
    const prefix = `${t.system.config.redis.prefix}:bull`;
    const queue = new Queue('certificates', { connection: redis, prefix });
    const events = new QueueEvents('certificates', { connection: redis.duplicate(), prefix });
    try {
      await events.waitUntilReady();
      const job = await queue.add('certificates.reconcile', { staleSeconds: 120 });
      expect(await job.waitUntilFinished(events, 20_000)).toMatchObject({ revocationsQueued: 0 });
    } finally {
      await events.close();
      await queue.close();
    }
  });
});
