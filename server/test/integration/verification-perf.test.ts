// Public verification on a real Hardhat node: the per-token chain cache follows a
// revocation made straight on chain; lookups by transaction hash and token id; the
// verification log written off the request path, also through a PostgreSQL outage.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { certificates, verificationRequests } from '../../src/db/schema/index.ts';
import { createDb } from '../../src/db/client.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { evaluateAttempt } from '../../src/modules/certificates/certificates.evaluate.ts';
import { createChain } from '../../src/modules/certificates/certificates.chain.ts';
import { mintPending } from '../../src/modules/certificates/certificates.minter.ts';
import { createVerificationLog } from '../../src/modules/verification/verification.log.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { publishedExam, signedIn } from '../support/fixtures.ts';
import { deployTestContract } from '../support/chain.ts';
import { gradedAttempt, waitFor } from '../support/certificates.ts';
import { Client } from '../support/http-client.ts';
import { startOwnPostgres, startOwnRedis, stopOwnServices } from '../support/own-services.ts';

let t: TestSystem;
let chainEnv: Awaited<ReturnType<typeof deployTestContract>>;
let teacher: Awaited<ReturnType<typeof signedIn>>;
let chain: ReturnType<typeof createChain>;
const log = createLogger('silent');

beforeAll(async () => {
  chainEnv = await deployTestContract();
  t = await startTestSystem({ ...chainEnv.env, VERIFY_MAX_PER_IP_PER_MINUTE: '1000', VERIFY_CHAIN_POLL_MS: '100' });
  chain = createChain(t.system.config.chain);
  teacher = await signedIn(t, 'teacher');
});
afterAll(async () => {
  chain?.destroy();
  await t?.close();
  chainEnv?.close();
  await stopOwnServices();
});

async function issued() {
  const exam = await publishedExam(t, teacher, { issueCertificates: true });
  const p = await gradedAttempt(t, teacher, exam.id, true);
  await evaluateAttempt(t.system.db, 'Test Institute', p.attemptId);
  await mintPending(t.system.db, chain, log, 10);
  const [cert] = await t.system.db.select().from(certificates).where(eq(certificates.attemptId, p.attemptId));
  expect(cert!.status).toBe('issued');
  return cert!;
}
const anyone = () => new Client(t.url);
const cacheState = () => t.system.services.verification.state().cache!;

describe('chain cache', () => {
  it('answers repeat lookups from the cache, and says revoked once a revocation mined on chain is seen', async () => {
    const cert = await issued();
    await waitFor('the watcher to scan the mint', async () => (cacheState().scanned ?? -1) >= cert.blockNumber!);
    const first = await anyone().get(`/api/verify/${cert.publicId}`);
    expect(first.body).toMatchObject({ status: 'valid', evidence: { onChainRevoked: false } });
    const hits = cacheState().hits;
    const second = await anyone().get(`/api/verify/${cert.publicId}`);
    expect(second.body).toMatchObject({ status: 'valid', evidence: { onChainRevoked: false } });
    expect(cacheState().hits).toBe(hits + 1);

    // Revoked on chain only (not through this server: its record still says issued).
    const signed = await chain.signRevoke(BigInt(cert.tokenId!), 'Revoked on chain');
    await chain.broadcast(signed.raw);
    const mined = await chain.waitMined(signed.hash);
    expect(mined.revoked.has(BigInt(cert.tokenId!))).toBe(true);
    await waitFor('the watcher to scan the revocation', async () => (cacheState().scanned ?? -1) >= mined.blockNumber);
    const after = await anyone().get(`/api/verify/${cert.publicId}`);
    expect(after.body).toMatchObject({
      status: 'revoked',
      revocation: { reason: 'Revoked on chain' },
      evidence: { onChainRevoked: true },
    });
  });
});

describe('row cache', () => {
  it('sees a revocation written by another API process (straight to the row) within about a second', async () => {
    const cert = await issued();
    expect((await anyone().get(`/api/verify/${cert.publicId}`)).body.status).toBe('valid');
    await t.system.db
      .update(certificates)
      .set({ status: 'revoked', revokedAt: new Date(), revokedReason: 'Elsewhere' })
      .where(eq(certificates.id, cert.id));
    const changedAt = Date.now();
    await waitFor('the revocation on the page', async () => {
      const res = await anyone().get(`/api/verify/${cert.publicId}`);
      return res.body.status === 'revoked' && res.body.revocation?.reason === 'Elsewhere';
    });
    // ROW_TTL_MS is 1 s; the rest is room for a loaded machine.
    expect(Date.now() - changedAt).toBeLessThan(3000);
  });
});

