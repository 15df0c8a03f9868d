// Certificates end to end on a real Hardhat node: grading -> evaluate -> mint in
// batches -> verify live against the chain; tampering, revocation, supersession.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, inArray, sql } from 'drizzle-orm';
import { certificates, verificationRequests } from '../../src/db/schema/index.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { evaluateAttempt } from '../../src/modules/certificates/certificates.evaluate.ts';
import { createChain } from '../../src/modules/certificates/certificates.chain.ts';
import { mintPending, sendRevocation } from '../../src/modules/certificates/certificates.minter.ts';
import { metadataHashOf, tokenIdOf } from '../../src/modules/certificates/certificates.metadata.ts';
import { startWorkers } from '../../src/jobs/runtime.ts';
import { Queue } from 'bullmq';
import { gradingJobs } from '../../src/modules/grading/grading.jobs.ts';
import { enqueuer } from '../../src/jobs/queues.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { publishedExam, signedIn } from '../support/fixtures.ts';
import { deployTestContract } from '../support/chain.ts';
import { gradedAttempt, signInStudent, waitFor } from '../support/certificates.ts';
import { Client } from '../support/http-client.ts';

let t: TestSystem;
let chainEnv: Awaited<ReturnType<typeof deployTestContract>>;
let teacher: Awaited<ReturnType<typeof signedIn>>;
let chain: ReturnType<typeof createChain>;
const log = createLogger('silent');

beforeAll(async () => {
  chainEnv = await deployTestContract();
  t = await startTestSystem({ ...chainEnv.env, VERIFY_MAX_PER_IP_PER_MINUTE: '1000' });
  chain = createChain(t.system.config.chain);
  teacher = await signedIn(t, 'teacher');
});
afterAll(async () => {
  chain?.destroy();
  await t?.close();
  chainEnv?.close();
});

const certOf = async (attemptId: string) =>
  (await t.system.db.select().from(certificates).where(eq(certificates.attemptId, attemptId))).sort(
    (a, b) => a.createdAt.getTime() - b.createdAt.getTime(),
  );

