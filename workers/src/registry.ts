// One table of every job the workers run: queue -> job name -> payload schema
// (from protocol/) -> handler. Checked at start: a job without a handler, or a
// handler for an unknown job, stops the process.
import { jobSchemas, type JobName, type JobPayload, type QueueName } from '@exam-hall/protocol';
import type { Db } from '@exam-hall/server/db/client.ts';
import { deleteEndedSessions } from '@exam-hall/server/modules/auth/auth.repository.ts';
import type { Logger } from '@exam-hall/server/lib/logger.ts';
import type { HallPublisher } from '@exam-hall/server/modules/hall/hall.events.ts';
import { expireIfDue, rearmExpiries, sweepExpired } from '@exam-hall/server/modules/attempts/attempts.expiry.ts';
import type { ExpiryScheduler } from '@exam-hall/server/modules/hall/hall.service.ts';
import { reconcileGrading } from '@exam-hall/server/modules/grading/grading.reconcile.ts';
import {
  reconcileEvaluations,
  reconcileRevocations,
} from '@exam-hall/server/modules/certificates/certificates.reconcile.ts';
import { reconcileAttendance } from '@exam-hall/server/modules/attendance/attendance.reconcile.ts';
import { gradeAttempt, type GradingQueue } from '@exam-hall/server/modules/grading/grading.service.ts';
import { MINT_BATCH_SIZE, type CertificateJobs } from '@exam-hall/server/modules/certificates/certificates.jobs.ts';
import type { CertificateChain } from '@exam-hall/server/modules/certificates/certificates.chain.ts';
import { evaluateAttempt } from '@exam-hall/server/modules/certificates/certificates.evaluate.ts';
import {
  mintPending,
  reconcileMinting,
  sendRevocation,
} from '@exam-hall/server/modules/certificates/certificates.minter.ts';
import type { ZoomClient } from '@exam-hall/server/modules/zoom/zoom.client.ts';
import type { ZoomJobs } from '@exam-hall/server/modules/zoom/zoom.jobs.ts';
import type { ZoomEvent } from '@exam-hall/server/modules/zoom/zoom.types.ts';
import { processZoomEvent } from '@exam-hall/server/modules/zoom/zoom.events.ts';
import { syncAttendance } from '@exam-hall/server/modules/attendance/attendance.sync.ts';
import { notConfigured } from '@exam-hall/server/modules/zoom/zoom.errors.ts';

export interface JobContext {
  db: Db;
  log: Logger;
  /** Pushes to browsers through Redis, from a process that has no sockets of its own. */
  publish: HallPublisher;
  grading: GradingQueue;
  /** Queues an attempt's expiry job (the sweep re-queues lost ones). */
  expiry: ExpiryScheduler;
  certificates: CertificateJobs;
  /** Null when no contract is configured: certificates then wait in `pending`. */
  chain: CertificateChain | null;
  institutionName: string;
  zoom: ZoomClient | null;
  zoomJobs: ZoomJobs;
  /** Wait before pulling the report after meeting.ended (Zoom publishes it with a delay). */
  reportDelayMs: number;
}

function chainOf(ctx: JobContext): CertificateChain {
  // Thrown so BullMQ retries with backoff; the certificates stay pending meanwhile.
  if (!ctx.chain) throw new Error('no certificate contract configured (CERTIFICATE_CONTRACT_ADDRESS)');
  return ctx.chain;
}

type Handlers = {
  [Q in QueueName]: { [N in JobName<Q>]: (payload: JobPayload<Q, N>, ctx: JobContext) => Promise<unknown> };
};

