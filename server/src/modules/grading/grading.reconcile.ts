// Grading jobs live in Redis; a Redis that lost them (restart without persistence,
// flush) would leave ended attempts without a result for ever. PostgreSQL says which
// attempts still need one: this re-derives their jobs. Grading is idempotent and the
// job id is per attempt, so a job that is still queued is not doubled.
import type { Db } from '../../db/client.ts';
import type { GradingQueue } from './grading.jobs.ts';
import { ungradedAttemptIds } from './grading.repository.ts';

export async function reconcileGrading(
  db: Db,
  grading: GradingQueue,
  opts: { limit: number; settleSeconds: number },
): Promise<{ enqueued: number }> {
  const ids = await ungradedAttemptIds(db, opts.limit, opts.settleSeconds);
  for (const id of ids) await grading.enqueue(id);
  return { enqueued: ids.length };
}
