// Evaluation and revocation jobs live in Redis; if Redis lost them, a pass would never
// get its certificate (or a corrected score would keep the old one), and a revocation
// would stay in the database only. PostgreSQL says which are owed: this re-derives their
// jobs. evaluateAttempt decides under the attempt's row lock and sendRevocation checks
// the chain first, so a repeat changes nothing.
import { and, asc, eq, inArray, isNotNull, isNull, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { attempts, certificates, exams } from '../../db/schema/index.ts';
import type { CertificateJobs } from './certificates.jobs.ts';

/**
 * Graded attempts, unchanged for `settleSeconds`, whose evaluation is owed: a pass of a
 * certificate-issuing exam that never had a certificate (one revoked by hand stays
 * revoked), or a live certificate whose result no longer matches the attempt's.
 */
export async function unevaluatedAttemptIds(db: Db, limit: number, settleSeconds: number): Promise<string[]> {
  const result = (field: string) => sql`(${certificates.metadata} -> 'result' ->> ${field})::numeric`;
  const rows = await db
    .select({ id: attempts.id })
    .from(attempts)
    .innerJoin(exams, eq(exams.id, attempts.examId))
    .leftJoin(certificates, and(eq(certificates.attemptId, attempts.id), ne(certificates.status, 'revoked')))
    .where(
      and(
        inArray(attempts.status, ['submitted', 'expired']),
        isNotNull(attempts.gradedAt),
        sql`${attempts.updatedAt} <= now() - make_interval(secs => ${settleSeconds})`,
        or(
          sql`(${attempts.passed} and ${exams.issueCertificates} and not exists (
            select 1 from ${certificates} c where c.attempt_id = ${attempts.id}))`,
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

export async function reconcileEvaluations(
  db: Db,
  jobs: CertificateJobs,
  opts: { limit: number; settleSeconds: number },
): Promise<{ enqueued: number }> {
  const ids = await unevaluatedAttemptIds(db, opts.limit, opts.settleSeconds);
  for (const id of ids) await jobs.evaluate(id);
  return { enqueued: ids.length };
}

/**
 * Certificates revoked in the database over `settleSeconds` ago whose token is on this
 * chain (issued, or minted while the revocation was recorded) and not yet revoked there.
 */
export async function unsentRevocationIds(
  db: Db,
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

export async function reconcileRevocations(
  db: Db,
  jobs: CertificateJobs,
  opts: { chainId: number; limit: number; settleSeconds: number },
): Promise<{ enqueued: number }> {
  const ids = await unsentRevocationIds(db, opts.chainId, opts.limit, opts.settleSeconds);
  for (const id of ids) await jobs.revoke(id);
  return { enqueued: ids.length };
}