describe('issuing', () => {
  it('creates a certificate for a pass only, with canonical metadata whose hash is stored', async () => {
    const exam = await publishedExam(t, teacher, { issueCertificates: true, passingScore: 75 });
    const pass = await gradedAttempt(t, teacher, exam.id, true);
    const fail = await gradedAttempt(t, teacher, exam.id, false);
    expect(await evaluateAttempt(t.system.db, 'Test Institute', pass.attemptId)).toMatchObject({ action: 'created' });
    expect(await evaluateAttempt(t.system.db, 'Test Institute', fail.attemptId)).toEqual({
      action: 'none',
      reason: 'not passed',
    });
    // Idempotent: evaluating again changes nothing.
    expect(await evaluateAttempt(t.system.db, 'Test Institute', pass.attemptId)).toMatchObject({ action: 'none' });
    const [cert] = await certOf(pass.attemptId);
    expect(cert!.status).toBe('pending');
    expect(cert!.publicId).toMatch(/^[A-Za-z0-9_-]{22}$/); // 128 bits
    expect(cert!.metadataHash).toBe(metadataHashOf(cert!.metadata));
    expect(cert!.metadata).toMatchObject({
      schema: 'exam-hall.certificate.v1',
      institution: { name: 'Test Institute' },
      result: { score: 4, maxScore: 4, percentage: 100, passingScore: 75, passed: true },
    });
    expect(JSON.stringify(cert!.metadata)).not.toContain(pass.email);
    expect(await certOf(fail.attemptId)).toEqual([]);
  });

  it('does nothing for an exam without certificates', async () => {
    const exam = await publishedExam(t, teacher, { issueCertificates: false });
    const pass = await gradedAttempt(t, teacher, exam.id, true);
    expect(await evaluateAttempt(t.system.db, 'X', pass.attemptId)).toMatchObject({ action: 'none' });
  });

  it('mints pending certificates in batches, one token each, to the wallet or the custody address', async () => {
    await mintPending(t.system.db, chain, log, 100); // earlier tests' certificates
    const exam = await publishedExam(t, teacher, { issueCertificates: true });
    const passes = await Promise.all(Array.from({ length: 7 }, () => gradedAttempt(t, teacher, exam.id, true)));
    const student = await signInStudent(t, passes[0]!.attemptId);
    const wallet = '0x000000000000000000000000000000000000dEaD';
    expect((await student.request('PUT', '/api/me/wallet', { walletAddress: wallet })).status).toBe(200);
    for (const p of passes) await evaluateAttempt(t.system.db, 'X', p.attemptId);
    const report = await mintPending(t.system.db, chain, log, 3);
    expect(report.batches.map((b) => b.size).sort()).toEqual([1, 3, 3]);
    expect(report.minted).toBe(7);
    const rows = await t.system.db
      .select()
      .from(certificates)
      .where(
        inArray(
          certificates.attemptId,
          passes.map((p) => p.attemptId),
        ),
      );
    expect(rows.every((r) => r.status === 'issued' && r.txHash && r.blockNumber && r.gasUsed)).toBe(true);
    expect(new Set(rows.map((r) => r.txHash)).size).toBe(3);
    for (const r of rows) {
      expect(r.tokenId).toBe(tokenIdOf(r.id).toString());
      const onChain = await chain.read(BigInt(r.tokenId!));
      expect(onChain?.metadataHash).toBe(r.metadataHash);
      const owner = await chainEnv.contract.getFunction('ownerOf')(BigInt(r.tokenId!));
      expect(owner).toBe(r.userId === student.user.id ? wallet : chainEnv.wallet.address);
    }
    // Nothing left: a second run sends nothing.
    expect((await mintPending(t.system.db, chain, log, 3)).batches).toEqual([]);
  });

  it('keeps nonces right when several minters run at once', async () => {
    await mintPending(t.system.db, chain, log, 100); // earlier tests' certificates
    const exam = await publishedExam(t, teacher, { issueCertificates: true });
    const passes = await Promise.all(Array.from({ length: 9 }, () => gradedAttempt(t, teacher, exam.id, true)));
    for (const p of passes) await evaluateAttempt(t.system.db, 'X', p.attemptId);
    const chains = [createChain(t.system.config.chain), createChain(t.system.config.chain), chain];
    const reports = await Promise.all(chains.map((c) => mintPending(t.system.db, c, log, 2)));
    chains[0]!.destroy();
    chains[1]!.destroy();
    expect(reports.reduce((n, r) => n + r.minted, 0)).toBe(9);
    expect(reports.reduce((n, r) => n + r.failed, 0)).toBe(0);
    const rows = await t.system.db
      .select()
      .from(certificates)
      .where(
        inArray(
          certificates.attemptId,
          passes.map((p) => p.attemptId),
        ),
      );
    expect(rows.map((r) => r.status)).toEqual(Array(9).fill('issued'));
  });

  it('settles instead of resending when the token already exists (a worker died before recording)', async () => {
    const exam = await publishedExam(t, teacher, { issueCertificates: true });
    const p = await gradedAttempt(t, teacher, exam.id, true);
    await evaluateAttempt(t.system.db, 'X', p.attemptId);
    const [cert] = await certOf(p.attemptId);
    // The chain has the token but the database never heard of it.
    const tx = await chainEnv.contract.connect(chainEnv.wallet).getFunction('issue')(
      chainEnv.wallet.address,
      tokenIdOf(cert!.id),
      cert!.metadataHash,
    );
    await tx.wait();
    const report = await mintPending(t.system.db, chain, log, 10);
    expect(report).toMatchObject({ minted: 0, reconciled: 1, batches: [] });
    const [after] = await certOf(p.attemptId);
    expect(after).toMatchObject({ status: 'issued', txHash: tx.hash, tokenId: tokenIdOf(cert!.id).toString() });
  });
});

