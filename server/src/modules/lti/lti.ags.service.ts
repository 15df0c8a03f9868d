// The teacher's view of an exam's LMS gradebook pushes (AGS): per student status, score,
// tries, the last error in words, and resending one push or every failed one. Only the
// exam's teacher or an admin (loadExamFor: 404 for anyone else); resends are audited.
import type { ExamGradeSyncs, GradeResendResult, GradeSyncRow } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import { notFound } from '../../http/errors.ts';
import { bestEffort } from '../../lib/best-effort.ts';
import type { Actor, Caller } from '../../policy/actor.ts';
import * as audit from '../audit/audit.service.ts';
import { auditContextOf } from '../audit/audit.context.ts';
import { loadExamFor } from '../exams/exams.service.ts';
import * as repo from './lti.grades.repository.ts';
import type { LtiGradeJobs } from './lti.jobs.ts';

const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function toRow(r: Record<string, unknown>): GradeSyncRow {
  return {
    id: r.id as string,
    userId: r.user_id as string,
    name: r.name as string,
    linkTitle: (r.link_title as string | null) ?? null,
    status: r.status as GradeSyncRow['status'],
    scoreGiven: num(r.score_given),
    scoreMaximum: num(r.score_maximum),
    tries: Number(r.tries),
    lastError: (r.last_error as string | null) ?? null,
    lastTriedAt: iso(r.last_tried_at),
    sentAt: iso(r.sent_at),
  };
}

export function createLtiAgsService(deps: { db: Db; secret: string; ltiGrades: LtiGradeJobs }) {
  const { db, secret, ltiGrades } = deps;

  /** After commit: a lost enqueue is repaired by the reconciler (pending rows older than a minute). */
  const queue = (ids: string[]) => bestEffort(ltiGrades.send(ids), 1000);

  return {
    async list(actor: Actor, examId: string): Promise<ExamGradeSyncs> {
      await loadExamFor(db, actor, examId);
      const [links, rows] = await Promise.all([repo.linkCountOfExam(db, examId), repo.syncRowsOfExam(db, examId)]);
      const out = rows.map(toRow);
      const counts = { pending: 0, sent: 0, failed: 0 };
      for (const r of out) counts[r.status]++;
      return { linked: links > 0, links, counts, rows: out };
    },

    async resend(caller: Caller, examId: string, syncId: string): Promise<GradeResendResult> {
      await loadExamFor(db, caller.actor, examId);
      const ids = await db.transaction(async (tx) => {
        if (!(await repo.syncBelongsToExam(tx, examId, syncId))) throw notFound('Grade sync');
        const ids = await repo.requeue(tx, examId, { syncId });
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'lti.grade.resend',
          targetType: 'lti_grade_sync',
          targetId: syncId,
          details: { examId, queued: ids.length },
        });
        return ids;
      });
      await queue(ids);
      return { queued: ids.length };
    },

    async resendFailed(caller: Caller, examId: string): Promise<GradeResendResult> {
      await loadExamFor(db, caller.actor, examId);
      const ids = await db.transaction(async (tx) => {
        const ids = await repo.requeue(tx, examId, { failed: true });
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'lti.grade.resend_failed',
          targetType: 'exam',
          targetId: examId,
          details: { queued: ids.length },
        });
        return ids;
      });
      await queue(ids);
      return { queued: ids.length };
    },
  };
}
export type LtiAgsService = ReturnType<typeof createLtiAgsService>;