export const handlers: Handlers = {
  maintenance: {
    'sessions.cleanup': async (payload, ctx) => {
      const deleted = await deleteEndedSessions(ctx.db, payload.olderThanDays);
      ctx.log.info({ deleted }, 'deleted ended sessions');
      return { deleted };
    },
  },
  grading: {
    'attempt.grade': async (payload, ctx) => {
      const outcome = await gradeAttempt(ctx.db, payload.attemptId);
      // Grading runs after the student's page has moved on; tell it the result is ready.
      if (outcome) {
        ctx.publish.graded(payload.attemptId);
        await ctx.certificates.evaluate(payload.attemptId);
      }
      return outcome;
    },
    'grading.reconcile': async (payload, ctx) => {
      const result = await reconcileGrading(ctx.db, ctx.grading, payload);
      if (result.enqueued) ctx.log.warn(result, 'queued grading again for ended attempts without a grade');
      return result;
    },
  },
  attempts: {
    'attempt.expire': async (payload, ctx) => ({
      expired: await expireIfDue(ctx.db, payload.attemptId, ctx.publish, ctx.grading),
    }),
    'attempts.sweep': async (payload, ctx) => {
      const expired = await sweepExpired(ctx.db, ctx.publish, payload.limit, ctx.grading);
      const rearmed = await rearmExpiries(ctx.db, ctx.expiry, payload.limit);
      // Expired > 0 means a job was late or lost (or the sweep came first by a few ms): worth seeing.
      if (expired) ctx.log.warn({ expired, rearmed }, 'sweeper ended overdue attempts');
      return { expired, rearmed };
    },
  },
  certificates: {
    'attempt.evaluate': async (payload, ctx) => {
      const result = await evaluateAttempt(ctx.db, ctx.institutionName, payload.attemptId);
      if (result.action === 'created' || result.action === 'superseded') await ctx.certificates.mint();
      if (result.action === 'superseded' || result.action === 'revoked')
        await ctx.certificates.revoke(result.revokedId);
      return result;
    },
    'certificates.mint': async (payload, ctx) => {
      if (!ctx.chain) return { skipped: 'no certificate contract configured' };
      return mintPending(ctx.db, ctx.chain, ctx.log, payload.batchSize);
    },
    'certificate.revoke': async (payload, ctx) => sendRevocation(ctx.db, chainOf(ctx), payload.certificateId),
    'certificates.reconcile': async (payload, ctx) => {
      if (!ctx.chain) return { skipped: 'no certificate contract configured' };
      const settled = await reconcileMinting(ctx.db, ctx.chain, payload.staleSeconds);
      // Also the safety net for mint requests that arrived while a mint job was running.
      const minted = await mintPending(ctx.db, ctx.chain, ctx.log, MINT_BATCH_SIZE);
      // And for revocations whose job was lost (Redis restarted without persistence).
      const revocations = await reconcileRevocations(ctx.db, ctx.certificates, {
        chainId: ctx.chain.chainId,
        limit: 500,
        settleSeconds: payload.staleSeconds,
      });
      if (revocations.enqueued) ctx.log.warn(revocations, 'queued revocations again that never reached the chain');
      return { ...settled, minted: minted.minted, revocationsQueued: revocations.enqueued };
    },
    'evaluations.reconcile': async (payload, ctx) => {
      const result = await reconcileEvaluations(ctx.db, ctx.certificates, payload);
      if (result.enqueued)
        ctx.log.warn(result, 'queued evaluation again for attempts out of line with their certificate');
      return result;
    },
  },
  zoom: {
    'webhook.event': async (payload, ctx) => {
      const outcome = await processZoomEvent(ctx.db, ctx.publish, payload.body as unknown as ZoomEvent);
      if (outcome.syncNeeded && outcome.meetingId) await ctx.zoomJobs.sync(outcome.meetingId, ctx.reportDelayMs);
      return outcome;
    },
    'attendance.sync': async (payload, ctx) => {
      if (!ctx.zoom) throw notConfigured();
      const result = await syncAttendance(ctx.db, ctx.zoom, ctx.publish, payload.meetingId);
      ctx.log.info({ meetingId: payload.meetingId, ...result }, 'attendance synced');
      return result;
    },
    'attendance.reconcile': async (payload, ctx) => {
      if (!ctx.zoom) return { skipped: 'Zoom is not configured' };
      const result = await reconcileAttendance(ctx.db, ctx.zoomJobs, {
        limit: payload.limit,
        settleSeconds: Math.ceil(ctx.reportDelayMs / 1000) + payload.marginSeconds,
        maxAgeHours: payload.maxAgeHours,
      });
      if (result.enqueued) ctx.log.warn(result, 'queued attendance sync again for ended meetings never synced');
      return result;
    },
  },
};

/**
 * Repeating jobs, scheduled idempotently (BullMQ job schedulers are keyed by id).
 * `atStart`: also run once when a worker starts, rather than one period later. Every
 * reconciler re-derives from PostgreSQL the jobs a Redis without persistence loses.
 */
export const schedules = [
  {
    queue: 'maintenance' as const,
    id: 'sessions.cleanup',
    name: 'sessions.cleanup' as const,
    everyMs: 3_600_000,
    data: { olderThanDays: 7 },
    atStart: false,
  },
  {
    queue: 'attempts' as const,
    id: 'attempts.sweep',
    name: 'attempts.sweep' as const,
    everyMs: 15_000,
    data: { limit: 500 },
    atStart: true,
  },
  {
    queue: 'grading' as const,
    id: 'grading.reconcile',
    name: 'grading.reconcile' as const,
    everyMs: 60_000,
    data: { limit: 500, settleSeconds: 60 },
    atStart: true,
  },
  {
    queue: 'certificates' as const,
    id: 'evaluations.reconcile',
    name: 'evaluations.reconcile' as const,
    everyMs: 60_000,
    data: { limit: 500, settleSeconds: 60 },
    atStart: true,
  },
  {
    queue: 'zoom' as const,
    id: 'attendance.reconcile',
    name: 'attendance.reconcile' as const,
    everyMs: 300_000,
    data: { limit: 100, marginSeconds: 120, maxAgeHours: 72 },
    atStart: true,
  },
  {
    queue: 'certificates' as const,
    id: 'certificates.reconcile',
    name: 'certificates.reconcile' as const,
    everyMs: 30_000,
    data: { staleSeconds: 120 },
    // Settles at once what a crashed worker left in `minting`, rather than at the first tick.
    atStart: true,
  },
];

export function checkRegistry(): void {
  for (const queue of Object.keys(jobSchemas) as QueueName[]) {
    const declared = Object.keys(jobSchemas[queue]).sort();
    const handled = Object.keys(handlers[queue] ?? {}).sort();
    if (declared.join() !== handled.join()) {
      throw new Error(`job registry mismatch in queue ${queue}: declared [${declared}] handled [${handled}]`);
    }
  }
}
