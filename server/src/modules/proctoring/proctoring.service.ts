// Proctoring signals from the student page (and the server's own, like a second
// device), stored with a severity, pushed to the exam's proctors, and summed into
// the attempt's risk score with a breakdown a proctor can read.
import {
  SIGNAL_WEIGHTS,
  type AlertAction,
  type ProctorSignalType,
  type ProctoringEventDto,
  type RiskBreakdown,
} from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import type { ProctoringEvent } from '../../db/schema/index.ts';
import { badRequest, notFound } from '../../http/errors.ts';
import * as audit from '../audit/audit.service.ts';
import { auditContextOf } from '../audit/audit.context.ts';
import type { Caller } from '../../policy/actor.ts';
import type { HallPublisher } from '../hall/hall.events.ts';
import { loadWatchableExam } from '../exams/exams.service.ts';
import * as repo from './proctoring.repository.ts';
import { attachEvidence } from '../camera/evidence.repository.ts';
import { severityFor } from './proctoring.strict.ts';

export function toEventDto(e: ProctoringEvent): ProctoringEventDto {
  return {
    id: e.id,
    attemptId: e.attemptId,
    userId: e.userId,
    type: e.type,
    severity: e.severity,
    occurredAt: e.occurredAt.toISOString(),
    reviewStatus: e.reviewStatus,
    details: e.details,
    confidence: e.confidence ?? null,
  };
}

/**
 * Dismissed alerts do not count; everything else does, by type, each alert's points scaled
 * by its confidence (alerts without one count in full), capped at 100.
 */
export async function riskOf(db: Db | Tx, attemptId: string): Promise<RiskBreakdown> {
  return breakdownOf(await repo.countsByType(db, attemptId));
}

/** The risk rule above, from the attempt's counts by type. */
export function breakdownOf(rows: repo.TypeCount[]): RiskBreakdown {
  const round2 = (n: number) => Math.round(n * 100) / 100;
  const items = rows
    .map((r) => {
      const weight = SIGNAL_WEIGHTS[r.type as ProctorSignalType]?.weight ?? 0;
      const points = round2(Number(r.weighted) * weight);
      // The mean confidence only where the alerts carry one (camera signals).
      if (r.confidence === null) return { type: r.type, count: r.count, weight, points };
      return { type: r.type, count: r.count, weight, points, confidence: round2(Number(r.confidence)) };
    })
    .sort((a, b) => b.points - a.points);
  const score = Math.min(100, Math.round(items.reduce((s, i) => s + i.points, 0)));
  return { score, items };
}

