// Auth's job (called by the job registry, server/src/jobs/registry.ts).
import type { JobPayload } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import type { Logger } from '../../lib/logger.ts';
import { deleteEndedSessions } from './auth.repository.ts';

/** 'sessions.cleanup': deletes sessions that ended over `olderThanDays` ago. */
export async function runSessionsCleanupJob(
  deps: { db: Db; log: Logger },
  payload: JobPayload<'maintenance', 'sessions.cleanup'>,
) {
  const deleted = await deleteEndedSessions(deps.db, payload.olderThanDays);
  deps.log.info({ deleted }, 'deleted ended sessions');
  return { deleted };
}