describe('verification', () => {
  async function issued() {
    const exam = await publishedExam(t, teacher, { issueCertificates: true });
    const p = await gradedAttempt(t, teacher, exam.id, true);
    await evaluateAttempt(t.system.db, 'Test Institute', p.attemptId);
    await mintPending(t.system.db, chain, log, 10);
    const [cert] = await certOf(p.attemptId);
    return { ...p, cert: cert! };
  }
  const anyone = () => new Client(t.url);

  it('says valid with the facts and the on-chain evidence, never the email, and logs a hashed IP', async () => {
    const { cert, email } = await issued();
    const res = await anyone().get(`/api/verify/${cert.publicId}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'valid',
      publicId: cert.publicId,
      facts: { examTitle: 'Hall exam', institutionName: 'Test Institute', percentage: 100 },
      evidence: {
        chainId: 31337,
        contract: chainEnv.address,
        tokenId: cert.tokenId,
        txHash: cert.txHash,
        hashMatches: true,
        onChainHash: cert.metadataHash,
        onChainRevoked: false,
      },
    });
    expect(JSON.stringify(res.body)).not.toContain(email);
    // The log is written off the request path (verification.log.ts): wait for the row.
    const [logged] = await waitFor('the lookup in the log', async () => {
      const rows = await t.system.db
        .select()
        .from(verificationRequests)
        .where(eq(verificationRequests.certificateId, cert.id));
      return rows.length > 0 && rows;
    });
    expect(logged).toMatchObject({ result: 'valid', method: 'public_id', lookupValue: cert.publicId });
    expect(logged!.ipHash).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(logged!.ipHash).not.toContain('127.0.0.1');
  });

  it('says tampered when the stored metadata no longer matches the chain', async () => {
    const { cert } = await issued();
    await t.system.db.execute(
      sql`update certificates set metadata = jsonb_set(metadata, '{result,percentage}', '99') where id = ${cert.id}`,
    );
    const res = await anyone().get(`/api/verify/${cert.publicId}`);
    expect(res.body).toMatchObject({ status: 'tampered', evidence: { hashMatches: false } });
    expect(res.body.evidence.computedHash).not.toBe(res.body.evidence.onChainHash);
  });

  it('says not_found for an unknown id, 400 for a malformed one', async () => {
    const res = await anyone().get(`/api/verify/${'A'.repeat(22)}`);
    expect(res.body).toMatchObject({ status: 'not_found', facts: null, evidence: null });
    const bad = await anyone().get('/api/verify/short');
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].path).toBe('params.publicId');
  });

  it('serves the certificate file, QR codes, and the PDF to its student only', async () => {
    const { cert, attemptId } = await issued();
    const file = await anyone().get(`/api/verify/${cert.publicId}/certificate.json`);
    expect(file.body).toEqual({
      metadata: cert.metadata,
      anchor: { chainId: 31337, contract: chainEnv.address, tokenId: cert.tokenId },
    });
    const svg = await anyone().get(`/api/verify/${cert.publicId}/qr.svg`);
    expect(svg.headers.get('content-type')).toContain('image/svg+xml');
    expect(svg.body).toContain('<svg');
    const png = await fetch(`${t.url}/api/verify/${cert.publicId}/qr.png`);
    expect(
      Buffer.from(await png.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
    const student = await signInStudent(t, attemptId);
    const pdf = await fetch(`${t.url}/api/certificates/${cert.id}/certificate.pdf`, {
      headers: { cookie: student.cookieHeader() },
    });
    expect(pdf.status).toBe(200);
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    const mine = await student.get('/api/me/certificates');
    expect(mine.body).toEqual([
      expect.objectContaining({
        id: cert.id,
        status: 'issued',
        verifyUrl: `http://localhost:3000/verify/${cert.publicId}`,
      }),
    ]);
    const stranger = await signedIn(t, 'student');
    expect((await stranger.get(`/api/certificates/${cert.id}/certificate.pdf`)).status).toBe(404);
  });

  it('rate-limits lookups per IP', async () => {
    const limited = await startTestSystem({ ...chainEnv.env, VERIFY_MAX_PER_IP_PER_MINUTE: '3' });
    try {
      const c = new Client(limited.url);
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await c.get(`/api/verify/${'B'.repeat(22)}`)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe('revocation', () => {
  it('lets the exam owner revoke: revoked at once, then on chain; others may not', async () => {
    const exam = await publishedExam(t, teacher, { issueCertificates: true });
    const p = await gradedAttempt(t, teacher, exam.id, true);
    await evaluateAttempt(t.system.db, 'X', p.attemptId);
    await mintPending(t.system.db, chain, log, 10);
    const [cert] = await certOf(p.attemptId);
    const otherTeacher = await signedIn(t, 'teacher');
    expect((await otherTeacher.post(`/api/certificates/${cert!.id}/revoke`, { reason: 'x' })).status).toBe(404);
    const student = await signInStudent(t, p.attemptId);
    expect((await student.post(`/api/certificates/${cert!.id}/revoke`, { reason: 'x' })).status).toBe(403);
    const long = await teacher.post(`/api/certificates/${cert!.id}/revoke`, { reason: 'x'.repeat(257) });
    expect(long.status).toBe(400);
    expect(long.body.error.fields[0].path).toBe('body.reason');

    const res = await teacher.post(`/api/certificates/${cert!.id}/revoke`, { reason: 'Academic misconduct' });
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('revoked');
    expect((await teacher.post(`/api/certificates/${cert!.id}/revoke`, { reason: 'again' })).status).toBe(409);
    const before = await new Client(t.url).get(`/api/verify/${cert!.publicId}`);
    expect(before.body).toMatchObject({ status: 'revoked', evidence: { onChainRevoked: false } });

    expect(await sendRevocation(t.system.db, chain, cert!.id)).toEqual({ state: 'revoked on chain' });
    expect(await sendRevocation(t.system.db, chain, cert!.id)).toEqual({ state: 'nothing to do' });
    const onChain = await chain.read(BigInt(cert!.tokenId!));
    expect(onChain).toMatchObject({ revoked: true, reason: 'Academic misconduct' });
    const after = await new Client(t.url).get(`/api/verify/${cert!.publicId}`);
    expect(after.body).toMatchObject({
      status: 'revoked',
      revocation: { reason: 'Academic misconduct' },
      evidence: { onChainRevoked: true },
    });
  });

  it('supersedes the certificate when the score changes and revokes it when the attempt no longer passes', async () => {
    const exam = await publishedExam(t, teacher, { issueCertificates: true, passingScore: 50 });
    const p = await gradedAttempt(t, teacher, exam.id, true);
    await evaluateAttempt(t.system.db, 'X', p.attemptId);
    await mintPending(t.system.db, chain, log, 10);
    await t.system.db.execute(sql`update attempts set score = 3, percentage = 75 where id = ${p.attemptId}`);
    const superseded = await evaluateAttempt(t.system.db, 'X', p.attemptId);
    expect(superseded.action).toBe('superseded');
    let rows = await certOf(p.attemptId);
    expect(rows.map((r) => r.status)).toEqual(['revoked', 'pending']);
    expect(rows[1]!.metadata).toMatchObject({ result: { score: 3, percentage: 75 } });
    await t.system.db.execute(
      sql`update attempts set score = 1, percentage = 25, passed = false where id = ${p.attemptId}`,
    );
    expect((await evaluateAttempt(t.system.db, 'X', p.attemptId)).action).toBe('revoked');
    rows = await certOf(p.attemptId);
    expect(rows.map((r) => r.status)).toEqual(['revoked', 'revoked']);
  });
});

describe('through the workers', () => {
  it('grades on submit, issues the certificate on chain, and sends a teacher revocation to the chain', async () => {
    const workers = await startWorkers(t.system.config, log, { schedules: false });
    try {
      const exam = await publishedExam(t, teacher, { issueCertificates: true, resultsPolicy: 'immediately' });
      const p = await gradedAttempt(t, teacher, exam.id, true);
      // Enqueue grading the way a submit does; the worker grades, then evaluates and mints.
      const q = new Queue('grading', {
        connection: t.system.redis.duplicate(),
        prefix: `${t.system.config.redis.prefix}:bull`,
      });
      await gradingJobs(enqueuer(q, 'grading')).enqueue(p.attemptId);
      const cert = await waitFor('the certificate to be issued', async () => {
        const [c] = await certOf(p.attemptId);
        return c?.status === 'issued' ? c : null;
      });
      expect((await chain.read(BigInt(cert.tokenId!)))?.metadataHash).toBe(cert.metadataHash);
      // The student's result page (attempt cookie, no account) carries the certificate link.
      const result = await p.student.get(`/api/attempts/${p.attemptId}/result`);
      expect(result.body).toMatchObject({
        state: 'graded',
        certificateExpected: true,
        certificate: {
          status: 'issued',
          publicId: cert.publicId,
          verifyUrl: `http://localhost:3000/verify/${cert.publicId}`,
        },
      });
      expect((await teacher.post(`/api/certificates/${cert.id}/revoke`, { reason: 'Issued in error' })).status).toBe(
        202,
      );
      await waitFor('the revocation on chain', async () => {
        const [c] = await certOf(p.attemptId);
        return c?.revokedOnChainAt ?? null;
      });
      expect((await chain.read(BigInt(cert.tokenId!)))?.revoked).toBe(true);
      await q.close();
    } finally {
      await workers.close();
    }
  });
});

describe('independent check (scripts/verify-certificate.ts)', () => {
  const script = fileURLToPath(new URL('../../../scripts/verify-certificate.ts', import.meta.url));
  // Asynchronous: a synchronous spawn blocked this process, whose server then reset the
  // teacher's idle keep-alive connection under load (ECONNRESET on the next request).
  const check = async (file: unknown) => {
    const dir = mkdtempSync(join(tmpdir(), 'cert-'));
    const path = join(dir, 'certificate.json');
    writeFileSync(path, JSON.stringify(file));
    const r = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [script, path, '--rpc', chainEnv.env.CHAIN_RPC_URL, '--json'],
        { encoding: 'utf8' },
        (_err, stdout) => resolve({ code: child.exitCode, stdout }),
      );
    });
    rmSync(dir, { recursive: true });
    return { code: r.code, out: JSON.parse(r.stdout || '{}') as { verdict: string } };
  };

  it('says valid, tampered, not found and revoked from the file and the chain alone', async () => {
    const exam = await publishedExam(t, teacher, { issueCertificates: true });
    const p = await gradedAttempt(t, teacher, exam.id, true);
    await evaluateAttempt(t.system.db, 'X', p.attemptId);
    await mintPending(t.system.db, chain, log, 10);
    const [cert] = await certOf(p.attemptId);
    const file = (await new Client(t.url).get(`/api/verify/${cert!.publicId}/certificate.json`)).body;
    expect(await check(file)).toEqual({ code: 0, out: expect.objectContaining({ verdict: 'valid' }) });
    const altered = structuredClone(file);
    altered.metadata.recipient.name = 'Someone Else';
    expect(await check(altered)).toMatchObject({ code: 2, out: { verdict: 'tampered' } });
    const elsewhere = { ...file, anchor: { ...file.anchor, tokenId: '12345' } };
    expect(await check(elsewhere)).toMatchObject({ code: 3, out: { verdict: 'not_found' } });
    expect(await check({ nonsense: true })).toMatchObject({ code: 4, out: { verdict: 'error' } });
    await teacher.post(`/api/certificates/${cert!.id}/revoke`, { reason: 'Withdrawn' });
    await sendRevocation(t.system.db, chain, cert!.id);
    expect(await check(file)).toMatchObject({ code: 1, out: { verdict: 'revoked' } });
  });
});
