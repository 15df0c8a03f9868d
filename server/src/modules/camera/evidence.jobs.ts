// Evidence retention (called by the job registry, server/src/jobs/registry.ts).
import type { JobPayload } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import type { Logger } from '../../lib/logger.ts';
import * as audit from '../audit/audit.service.ts';
import * as repo from './evidence.repository.ts';

/**
 * 'evidence.retention': deletes frames whose retention ended (ciphertext gone, the row kept
 * as the record), in batches of `limit`, each deletion audited in the same transaction.
 * `now` is a parameter so a test can run the sweep as of a later day. Idempotent: a
 * deleted frame is never due again.
 */
export async function runEvidenceRetentionJob(
  deps: { db: Db; log: Logger },
  payload: JobPayload<'maintenance', 'evidence.retention'>,
  now = new Date(),
) {
  let deleted = 0;
  for (;;) {
    const batch = await deps.db.transaction(async (tx) => {
      const rows = await repo.deleteDue(tx, now, payload.limit);
      for (const r of rows) {
        await audit.record(
          tx,
          { actorRole: 'system' },
          {
            action: 'evidence.deleted',
            targetType: 'proctoring_evidence',
            targetId: r.id,
            details: {
              eventId: r.eventId,
              attemptId: r.attemptId,
              examId: r.examId,
              expiresAt: r.expiresAt.toISOString(),
              reason: 'retention',
            },
          },
        );
      }
      return rows.length;
    });
    deleted += batch;
    if (batch < payload.limit) break;
  }
  if (deleted) deps.log.info({ deleted }, 'deleted evidence frames past their retention');
  return { deleted };
}
