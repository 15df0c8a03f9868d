// The sync after meeting.ended is a delayed job in Redis; if Redis lost it, the
// meeting's attendance would stay at the live webhook picture for ever. PostgreSQL
// says which ended meetings were never synced since they ended: this re-derives their
// jobs. The sync job is deduplicated per meeting and replaces its own rows, so a
// repeat changes nothing.
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { zoomMeetings } from '../../db/schema/index.ts';
import type { ZoomJobs } from '../zoom/zoom.jobs.ts';

/**
 * Meetings that ended over `settleSeconds` ago (give it the report delay plus a margin,
 * so the normal delayed sync runs first) but less than `maxAgeHours` ago (Zoom keeps
 * reports for a while; an old meeting whose sync keeps failing is not retried for ever),
 * and were not synced after they ended.
 */
export async function unsyncedMeetingIds(
  db: Db,
  limit: number,
  settleSeconds: number,
  maxAgeHours: number,
): Promise<string[]> {
  const rows = await db
    .select({ id: zoomMeetings.id })
    .from(zoomMeetings)
    .where(
      and(
        eq(zoomMeetings.status, 'ended'),
        sql`(${zoomMeetings.lastSyncedAt} is null or ${zoomMeetings.lastSyncedAt} < ${zoomMeetings.endedAt})`,
        // updated_at: when the end reached us (ended_at is Zoom's clock, and may be replayed late).
        sql`${zoomMeetings.updatedAt} <= now() - make_interval(secs => ${settleSeconds})`,
        sql`${zoomMeetings.updatedAt} > now() - make_interval(hours => ${maxAgeHours})`,
      ),
    )
    .orderBy(asc(zoomMeetings.updatedAt))
    .limit(limit);
  return rows.map((r) => r.id);
}

export async function reconcileAttendance(
  db: Db,
  jobs: ZoomJobs,
  opts: { limit: number; settleSeconds: number; maxAgeHours: number },
): Promise<{ enqueued: number }> {
  const ids = await unsyncedMeetingIds(db, opts.limit, opts.settleSeconds, opts.maxAgeHours);
  for (const id of ids) await jobs.sync(id);
  return { enqueued: ids.length };
}
