// Accommodations per participant: extra time (minutes and/or percent of the duration), an
// own window and extra attempts. The exam's teachers and admins set and clear them
// (loadExamFor: 404 for anyone else); proctors who may watch the exam read them. A change
// reaches a running attempt at once (attempts/attempts.accommodation.ts): its deadline
// moves by the difference, its expiry job follows, and the student is told why.
import { and, eq, or, gt, isNotNull, sql } from 'drizzle-orm';
import {
  ACCOMMODATION_CLOCK_REASON,
  type Accommodation,
  type AccommodationList,
  type AccommodationSaved,
  type AccommodationValues,
} from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import { examParticipants, type ExamParticipant } from '../../db/schema/index.ts';
import { notFound } from '../../http/errors.ts';
import { bestEffort } from '../../lib/best-effort.ts';
import type { Actor, Caller } from '../../policy/actor.ts';
import * as audit from '../audit/audit.service.ts';
import { auditContextOf } from '../audit/audit.context.ts';
import { applyToRunningAttempt, extraSecondsFor, lobbyAttemptOf } from '../attempts/attempts.accommodation.ts';
import type { ExpiryScheduler } from '../attempts/attempts.jobs.ts';
import { loadExamFor, loadWatchableExam } from '../exams/exams.service.ts';
import type { HallPublisher } from '../hall/hall.events.ts';
import { hallRows } from '../hall/hall.repository.ts';
import { assertNotArchived } from './participants.code-sheets.ts';
import * as repo from './participants.repository.ts';

const NONE: AccommodationValues = {
  extraTimeMinutes: 0,
  extraTimePercent: 0,
  windowStartsAt: null,
  windowEndsAt: null,
  extraAttempts: 0,
};

export function toAccommodationDto(p: ExamParticipant): Accommodation {
  return {
    participantId: p.id,
    extraTimeMinutes: p.extraTimeMinutes,
    extraTimePercent: p.extraTimePercent,
    windowStartsAt: p.windowStartsAt?.toISOString() ?? null,
    windowEndsAt: p.windowEndsAt?.toISOString() ?? null,
    extraAttempts: p.extraAttempts,
    updatedAt: p.accommodationUpdatedAt?.toISOString() ?? null,
  };
}

export function createAccommodationService(deps: {
  db: Db;
  secret: string;
  publish: HallPublisher;
  expiry: ExpiryScheduler;
}) {
  const { db, secret, publish, expiry } = deps;

  /** Replaces the participant's accommodation; `values` all zero / null clears it. */
  async function save(caller: Caller, examId: string, participantId: string, values: AccommodationValues) {
    const outcome = await db.transaction(async (tx) => {
      const exam = await loadExamFor(tx, caller.actor, examId);
      assertNotArchived(exam, 'accommodations can no longer be changed');
      const before = await repo.findParticipant(tx, examId, participantId, { forUpdate: true });
      if (!before) throw notFound('Participant');
      const [after] = await tx
        .update(examParticipants)
        .set({
          extraTimeMinutes: values.extraTimeMinutes,
          extraTimePercent: values.extraTimePercent,
          windowStartsAt: values.windowStartsAt ? new Date(values.windowStartsAt) : null,
          windowEndsAt: values.windowEndsAt ? new Date(values.windowEndsAt) : null,
          extraAttempts: values.extraAttempts,
          accommodationUpdatedAt: sql`now()`,
        })
        .where(eq(examParticipants.id, participantId))
        .returning();
      const applied = await applyToRunningAttempt(tx, participantId, extraSecondsFor(exam, after!));
      // Amounts only: no reason, no free text (personal data minimised).
      await audit.record(tx, auditContextOf(secret, caller), {
        action: 'participant.accommodation_set',
        targetType: 'exam_participant',
        targetId: participantId,
        details: {
          examId,
          extraTimeMinutes: values.extraTimeMinutes,
          extraTimePercent: values.extraTimePercent,
          ownWindow: values.windowStartsAt !== null,
          extraAttempts: values.extraAttempts,
          ...(applied ? { attemptId: applied.attempt.id, deltaSeconds: applied.deltaSeconds } : {}),
        },
      });
      return { participant: after!, applied };
    });
    const { participant, applied } = outcome;
    if (applied) {
      // Committed: the student hears of it and the expiry job moves; best effort (the sweep re-arms).
      const { attempt, deltaSeconds } = applied;
      publish.clock(attempt, ACCOMMODATION_CLOCK_REASON, {
        deltaSeconds,
        accommodation: {
          extraTimeMinutes: participant.extraTimeMinutes,
          extraTimePercent: participant.extraTimePercent,
        },
      });
      if (attempt.status === 'in_progress') await bestEffort(expiry.schedule(attempt.id, attempt.deadlineAt!), 1000);
    } else {
      // A student waiting in the lobby sees their new time there at once.
      await bestEffort(
        lobbyAttemptOf(db, participantId).then((a) => a && publish.clock(a, ACCOMMODATION_CLOCK_REASON)),
        1000,
      );
    }
    await bestEffort(
      hallRows(db, examId, participantId).then(([row]) => row && publish.row(examId, row)),
      1000,
    );
    return {
      accommodation: toAccommodationDto(participant),
      applied: applied
        ? {
            attemptId: applied.attempt.id,
            deltaSeconds: applied.deltaSeconds,
            deadlineAt: applied.attempt.deadlineAt?.toISOString() ?? null,
          }
        : null,
    } satisfies AccommodationSaved;
  }

  return {
    /** Every participant of the exam who has an accommodation (teachers, admins, and proctors of the exam). */
    async list(actor: Actor, examId: string): Promise<AccommodationList> {
      await loadWatchableExam(db, actor, examId);
      const rows = await db
        .select()
        .from(examParticipants)
        .where(
          and(
            eq(examParticipants.examId, examId),
            or(
              gt(examParticipants.extraTimeMinutes, 0),
              gt(examParticipants.extraTimePercent, 0),
              gt(examParticipants.extraAttempts, 0),
              isNotNull(examParticipants.windowStartsAt),
            ),
          ),
        )
        .orderBy(examParticipants.email);
      return { accommodations: rows.map(toAccommodationDto) };
    },

    async get(actor: Actor, examId: string, participantId: string): Promise<Accommodation> {
      await loadWatchableExam(db, actor, examId);
      const p = await repo.findParticipant(db, examId, participantId);
      if (!p) throw notFound('Participant');
      return toAccommodationDto(p);
    },

    set: save,

    clear(caller: Caller, examId: string, participantId: string) {
      return save(caller, examId, participantId, NONE);
    },
  };
}
export type AccommodationService = ReturnType<typeof createAccommodationService>;
