// Evaluation and revocation jobs live in Redis; if Redis lost them, a pass would never
// get its certificate (or a corrected score would keep the old one), and a revocation
// would stay in the database only. PostgreSQL says which are owed: this re-derives their
// jobs. evaluateAttempt decides under the attempt's row lock and sendRevocation checks
// the chain first, so a repeat changes nothing.
import type { Db } from '../../db/client.ts';
import type { CertificateJobs } from './certificates.jobs.ts';
import { unevaluatedAttemptIds, unsentRevocationIds } from './certificates.repository.ts';

export async function reconcileEvaluations(
  db: Db,
  jobs: CertificateJobs,
  opts: { limit: number; settleSeconds: number },
): Promise<{ enqueued: number }> {
  const ids = await unevaluatedAttemptIds(db, opts.limit, opts.settleSeconds);
  for (const id of ids) await jobs.evaluate(id);
  return { enqueued: ids.length };
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
