// Producer side of the Zoom jobs (workers/src/registry.ts runs them).
import type { Queue } from 'bullmq';

export const ZOOM_QUEUE = 'zoom';

export interface ZoomJobs {
  /** A verified webhook body, deduplicated by its hash before it gets here. */
  event(event: string, eventTs: number | null, body: Record<string, unknown>): Promise<void>;
  /** Sync attendance from the participants report; `delayMs` gives Zoom time to publish it. */
  sync(meetingId: string, delayMs?: number): Promise<void>;
}

export function bullZoomJobs(queue: Queue): ZoomJobs {
  return {
    async event(event, eventTs, body) {
      await queue.add(
        'webhook.event',
        { event, eventTs, body },
        { attempts: 5, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: 1000 },
      );
    },
    async sync(meetingId, delayMs = 0) {
      // One waiting sync per meeting: a second request while one waits is the same work.
      await queue.add(
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