describe('lookups by transaction hash and token id', () => {
  it('finds the certificate by either, fills in its public id, and logs the method', async () => {
    const cert = await issued();
    const byTx = await anyone().get(`/api/verify/lookup?txHash=${cert.txHash!.toUpperCase().replace('0X', '0x')}`);
    expect(byTx.status).toBe(200);
    expect(byTx.body).toMatchObject({
      status: 'valid',
      publicId: cert.publicId,
      verifyUrl: `http://localhost:3000/verify/${cert.publicId}`,
      evidence: { tokenId: cert.tokenId, txHash: cert.txHash },
    });
    const byToken = await anyone().get(`/api/verify/lookup?tokenId=${cert.tokenId}`);
    expect(byToken.body).toMatchObject({ status: 'valid', publicId: cert.publicId });
    const rows = await waitFor('both lookups in the log', async () => {
      const r = await t.system.db
        .select()
        .from(verificationRequests)
        .where(eq(verificationRequests.certificateId, cert.id));
      return r.length >= 2 && r;
    });
    expect(rows.map((r) => [r.method, r.result, r.lookupValue]).sort()).toEqual([
      ['token_id', 'valid', cert.tokenId],
      ['tx_hash', 'valid', cert.txHash],
    ]);
  });

  it('says not_found for an unknown hash or token, and 400 naming the field for a malformed or ambiguous query', async () => {
    const unknownTx = await anyone().get(`/api/verify/lookup?txHash=0x${'e'.repeat(64)}`);
    expect(unknownTx.status).toBe(200);
    expect(unknownTx.body).toMatchObject({ status: 'not_found', facts: null, evidence: null, verifyUrl: null });
    expect(unknownTx.body.message).toMatch(/No certificate was issued by this transaction/);
    const unknownToken = await anyone().get('/api/verify/lookup?tokenId=12345');
    expect(unknownToken.body).toMatchObject({ status: 'not_found' });
    await waitFor('the unknown token lookup in the log', async () => {
      const [r] = await t.system.db
        .select()
        .from(verificationRequests)
        .where(and(eq(verificationRequests.method, 'token_id'), eq(verificationRequests.lookupValue, '12345')));
      return r?.result === 'not_found';
    });

    const cases: [string, string][] = [
      ['txHash=0x1234', 'query.txHash'],
      [`txHash=${'a'.repeat(66)}`, 'query.txHash'],
      ['tokenId=-1', 'query.tokenId'],
      ['tokenId=1e5', 'query.tokenId'],
      [`tokenId=${'9'.repeat(79)}`, 'query.tokenId'],
      ['', 'query.txHash'],
      [`txHash=0x${'e'.repeat(64)}&tokenId=1`, 'query.tokenId'],
    ];
    for (const [q, field] of cases) {
      const res = await anyone().get(`/api/verify/lookup?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.fields[0].path, q).toBe(field);
    }
  });

  it('refuses to pick one of several certificates a batch transaction issued', async () => {
    const a = await issued();
    const b = await issued();
    // Two certificates of one issueBatch share its hash.
    await t.system.db.execute(sql`update certificates set tx_hash = ${a.txHash} where id = ${b.id}`);
    const res = await anyone().get(`/api/verify/lookup?txHash=${a.txHash}`);
    expect(res.body).toMatchObject({ status: 'not_found', facts: null });
    expect(res.body.message).toMatch(/several certificates/);
  });
});

describe('Redis down', () => {
  it('still answers lookups, limited per process in memory', async () => {
    const redis = await startOwnRedis();
    const own = await startTestSystem({ REDIS_URL: redis.url, VERIFY_MAX_PER_IP_PER_MINUTE: '3' });
    try {
      const c = new Client(own.url);
      expect((await c.get(`/api/verify/${'R'.repeat(22)}`)).body.status).toBe('not_found');
      await redis.stop('SIGKILL');
      await waitFor('the client to notice', async () => own.system.redis.status !== 'ready');
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await c.get(`/api/verify/${'R'.repeat(22)}`)).status);
      // The in-memory limiter starts counting afresh: 3 answered, then 429.
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await own.close().catch(() => {});
      await redis.close();
    }
  });
});

describe('verification log buffer', () => {
  it('writes what it holds when closed (the server closes it on shutdown, before the pool)', async () => {
    const buffer = createVerificationLog(t.system.db, log, { flushMs: 600_000 });
    const tag = `close-${Date.now()}`;
    for (let i = 0; i < 3; i++)
      buffer.add({
        certificateId: null,
        method: 'qr',
        lookupValue: tag,
        ipHash: null,
        userAgent: 'bench',
        result: 'not_found',
        responseMs: 2,
        chainMs: null,
      });
    expect(buffer.state()).toMatchObject({ buffered: 3, written: 0 });
    await buffer.close();
    const rows = await t.system.db.select().from(verificationRequests).where(eq(verificationRequests.lookupValue, tag));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({ method: 'qr', result: 'not_found', userAgent: 'bench', responseMs: 2 });
  });

  it('keeps rows while PostgreSQL is down (bounded, counting what it drops) and writes them when it is back', async () => {
    const pg = await startOwnPostgres();
    const { db, pool } = createDb(pg.url, 2);
    pool.options.connectionTimeoutMillis = 500;
    await runMigrations(db);
    const buffer = createVerificationLog(db, log, { flushMs: 20, batch: 50, maxBuffered: 100 });
    const row = (i: number) => ({
      certificateId: null,
      method: 'public_id' as const,
      lookupValue: `lookup-${i}`,
      ipHash: null,
      userAgent: null,
      result: 'not_found' as const,
      responseMs: 1,
      chainMs: null,
    });
    const count = async () =>
      Number((await db.execute<{ n: string }>(sql`select count(*) as n from verification_requests`)).rows[0]!.n);
    try {
      for (let i = 0; i < 120; i++) buffer.add(row(i));
      await waitFor('120 rows written in batches', async () => buffer.state().written === 120);
      expect(await count()).toBe(120);

      await pg.stop('fast');
      for (let i = 0; i < 30; i++) buffer.add(row(1000 + i));
      await waitFor('a failed flush', async () => buffer.state().failedFlushes > 0);
      // Past the bound, new rows are dropped and counted; add() never throws or waits.
      for (let i = 0; i < 100; i++) buffer.add(row(2000 + i));
      await waitFor('the bound to hold', async () => buffer.state().buffered === 100 && buffer.state().dropped === 30);

      await pg.start();
      await waitFor('the buffered rows written', async () => buffer.state().written === 220, 20_000);
      expect(await count()).toBe(220);
      await buffer.close();
      expect(buffer.state()).toMatchObject({ buffered: 0, written: 220, dropped: 30 });
    } finally {
      await buffer.close();
      await pool.end();
      await pg.close();
    }
  });
});
