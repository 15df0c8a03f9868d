// LMS gradebook and roster jobs: how the API and other jobs ask for them (the producer), and
// what each job does (called by the job registry, server/src/jobs/registry.ts). Every job is
// idempotent: the state is in PostgreSQL (lti_grade_syncs, lti_contexts) and a push only
// sends what its row holds.
import type { JobPayload } from '@exam-hall/protocol';
import type { JobsOptions } from 'bullmq';
import type { Db } from '../../db/client.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Enqueue } from '../../jobs/queues.ts';
import { pushScore } from './lti.ags.ts';
import * as repo from './lti.grades.repository.ts';
import { syncRoster } from './lti.nrps.ts';
import type { LtiTokenClient } from './lti.token.ts';

export interface LtiGradeJobs {
  /** An attempt's result changed (graded, last hand mark, override): owe its score to the LMS if visible. */
  resultChanged(attemptId: string): Promise<void>;
  /** The exam's results were released: owe every graded student's score. */
  resultsReleased(examId: string): Promise<void>;
  /** Push these rows now. */
  send(syncIds: string[]): Promise<void>;
  syncRoster(contextId: string): Promise<void>;
}

const kept = { removeOnComplete: 100, removeOnFail: 500 } satisfies JobsOptions;

export function ltiGradeJobs(enqueue: Enqueue<'lti'>): LtiGradeJobs {
  return {
    async resultChanged(attemptId) {
      await enqueue(
        'grades.attempt',
        { attemptId },
        { ...kept, attempts: 5, backoff: { type: 'exponential', delay: 1000 } },
      );
    },
    async resultsReleased(examId) {
      await enqueue('grades.exam', { examId }, { ...kept, attempts: 5, backoff: { type: 'exponential', delay: 1000 } });
    },
    async send(syncIds) {
      // No job id: a push sends what its row holds when it runs, so a second one is harmless.
      for (const syncId of syncIds) {
        await enqueue(
          'grade.send',
          { syncId },
          { ...kept, attempts: 6, backoff: { type: 'exponential', delay: 5000 } },
        );
      }
    },
    async syncRoster(contextId) {
      await enqueue(
        'roster.sync',
        { contextId },
        {
          ...kept,
          jobId: `roster-${contextId}-${Date.now()}`,
          attempts: 3,
          backoff: { type: 'exponential', delay: 10_000 },
        },
      );
    },
  };
}

export interface LtiJobDeps {
  db: Db;
  log: Logger;
  ltiGrades: LtiGradeJobs;
  ltiTokens: LtiTokenClient;
}

/** 'grades.attempt': the student's owed score rows, then their pushes. */
export async function runGradesAttemptJob(deps: LtiJobDeps, payload: JobPayload<'lti', 'grades.attempt'>) {
  const ids = await repo.upsertOwedScores(deps.db, { attemptId: payload.attemptId });
  await deps.ltiGrades.send(ids);
  return { queued: ids.length };
}

/** 'grades.exam': every owed score of the exam, then their pushes. */
export async function runGradesExamJob(deps: LtiJobDeps, payload: JobPayload<'lti', 'grades.exam'>) {
  const ids = await repo.upsertOwedScores(deps.db, { examId: payload.examId });
  await deps.ltiGrades.send(ids);
  return { queued: ids.length };
}

/** 'grade.send': one push (AGS). */
export async function runGradeSendJob(deps: LtiJobDeps, payload: JobPayload<'lti', 'grade.send'>) {
  return pushScore({ db: deps.db, tokens: deps.ltiTokens, log: deps.log }, payload.syncId);
}

/**
 * 'grades.reconcile': what a lost job left undone. Scores owed but never recorded (the
 * 'grades.*' job was lost with Redis), and pending pushes older than `settleSeconds`.
 */
export async function runGradesReconcileJob(deps: LtiJobDeps, payload: JobPayload<'lti', 'grades.reconcile'>) {
  const owed = await repo.upsertOwedScores(deps.db, { all: true, limit: payload.limit });
  const stale = await repo.stalePendingIds(deps.db, payload.limit, payload.settleSeconds);
  const ids = [...new Set([...owed, ...stale])];
  await deps.ltiGrades.send(ids);
  if (ids.length) deps.log.warn({ owed: owed.length, stale: stale.length }, 'queued LMS grade pushes again');
  return { owed: owed.length, stale: stale.length };
}

/** 'roster.sync': one LMS course's roster (NRPS). */
export async function runRosterSyncJob(deps: LtiJobDeps, payload: JobPayload<'lti', 'roster.sync'>) {
  return syncRoster({ db: deps.db, tokens: deps.ltiTokens }, payload.contextId);
}