export function createProctoringService(deps: { db: Db; secret: string; publish: HallPublisher }) {
  const { db, secret, publish } = deps;

  async function updateRisk(attemptId: string, db: Db | Tx = deps.db) {
    const risk = await riskOf(db, attemptId);
    await repo.setRiskScore(db, attemptId, risk.score);
    return risk;
  }

  /**
   * Stores a signal once (by clientEventId), with the detector's confidence (camera signals),
   * and tells the proctors. Answers the new event, or null for a repeat.
   */
  async function recordEvent(
    attempt: { id: string; examId: string; userId: string },
    type: ProctorSignalType,
    details: Record<string, unknown>,
    clientEventId?: string,
    opts: { confidence?: number | undefined } = {},
  ): Promise<ProctoringEventDto | null> {
    // One round trip stores the alert (strict mode read in the same statement) and counts
    // the attempt's alerts: the proctors hear of it as soon as it is committed.
    const stored = await repo.insertEventCounted(db, {
      attemptId: attempt.id,
      examId: attempt.examId,
      userId: attempt.userId,
      type,
      normal: severityFor(type, false),
      raised: severityFor(type, true),
      details,
      confidence: opts.confidence ?? null,
      clientEventId: clientEventId ?? null,
    });
    if (!stored) return null;
    const risk = breakdownOf(stored.counts);
    const dto = toEventDto(stored.event);
    publish.alert(attempt.examId, dto, risk);
    // Then the score on the attempt, from the same counts unless another alert or a review
    // came in between (then counted afresh, as a review does).
    if (!(await repo.setRiskScoreIfUnchanged(db, attempt.id, risk.score, stored.counted))) await updateRisk(attempt.id);
    return dto;
  }

  return {
    riskOf: (attemptId: string) => riskOf(db, attemptId),

    /**
     * Records what was done about one alert of the attempt (seed 003 alert action), with its
     * audit row, inside the caller's transaction; the caller has checked that the actor may
     * watch the attempt's exam. 404 when the alert is not this attempt's.
     */
    async recordAction(tx: Tx, caller: Caller, eventId: string, attemptId: string, action: AlertAction) {
      const row = await repo.setAction(tx, eventId, attemptId, action, caller.actor.userId);
      if (!row) throw notFound('Alert');
      await audit.record(tx, auditContextOf(secret, caller), {
        action: 'alert.action',
        targetType: 'proctoring_event',
        targetId: eventId,
        details: { attemptId, type: row.type, action },
      });
      return row;
    },

    /** Stores a signal once (by clientEventId) and tells the proctors. Answers whether it was new. */
    async record(
      attempt: { id: string; examId: string; userId: string },
      type: ProctorSignalType,
      details: Record<string, unknown>,
      clientEventId?: string,
    ): Promise<boolean> {
      return (await recordEvent(attempt, type, details, clientEventId)) !== null;
    },

    recordEvent,

    async review(
      caller: Caller,
      eventId: string,
      status: 'acknowledged' | 'dismissed' | 'flagged',
      note: string | undefined,
    ): Promise<ProctoringEventDto> {
      const event = await repo.findEvent(db, eventId);
      if (!event) throw notFound('Alert');
      await loadWatchableExam(db, caller.actor, event.examId);
      // The review, its audit row and the new risk score commit together; proctors hear of it after.
      const updated = await db.transaction(async (tx) => {
        const [row] = await repo.reviewEvents(tx, [eventId], {
          reviewStatus: status,
          reviewedBy: caller.actor.userId,
          reviewedAt: new Date(),
          reviewNote: note ?? null,
        });
        await audit.record(tx, auditContextOf(secret, caller), {
          action: `alert.${status}`,
          targetType: 'proctoring_event',
          targetId: eventId,
          details: { attemptId: event.attemptId, type: event.type },
        });
        await updateRisk(event.attemptId, tx);
        return row!;
      });
      // With its evidence frame: the hall replaces the alert it shows with this one.
      const dto = (await attachEvidence(db, [toEventDto(updated)]))[0]!;
      publish.alertReviewed(event.examId, dto);
      return dto;
    },

    /**
     * Several alerts of one exam at once (the list is bounded by the schema): every review,
     * its audit row and the new risk scores in one transaction; proctors hear of it after.
     * Answers the reviewed events; the caller refreshes the affected attempts' rows.
     */
    async reviewMany(
      caller: Caller,
      eventIds: string[],
      status: 'acknowledged' | 'dismissed',
    ): Promise<ProctoringEventDto[]> {
      const ids = [...new Set(eventIds)];
      const found = await repo.examsOfEvents(db, ids);
      if (found.length !== ids.length) throw notFound('Alert');
      const examIds = [...new Set(found.map((f) => f.examId))];
      if (examIds.length !== 1)
        throw badRequest('Review alerts of one exam at a time.', [
          { path: 'eventIds', message: 'belong to more than one exam' },
        ]);
      await loadWatchableExam(db, caller.actor, examIds[0]!);
      const ctx = auditContextOf(secret, caller);
      const updated = await db.transaction(async (tx) => {
        const rows = await repo.reviewEvents(tx, ids, {
          reviewStatus: status,
          reviewedBy: caller.actor.userId,
          reviewedAt: new Date(),
          reviewNote: null,
        });
        for (const row of rows) {
          await audit.record(tx, ctx, {
            action: `alert.${status}`,
            targetType: 'proctoring_event',
            targetId: row.id,
            details: { attemptId: row.attemptId, type: row.type, bulk: true },
          });
        }
        for (const attemptId of new Set(rows.map((r) => r.attemptId))) await updateRisk(attemptId, tx);
        return rows;
      });
      const dtos = await attachEvidence(db, updated.map(toEventDto));
      for (const dto of dtos) publish.alertReviewed(examIds[0]!, dto);
      return dtos;
    },
  };
}
export type ProctoringService = ReturnType<typeof createProctoringService>;
