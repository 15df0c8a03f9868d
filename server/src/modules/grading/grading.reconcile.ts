// Grading jobs live in Redis; a Redis that lost them (restart without persistence,
// flush) would leave ended attempts without a result for ever. PostgreSQL says which
// attempts still need one: this re-derives their jobs. Grading is idempotent and the
// job id is per attempt, so a job that is still queued is not doubled.
import { and, asc, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { attempts } from '../../db/schema/index.ts';
import type { GradingQueue } from './grading.jobs.ts';

/** Ended (submitted or expired) attempts without a grade, ended over `settleSeconds` ago. */
export async function ungradedAttemptIds(db: Db, limit: number, settleSeconds: number): Promise<string[]> {
  const rows = await db
    .select({ id: attempts.id })
    .from(attempts)
    .where(
      and(
        inArray(attempts.status, ['submitted', 'expired']),
        isNull(attempts.gradedAt),
        // Leaves the normal path (enqueued at the end) time to run first.
        sql`${attempts.submittedAt} <= now() - make_interval(secs => ${settleSeconds})`,
      ),
    )
    .orderBy(asc(attempts.submittedAt))
    .limit(limit);
  return rows.map((r) => r.id);
}

export async function reconcileGrading(
  db: Db,
  grading: GradingQueue,
  opts: { limit: number; settleSeconds: number },
): Promise<{ enqueued: number }> {
  const ids = await ungradedAttemptIds(db, opts.limit, opts.settleSeconds);
  for (const id of ids) await grading.enqueue(id);
  return { enqueued: ids.length };
}
