// Zoom's jobs: how the webhook route and the jobs ask for Zoom work (the producer), and
// what each Zoom job does (called by the job registry, server/src/jobs/registry.ts).
import type { JobPayload } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Enqueue } from '../../jobs/queues.ts';
import type { HallPublisher } from '../hall/hall.events.ts';
import { reconcileAttendance } from '../attendance/attendance.reconcile.ts';
import { syncAttendance } from '../attendance/attendance.sync.ts';
import type { ZoomClient } from './zoom.client.ts';
import { notConfigured } from './zoom.errors.ts';
import { processZoomEvent } from './zoom.events.ts';
import type { ZoomEvent } from './zoom.types.ts';

export interface ZoomJobs {
  /** A verified webhook body, deduplicated by its hash before it gets here. */
  event(event: string, eventTs: number | null, body: Record<string, unknown>): Promise<void>;
  /** Sync attendance from the participants report; `delayMs` gives Zoom time to publish it. */
  sync(meetingId: string, delayMs?: number): Promise<void>;
}

export function zoomJobs(enqueue: Enqueue<'zoom'>): ZoomJobs {
  return {
    async event(event, eventTs, body) {
      await enqueue(
        'webhook.event',
        { event, eventTs, body },
        { attempts: 5, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: 1000 },
      );
    },
    async sync(meetingId, delayMs = 0) {
      // One waiting sync per meeting: a second request while one waits is the same work.
      await enqueue(
        'attendance.sync',
        { meetingId },
        {
          delay: delayMs,
          deduplication: { id: `attendance.sync:${meetingId}` },
          attempts: 6,
          backoff: { type: 'exponential', delay: 5000 },
          removeOnComplete: true,
          removeOnFail: 1000,
        },
      );
    },
  };
}

/** What the Zoom jobs run with. `zoom` is null when no Zoom app is configured. */
interface ZoomJobDeps {
  db: Db;
  log: Logger;
  publish: HallPublisher;
  zoom: ZoomClient | null;
  zoomJobs: ZoomJobs;
  /** Wait before pulling the report after meeting.ended (Zoom publishes it with a delay). */
  reportDelayMs: number;
}

/** 'webhook.event': applies the event, and queues the report sync when the meeting ended. */
export async function runWebhookEventJob(deps: ZoomJobDeps, payload: JobPayload<'zoom', 'webhook.event'>) {
  const outcome = await processZoomEvent(deps.db, deps.publish, payload.body as unknown as ZoomEvent);
  if (outcome.syncNeeded && outcome.meetingId) await deps.zoomJobs.sync(outcome.meetingId, deps.reportDelayMs);
  return outcome;
}

/** 'attendance.sync' */
export async function runAttendanceSyncJob(deps: ZoomJobDeps, payload: JobPayload<'zoom', 'attendance.sync'>) {
  if (!deps.zoom) throw notConfigured();
  const result = await syncAttendance(deps.db, deps.zoom, deps.publish, payload.meetingId);
  deps.log.info({ meetingId: payload.meetingId, ...result }, 'attendance synced');
  return result;
}

/** 'attendance.reconcile': syncs again ended meetings that were never synced since. */
export async function runAttendanceReconcileJob(
  deps: ZoomJobDeps,
  payload: JobPayload<'zoom', 'attendance.reconcile'>,
) {
  if (!deps.zoom) return { skipped: 'Zoom is not configured' };
  const result = await reconcileAttendance(deps.db, deps.zoomJobs, {
    limit: payload.limit,
    settleSeconds: Math.ceil(deps.reportDelayMs / 1000) + payload.marginSeconds,
    maxAgeHours: payload.maxAgeHours,
  });
  if (result.enqueued) deps.log.warn(result, 'queued attendance sync again for ended meetings never synced');
  return result;
}
