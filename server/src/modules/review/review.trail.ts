// The per-attempt trail: alerts, proctors' actions, the end of the attempt, the review
// decisions, the appeal and its resolution, each with who and when, in time order. Built
// from the rows themselves (alerts) and the audit log (every change), never from free text.
import type { AttemptAlert, AttemptTrail, TrailEntry } from '@exam-hall/protocol';
import type { AttemptAppeal } from '../../db/schema/index.ts';
import type * as repo from './review.repository.ts';

type AuditRow = Awaited<ReturnType<typeof repo.auditOf>>[number];
type AlertRow = Awaited<ReturnType<typeof repo.alertsOf>>[number];

const label = (value: unknown) => (typeof value === 'string' ? value.replace(/_/g, ' ') : '');

/** One audit row as a trail step, or null for rows the trail does not show. */
function stepOf(row: AuditRow): Omit<TrailEntry, 'at' | 'by'> | null {
  const d = row.details;
  if (row.action === 'attempt.started') return { kind: 'started', what: 'started' };
  if (row.action.startsWith('hall.') && row.targetType === 'attempt' && !row.action.startsWith('hall.note')) {
    return { kind: 'proctor_action', what: label(row.action.slice('hall.'.length)) };
  }
  if (row.action === 'alert.action') return { kind: 'alert_action', what: `${label(d.type)}: ${label(d.action)}` };
  if (row.action.startsWith('alert.')) {
    return { kind: 'alert_review', what: `${label(d.type)}: ${label(row.action.slice('alert.'.length))}` };
  }
  if (row.action === 'review.decide') return { kind: 'decision', what: label(d.status) };
  if (row.action === 'review.appeal') return { kind: 'appeal', what: 'appeal sent' };
  if (row.action === 'review.appeal_resolved') return { kind: 'appeal_resolved', what: label(d.outcome) };
  return null;
}

export function alertDto(a: AlertRow): AttemptAlert {
  return {
    id: a.id,
    type: a.type,
    severity: a.severity,
    occurredAt: a.occurredAt.toISOString(),
    reviewStatus: a.reviewStatus,
    action: a.action,
    actionBy: a.actionById ? { id: a.actionById, name: a.actionByName ?? '' } : null,
    actionAt: a.actionAt?.toISOString() ?? null,
  };
}

export function appealDto(a: AttemptAppeal) {
  return {
    id: a.id,
    attemptId: a.attemptId,
    status: a.status,
    message: a.message,
    createdAt: a.createdAt.toISOString(),
    resolutionNote: a.resolutionNote,
    resolvedAt: a.resolvedAt?.toISOString() ?? null,
  };
}

/** When the attempt ended: its submission, or the proctor's termination. */
export function endedAtOf(attempt: { submittedAt: Date | null }, audit: AuditRow[]): Date | null {
  return attempt.submittedAt ?? audit.find((r) => r.action === 'hall.terminate')?.createdAt ?? null;
}

export function buildTrail(
  a: repo.ReviewedAttempt,
  alerts: AlertRow[],
  audit: AuditRow[],
): { trail: AttemptTrail['trail']; endedAt: Date | null } {
  const steps: (TrailEntry & { order: number })[] = [];
  let order = 0;
  for (const alert of alerts) {
    steps.push({
      at: alert.occurredAt.toISOString(),
      kind: 'alert',
      by: null,
      what: `${label(alert.type)} (${alert.severity})`,
      order: order++,
    });
  }
  for (const row of audit) {
    const step = stepOf(row);
    if (!step) continue;
    const by = row.actorId ? { id: row.actorId, name: row.actorName ?? '' } : null;
    steps.push({ ...step, at: row.createdAt.toISOString(), by, order: order++ });
  }
  const endedAt = endedAtOf(a.attempt, audit);
  // The end comes from the row itself (submission or expiry, by the student or the clock).
  if (a.attempt.submittedAt) {
    steps.push({
      at: a.attempt.submittedAt.toISOString(),
      kind: 'ended',
      by: null,
      what: a.attempt.status === 'expired' ? 'time ran out' : 'submitted',
      order: order++,
    });
  }
  if (a.attempt.manualReviewRequired) {
    steps.push({
      at: (endedAt ?? a.attempt.updatedAt).toISOString(),
      kind: 'review_required',
      by: null,
      what: `risk score reached the review threshold (${a.exam.reviewRiskThreshold})`,
      order,
    });
  }
  steps.sort((x, y) => x.at.localeCompare(y.at) || x.order - y.order);
  return { trail: steps.map(({ order: _order, ...s }) => s), endedAt };
}
