// One table of every job: queue -> job name -> payload schema (from protocol/) -> the
// one domain function that runs it. Checked at start: a job without a handler, or a
// handler for an unknown job, stops the process.
import { jobSchemas, type JobName, type JobPayload, type QueueName } from '@exam-hall/protocol';
import type { Logger } from '../lib/logger.ts';
import type { Infrastructure } from '../infrastructure.ts';
import { runSessionsCleanupJob } from '../modules/auth/auth.jobs.ts';
import { runEvidenceRetentionJob } from '../modules/camera/evidence.jobs.ts';
import { runExpireJob, runSweepJob } from '../modules/attempts/attempts.jobs.ts';
import { runGradeJob, runGradingReconcileJob } from '../modules/grading/grading.jobs.ts';
import {
  runCertificatesReconcileJob,
  runEvaluateJob,
  runEvaluationsReconcileJob,
  runMintJob,
  runRevokeJob,
} from '../modules/certificates/certificates.jobs.ts';
import { runAttendanceReconcileJob, runAttendanceSyncJob, runWebhookEventJob } from '../modules/zoom/zoom.jobs.ts';
import {
  runGradeSendJob,
  runGradesAttemptJob,
  runGradesExamJob,
  runGradesReconcileJob,
  runRosterSyncJob,
} from '../modules/lti/lti.jobs.ts';

/** What every job runs with: the process's infrastructure, a few settings and the job's logger. */
export type JobContext = Pick<
  Infrastructure,
  'db' | 'publish' | 'grading' | 'expiry' | 'certificates' | 'chain' | 'zoom' | 'zoomJobs' | 'ltiGrades' | 'ltiTokens'
> & {
  log: Logger;
  institutionName: string;
  /** Wait before pulling the report after meeting.ended (Zoom publishes it with a delay). */
  reportDelayMs: number;
};

type Handlers = {
  [Q in QueueName]: { [N in JobName<Q>]: (payload: JobPayload<Q, N>, ctx: JobContext) => Promise<unknown> };
};

export const handlers: Handlers = {
  maintenance: {
    'sessions.cleanup': (payload, ctx) => runSessionsCleanupJob(ctx, payload),
    'evidence.retention': (payload, ctx) => runEvidenceRetentionJob(ctx, payload),
  },
  grading: {
    'attempt.grade': (payload, ctx) => runGradeJob(ctx, payload),
    'grading.reconcile': (payload, ctx) => runGradingReconcileJob(ctx, payload),
  },
  attempts: {
    'attempt.expire': (payload, ctx) => runExpireJob(ctx, payload),
    'attempts.sweep': (payload, ctx) => runSweepJob(ctx, payload),
  },
  certificates: {
    'attempt.evaluate': (payload, ctx) => runEvaluateJob(ctx, payload),
    'certificates.mint': (payload, ctx) => runMintJob(ctx, payload),
    'certificate.revoke': (payload, ctx) => runRevokeJob(ctx, payload),
    'certificates.reconcile': (payload, ctx) => runCertificatesReconcileJob(ctx, payload),
    'evaluations.reconcile': (payload, ctx) => runEvaluationsReconcileJob(ctx, payload),
  },
  zoom: {
    'webhook.event': (payload, ctx) => runWebhookEventJob(ctx, payload),
    'attendance.sync': (payload, ctx) => runAttendanceSyncJob(ctx, payload),
    'attendance.reconcile': (payload, ctx) => runAttendanceReconcileJob(ctx, payload),
  },
  lti: {
    'grades.attempt': (payload, ctx) => runGradesAttemptJob(ctx, payload),
    'grades.exam': (payload, ctx) => runGradesExamJob(ctx, payload),
    'grade.send': (payload, ctx) => runGradeSendJob(ctx, payload),
    'grades.reconcile': (payload, ctx) => runGradesReconcileJob(ctx, payload),
    'roster.sync': (payload, ctx) => runRosterSyncJob(ctx, payload),
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
    queue: 'maintenance' as const,
    id: 'evidence.retention',
    name: 'evidence.retention' as const,
    everyMs: 3_600_000,
    data: { limit: 500 },
    // A worker that was down past a frame's expiry deletes it at once, not an hour later.
    atStart: true,
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
    queue: 'lti' as const,
    id: 'grades.reconcile',
    name: 'grades.reconcile' as const,
    everyMs: 60_000,
    // Pending pushes older than a minute: their job was lost (a Redis restart) or never queued.
    data: { limit: 500, settleSeconds: 60 },
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
