// The sync after meeting.ended is a delayed job in Redis; if Redis lost it, the
// meeting's attendance would stay at the live webhook picture for ever. PostgreSQL
// says which ended meetings were never synced since they ended: this re-derives their
// jobs. The sync job is deduplicated per meeting and replaces its own rows, so a
// repeat changes nothing.
import type { Db } from '../../db/client.ts';
import type { ZoomJobs } from '../zoom/zoom.jobs.ts';
import { unsyncedMeetingIds } from './attendance.repository.ts';

export async function reconcileAttendance(
  db: Db,
  jobs: ZoomJobs,
  opts: { limit: number; settleSeconds: number; maxAgeHours: number },
): Promise<{ enqueued: number }> {
  const ids = await unsyncedMeetingIds(db, opts.limit, opts.settleSeconds, opts.maxAgeHours);
  for (const id of ids) await jobs.sync(id);
  return { enqueued: ids.length };
}
