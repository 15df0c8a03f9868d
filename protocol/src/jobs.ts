import { z } from 'zod';

/** Queue name -> job name -> payload schema. Producers and workers both read this. */
export const jobSchemas = {
  maintenance: {
    'sessions.cleanup': z.object({ olderThanDays: z.number().int().min(0).max(365) }),
    /** Periodic: deletes camera evidence frames past their exam's retention (each deletion audited). */
    'evidence.retention': z.object({ limit: z.number().int().min(1).max(10_000) }),
  },
  grading: {
    /** Idempotent: grading the same attempt again gives the same result. */
    'attempt.grade': z.object({ attemptId: z.uuid() }),
    /** Periodic: grades again ended attempts whose grading job was lost (ended over `settleSeconds` ago). */
    'grading.reconcile': z.object({
      limit: z.number().int().min(1).max(10_000),
      settleSeconds: z.number().int().min(0).max(86_400),
    }),
  },
  attempts: {
    /** Delayed to the attempt's deadline; a no-op if the deadline moved or the attempt ended. */
    'attempt.expire': z.object({ attemptId: z.uuid() }),
    /** Periodic safety net for expiries whose job was lost: ends overdue attempts, re-queues the jobs of those due soon. */
    'attempts.sweep': z.object({ limit: z.number().int().min(1).max(10_000) }),
  },
  certificates: {
    /** After grading or a score override: create, keep, supersede or revoke the attempt's certificate. */
    'attempt.evaluate': z.object({ attemptId: z.uuid() }),
    /** Mints pending certificates in batches of up to `batchSize`, until none is ready. */
    'certificates.mint': z.object({ batchSize: z.number().int().min(1).max(200) }),
    /** Sends a revocation already recorded in the database to the chain. */
    'certificate.revoke': z.object({ certificateId: z.uuid() }),
    /** Periodic: settles certificates left in `minting` by a crashed worker, from the chain, then mints,
     * and queues again revocations (older than `staleSeconds`) that never reached the chain. */
    'certificates.reconcile': z.object({ staleSeconds: z.number().int().min(1).max(86_400) }),
    /** Periodic: evaluates again graded attempts whose certificate is missing or out of line with the result. */
    'evaluations.reconcile': z.object({
      limit: z.number().int().min(1).max(10_000),
      settleSeconds: z.number().int().min(0).max(86_400),
    }),
  },
  zoom: {
    /** A verified webhook event, processed off the request so Zoom gets its answer within 3 s. */
    'webhook.event': z.object({
      event: z.string(),
      eventTs: z.number().nullable(),
      body: z.record(z.string(), z.unknown()),
    }),
    /** Pull the participants report (paged, 429-aware), reconcile, compute attendance. */
    'attendance.sync': z.object({ meetingId: z.uuid() }),
    /** Periodic: syncs again meetings that ended (within `maxAgeHours`, over the report delay plus
     * `marginSeconds` ago) and were never synced since. */
    'attendance.reconcile': z.object({
      limit: z.number().int().min(1).max(10_000),
      marginSeconds: z.number().int().min(0).max(86_400),
      maxAgeHours: z
        .number()
        .int()
        .min(1)
        .max(24 * 90),
    }),
  },
  lti: {
    /** An attempt's result changed (graded, marked, overridden): queue its score for every LMS placement if visible. */
    'grades.attempt': z.object({ attemptId: z.uuid() }),
    /** An exam's results were released: queue every graded student's score for every LMS placement. */
    'grades.exam': z.object({ examId: z.uuid() }),
    /** Sends one student's score to the LMS (AGS), creating the line item first if the link has none. */
    'grade.send': z.object({ syncId: z.uuid() }),
    /** Periodic: queues scores never queued (a lost job) and sends again pending rows older than `settleSeconds`. */
    'grades.reconcile': z.object({
      limit: z.number().int().min(1).max(10_000),
      settleSeconds: z.number().int().min(0).max(86_400),
    }),
    /** Pulls one LMS course's roster (NRPS, paged) into its course's enrolments. */
    'roster.sync': z.object({ contextId: z.uuid() }),
  },
} as const;

export type QueueName = keyof typeof jobSchemas;
export type JobName<Q extends QueueName> = keyof (typeof jobSchemas)[Q] & string;
export type JobPayload<Q extends QueueName, N extends JobName<Q>> = z.infer<(typeof jobSchemas)[Q][N]>;
