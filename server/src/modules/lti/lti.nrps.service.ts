// The course page's "Sync roster from the LMS": the last sync of each LMS course linked to
// the course, and starting one. Only the course's teachers or an admin (findCourseFor: 404
// for anyone else). A sync already running (started within 5 minutes) is not started again.
import type { CourseRosterSyncs, RosterSyncQueued, RosterSyncStatus } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import { conflict } from '../../http/errors.ts';
import { bestEffort } from '../../lib/best-effort.ts';
import type { Actor, Caller } from '../../policy/actor.ts';
import * as audit from '../audit/audit.service.ts';
import { auditContextOf } from '../audit/audit.context.ts';
import { findCourseFor } from '../courses/courses.service.ts';
import type { LtiGradeJobs } from './lti.jobs.ts';
import * as repo from './lti.nrps.repository.ts';

const int = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0);

function toStatus(r: Record<string, unknown>): RosterSyncStatus {
  const result = (r.roster_sync_result ?? null) as Record<string, unknown> | null;
  const state = result?.state;
  return {
    contextId: r.id as string,
    title: (r.title as string | null) ?? null,
    platformName: r.platform_name as string,
    state: state === 'running' || state === 'done' || state === 'failed' ? state : 'never',
    syncedAt: r.roster_synced_at ? new Date(r.roster_synced_at as string).toISOString() : null,
    counts:
      state === 'done'
        ? {
            added: int(result?.added),
            updated: int(result?.updated),
            dropped: int(result?.dropped),
            total: int(result?.total),
          }
        : null,
    error: state === 'failed' && typeof result?.error === 'string' ? result.error : null,
  };
}

export function createLtiNrpsService(deps: { db: Db; secret: string; ltiGrades: LtiGradeJobs }) {
  const { db, secret, ltiGrades } = deps;
  return {
    async status(actor: Actor, courseId: string): Promise<CourseRosterSyncs> {
      await findCourseFor(db, actor, courseId);
      const rows = (await repo.rosterStatusOfCourse(db, courseId)).filter((r) => r.memberships_url);
      return { linked: rows.length > 0, contexts: rows.map(toStatus) };
    },

    async sync(caller: Caller, courseId: string): Promise<RosterSyncQueued> {
      const course = await findCourseFor(db, caller.actor, courseId);
      if (!course.isActive) throw conflict('This course is archived: its roster cannot be synced. Unarchive it first.');
      const ids = await db.transaction(async (tx) => {
        const linked = (await repo.rosterStatusOfCourse(tx, courseId)).filter((r) => r.memberships_url);
        if (!linked.length) {
          throw conflict(
            'This course is not linked to an LMS course with a roster service: launch Exam Hall once from the LMS course first.',
          );
        }
        const ids = await repo.reserveRosterSyncs(tx, courseId);
        if (!ids.length) throw conflict('A roster sync is already running for this course: wait for it to finish.');
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'lti.roster.sync_requested',
          targetType: 'course',
          targetId: courseId,
          details: { contexts: ids.length },
        });
        return ids;
      });
      // A lost enqueue leaves the context "running" for 5 minutes, then the button works again.
      for (const id of ids) await bestEffort(ltiGrades.syncRoster(id), 1000);
      return { queued: ids.length };
    },
  };
}
export type LtiNrpsService = ReturnType<typeof createLtiNrpsService>;
