// Grading's jobs: how the API and the jobs ask for grading (the producer), and what
// each grading job does (called by the job registry, server/src/jobs/registry.ts).
import type { JobPayload } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Enqueue } from '../../jobs/queues.ts';
import type { HallPublisher } from '../hall/hall.events.ts';
import type { CertificateJobs } from '../certificates/certificates.jobs.ts';
import { gradeAttempt } from './grading.service.ts';
import { reconcileGrading } from './grading.reconcile.ts';
import { bestEffort } from '../../lib/best-effort.ts';
import type { LtiGradeJobs } from '../lti/lti.jobs.ts';

export interface GradingQueue {
  enqueue(attemptId: string): Promise<void>;
}

export function gradingJobs(enqueue: Enqueue<'grading'>): GradingQueue {
  return {
    async enqueue(attemptId) {
      // One job id per attempt: a second submit/expiry path while queued is deduplicated.
      await enqueue(
        'attempt.grade',
        { attemptId },
        {
          jobId: `grade-${attemptId}`,
          removeOnComplete: true,
          removeOnFail: 1000,
          attempts: 5,
          backoff: { type: 'exponential', delay: 1000 },
        },
      );
    },
  };
}

/** 'attempt.grade': grades, then tells the student's page and brings the certificate in line. */
export async function runGradeJob(
  deps: { db: Db; publish: HallPublisher; certificates: CertificateJobs; ltiGrades?: LtiGradeJobs },
  payload: JobPayload<'grading', 'attempt.grade'>,
) {
  const outcome = await gradeAttempt(deps.db, payload.attemptId);
  // Grading runs after the student's page has moved on; tell it the result is ready (or
  // that it waits for hand marks). The certificate waits for the last hand mark
  // (grading.manual.service.ts evaluates it then).
  if (outcome) {
    deps.publish.graded(payload.attemptId);
    if (outcome.manualPending === 0) await deps.certificates.evaluate(payload.attemptId);
    // The LMS gradebook, if the exam is placed in one (lost: the LTI reconciler derives it).
    if (deps.ltiGrades) await bestEffort(deps.ltiGrades.resultChanged(payload.attemptId), 1000);
  }
  return outcome;
}

/** 'grading.reconcile': grades again ended attempts whose grading job was lost. */
export async function runGradingReconcileJob(
  deps: { db: Db; grading: GradingQueue; log: Logger },
  payload: JobPayload<'grading', 'grading.reconcile'>,
) {
  const result = await reconcileGrading(deps.db, deps.grading, payload);
  if (result.enqueued) deps.log.warn(result, 'queued grading again for ended attempts without a grade');
  return result;
}
