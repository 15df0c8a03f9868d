// SQL of certificates: the people's views, evaluation against a result, minting and
// revocation bookkeeping, and the reconcilers' queries of what is owed.
import { gradableAttemptStatuses } from '@exam-hall/protocol';
import { and, asc, desc, eq, inArray, isNotNull, isNull, lte, ne, or, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { attempts, certificates, courses, exams, users, verificationRequests } from '../../db/schema/index.ts';
import type { Certificate } from '../../db/schema/certificates.ts';

type Q = Db | Tx;

export async function findCertificate(db: Q, id: string): Promise<Certificate | undefined> {
  const [cert] = await db.select().from(certificates).where(eq(certificates.id, id));
  return cert;
}

/** The certificate with its exam's title, author and course. */
export async function certificateWithExam(db: Q, id: string) {
  const [row] = await db
    .select({ cert: certificates, examTitle: exams.title, examOwner: exams.createdBy, courseId: exams.courseId })
    .from(certificates)
    .innerJoin(exams, eq(exams.id, certificates.examId))
    .where(eq(certificates.id, id));
  return row;
}

/** A person's certificates with their exams' titles, newest first. */
export async function certificatesOf(db: Q, userId: string) {
  return db
    .select({ cert: certificates, examTitle: exams.title })
    .from(certificates)
    .innerJoin(exams, eq(exams.id, certificates.examId))
    .where(eq(certificates.userId, userId))
    .orderBy(desc(certificates.createdAt));
}

export interface VerificationCount {
  total: number;
  qr: number;
  last: string | null;
}

/** How often each certificate was checked (all lookups, and those from its QR code), in one
 * grouped query over the verification log; certificates never checked are absent. */
export async function verificationCounts(db: Q, certificateIds: string[]): Promise<Map<string, VerificationCount>> {
  if (certificateIds.length === 0) return new Map();
  const rows = await db
    .select({
      id: verificationRequests.certificateId,
      total: sql<number>`count(*)::int`,
      qr: sql<number>`(count(*) filter (where ${verificationRequests.method} = 'qr'))::int`,
      last: sql<Date | string | null>`max(${verificationRequests.requestedAt})`,
    })
    .from(verificationRequests)
    .where(inArray(verificationRequests.certificateId, certificateIds))
    .groupBy(verificationRequests.certificateId);
  return new Map(
    rows.map((r) => [
      r.id!,
      { total: r.total, qr: r.qr, last: r.last === null ? null : new Date(r.last).toISOString() },
    ]),
  );
}

/** Marks a certificate revoked in the database; the chain follows through the revoke job. */
export async function markRevoked(
  tx: Q,
  cert: Pick<Certificate, 'id'>,
  reason: string,
  revokedBy: string | null,
): Promise<void> {
  await tx
    .update(certificates)
    .set({ status: 'revoked', revokedAt: new Date(), revokedReason: reason, revokedBy, updatedAt: new Date() })
    .where(and(eq(certificates.id, cert.id), ne(certificates.status, 'revoked')));
}

/** A failed certificate back to pending with a fresh retry count. */
export async function requeueFailed(tx: Tx, id: string) {
  await tx
    .update(certificates)
    .set({ status: 'pending', retryCount: 0, nextAttemptAt: null, updatedAt: new Date() })
    .where(and(eq(certificates.id, id), eq(certificates.status, 'failed')));
}

export async function walletOf(db: Q, userId: string): Promise<string | null> {
  const [u] = await db.select({ walletAddress: users.walletAddress }).from(users).where(eq(users.id, userId));
  return u?.walletAddress ?? null;
}

export async function setWallet(tx: Tx, userId: string, walletAddress: string | null) {
  await tx.update(users).set({ walletAddress }).where(eq(users.id, userId));
}

// Evaluation

/** Locks the attempt row: evaluations, overrides and regrading of one attempt queue behind each other. */
export async function lockAttempt(tx: Tx, attemptId: string) {
  const [a] = await tx.select().from(attempts).where(eq(attempts.id, attemptId)).for('update');
  return a;
}

export async function examById(tx: Tx, examId: string) {
  const [exam] = await tx.select().from(exams).where(eq(exams.id, examId));
  return exam;
}

/** Who a certificate names: the student, and the exam's course if it has one. */
export async function recipientFacts(tx: Tx, userId: string, courseId: string | null) {
  const [student] = await tx.select().from(users).where(eq(users.id, userId));
  const [course] = courseId ? await tx.select().from(courses).where(eq(courses.id, courseId)) : [];
  return { student, course };
}

/** The attempt's certificate that is not revoked, locked. */
export async function lockLiveCertificate(tx: Tx, attemptId: string): Promise<Certificate | undefined> {
  const [live] = await tx
    .select()
    .from(certificates)
    .where(and(eq(certificates.attemptId, attemptId), ne(certificates.status, 'revoked')))
    .for('update');
  return live;
}

export async function insertCertificate(tx: Tx, values: typeof certificates.$inferInsert): Promise<string> {
  const [created] = await tx.insert(certificates).values(values).returning({ id: certificates.id });
  return created!.id;
}

// Minting

/** Serialises signing and broadcasting per issuer address (nonces), until the transaction ends. */
export async function lockIssuer(tx: Tx, address: string) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`exam-hall:issuer:${address.toLowerCase()}`}))`);
}

const ready = () =>
  and(
    eq(certificates.status, 'pending'),
    or(isNull(certificates.nextAttemptAt), lte(certificates.nextAttemptAt, sql`now()`)),
  );

/** Claims up to `limit` pending certificates due now (skipping rows another worker holds), with the wallet. */
export async function claimReady(tx: Tx, limit: number) {
  return tx
    .select({ id: certificates.id, metadataHash: certificates.metadataHash, wallet: users.walletAddress })
    .from(certificates)
    .innerJoin(users, eq(users.id, certificates.userId))
    .where(ready())
    .orderBy(asc(certificates.createdAt))
    .limit(limit)
    .for('update', { of: certificates, skipLocked: true });
}

/** The ids claimReady would take, without claiming them. */
export async function readyIds(db: Q, limit: number): Promise<string[]> {
  const rows = await db
    .select({ id: certificates.id })
    .from(certificates)
    .where(ready())
    .orderBy(asc(certificates.createdAt))
    .limit(limit);
  return rows.map((r) => r.id);
}

export interface MintingFacts {
  chainId: number;
  contractAddress: string;
  tokenId: string;
  recipientAddress: string;
  txHash: string;
}

/** Records the signed transaction before it is broadcast. */
export async function markMinting(tx: Tx, id: string, facts: MintingFacts) {
  await tx
    .update(certificates)
    .set({ status: 'minting', ...facts, updatedAt: new Date() })
    .where(eq(certificates.id, id));
}

export interface IssuedFacts {
  tokenId?: string;
  recipientAddress?: string;
  chainId: number;
  contractAddress: string;
  txHash: string;
  blockNumber: number;
  gasUsed: number;
}

/**
 * Records the chain facts of issued tokens; answers how many became `issued`. A
 * certificate revoked while its mint was in flight keeps its status but gets the
 * facts, so the revoke job can follow.
 */
export async function markIssued(db: Q, ids: string[], facts: IssuedFacts): Promise<number> {
  const now = new Date();
  const common = { ...facts, lastError: null, updatedAt: now };
  const issued = await db
    .update(certificates)
    .set({ ...common, status: 'issued', issuedAt: now })
    .where(and(inArray(certificates.id, ids), inArray(certificates.status, ['minting', 'pending', 'failed'])))
    .returning({ id: certificates.id });
  await db
    .update(certificates)
    .set({ ...common, issuedAt: now })
    .where(and(inArray(certificates.id, ids), eq(certificates.status, 'revoked')));
  return issued.length;
}

/**
 * One more failed try for each certificate: back to pending after 5 s, 10 s, 20 s ...
 * (capped at 10 minutes), or `failed` at `maxRetries`. Answers how many failed.
 */
export async function markRetry(db: Q, ids: string[], error: string, maxRetries: number): Promise<number> {
  const rows = await db
    .update(certificates)
    .set({
      retryCount: sql`${certificates.retryCount} + 1`,
      lastError: error.slice(0, 500),
      status: sql`case when ${certificates.retryCount} + 1 >= ${maxRetries} then 'failed'::certificate_status else 'pending'::certificate_status end`,
      nextAttemptAt: sql`now() + (least(5 * power(2, ${certificates.retryCount}), 600) || ' seconds')::interval`,
      updatedAt: new Date(),
    })
    .where(and(inArray(certificates.id, ids), inArray(certificates.status, ['pending', 'minting'])))
    .returning({ status: certificates.status });
  return rows.filter((r) => r.status === 'failed').length;
}

/** Certificates left `minting` on this chain (at most 1000). */
export async function mintingOn(db: Q, chainId: number) {
  return db
    .select()
    .from(certificates)
    .where(and(eq(certificates.status, 'minting'), eq(certificates.chainId, chainId)))
    .limit(1000);
}

export async function setRevokeTxHash(tx: Tx, id: string, hash: string) {
  await tx.update(certificates).set({ revokeTxHash: hash, updatedAt: new Date() }).where(eq(certificates.id, id));
}

export async function markRevokedOnChain(db: Q, id: string) {
  await db
    .update(certificates)
    .set({ revokedOnChainAt: new Date(), updatedAt: new Date() })
    .where(eq(certificates.id, id));
}

// Reconciliation

/**
 * Graded attempts, unchanged for `settleSeconds`, whose evaluation is owed: a pass of a
 * certificate-issuing exam that never had a certificate (one revoked by hand stays
 * revoked), or a live certificate whose result no longer matches the attempt's.
 */
export async function unevaluatedAttemptIds(db: Q, limit: number, settleSeconds: number): Promise<string[]> {
  const result = (field: string) => sql`(${certificates.metadata} -> 'result' ->> ${field})::numeric`;
  const rows = await db
    .select({ id: attempts.id })
    .from(attempts)
    .innerJoin(exams, eq(exams.id, attempts.examId))
    .leftJoin(certificates, and(eq(certificates.attemptId, attempts.id), ne(certificates.status, 'revoked')))
    .where(
      and(
        inArray(attempts.status, gradableAttemptStatuses),
        isNotNull(attempts.gradedAt),
        // Not final while answers wait for a hand mark.
        eq(attempts.manualPending, 0),
        sql`${attempts.updatedAt} <= now() - make_interval(secs => ${settleSeconds})`,
        or(
          sql`(${attempts.passed} and ${exams.issueCertificates} and not exists (
            select 1 from ${certificates} c where c.attempt_id = ${attempts.id})
            and ${attempts.reviewStatus} is distinct from 'pending' and ${attempts.reviewStatus} is distinct from 'rejected')`,
          // A live certificate of an attempt rejected in the proctoring review is owed a revocation.
          sql`(${certificates.id} is not null and ${attempts.reviewStatus} = 'rejected')`,
          sql`(${certificates.id} is not null and (${attempts.passed} is not true
            or ${result('score')} is distinct from ${attempts.score}
            or ${result('maxScore')} is distinct from ${attempts.maxScore}
            or ${result('percentage')} is distinct from ${attempts.percentage}))`,
        ),
      ),
    )
    .orderBy(asc(attempts.updatedAt))
    .limit(limit);
  return rows.map((r) => r.id);
}

/**
 * Certificates revoked in the database over `settleSeconds` ago whose token is on this
 * chain (issued, or minted while the revocation was recorded) and not yet revoked there.
 */
export async function unsentRevocationIds(
  db: Q,
  chainId: number,
  limit: number,
  settleSeconds: number,
): Promise<string[]> {
  const rows = await db
    .select({ id: certificates.id })
    .from(certificates)
    .where(
      and(
        eq(certificates.status, 'revoked'),
        eq(certificates.chainId, chainId),
        isNotNull(certificates.issuedAt),
        isNull(certificates.revokedOnChainAt),
        sql`${certificates.revokedAt} <= now() - make_interval(secs => ${settleSeconds})`,
      ),
    )
    .orderBy(asc(certificates.revokedAt))
    .limit(limit);
  return rows.map((r) => r.id);
}
