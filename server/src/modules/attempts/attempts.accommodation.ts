// A participant's accommodation as the attempt sees it: the exam through their own window
// and extra attempts (for the start and lobby checks), the extra seconds added to the
// deadline at the start, and the live move of a running attempt's deadline when a teacher
// changes the extra time. The teacher's side (set, clear, list) is
// participants/participants.accommodations.ts.
import { and, eq, inArray, sql } from 'drizzle-orm';
import {
  MIN_SECONDS_LEFT_AFTER_TAKING,
  accommodationSeconds,
  hasAccommodation,
  type AccommodationSummary,
} from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import { attempts, examParticipants, type Attempt, type Exam, type ExamParticipant } from '../../db/schema/index.ts';

export type ParticipantAccommodation = Pick<
  ExamParticipant,
  'extraTimeMinutes' | 'extraTimePercent' | 'windowStartsAt' | 'windowEndsAt' | 'extraAttempts'
>;

type WindowedExam = Pick<Exam, 'availableAnytime' | 'startsAt' | 'endsAt' | 'maxAttempts'>;

/**
 * The exam as this participant may take it: their own window (when set) replaces the
 * exam's, even for an exam available anytime, and their extra attempts add to the maximum.
 */
export function examForParticipant<E extends WindowedExam>(exam: E, p: ParticipantAccommodation | null | undefined): E {
  if (!p) return exam;
  const own = p.windowStartsAt && p.windowEndsAt;
  return {
    ...exam,
    ...(own ? { availableAnytime: false, startsAt: p.windowStartsAt, endsAt: p.windowEndsAt } : {}),
    maxAttempts: exam.maxAttempts + p.extraAttempts,
  };
}

/** The participant's extra time for this exam, in seconds (minutes + percent of the duration). */
export function extraSecondsFor(exam: Pick<Exam, 'durationMinutes'>, p: ParticipantAccommodation | null | undefined) {
  return p ? accommodationSeconds(exam.durationMinutes, p) : 0;
}

/**
 * What starting the clock needs: the duration with the extra time, and the latest the
 * deadline may fall on (the window's end, own or the exam's, plus the extra time, so a
 * student who starts at the last moment still gets their share).
 */
export function clockAtStart(
  exam: Pick<Exam, 'availableAnytime' | 'startsAt' | 'endsAt' | 'maxAttempts' | 'durationMinutes'>,
  p: ParticipantAccommodation | null | undefined,
) {
  const seen = examForParticipant(exam, p);
  const extra = extraSecondsFor(exam, p);
  const end = seen.availableAnytime ? null : seen.endsAt;
  return {
    accommodationSeconds: extra,
    durationSeconds: exam.durationMinutes * 60 + extra,
    notAfter: end ? new Date(end.getTime() + extra * 1000) : null,
  };
}

/** The participant's accommodation columns, for a select (alone, or beside its attempt or exam). */
export const ACCOMMODATION_COLUMNS = {
  extraTimeMinutes: examParticipants.extraTimeMinutes,
  extraTimePercent: examParticipants.extraTimePercent,
  windowStartsAt: examParticipants.windowStartsAt,
  windowEndsAt: examParticipants.windowEndsAt,
  extraAttempts: examParticipants.extraAttempts,
};

/** The participant's accommodation columns, or null when the participant is gone. */
export async function accommodationOf(db: Db | Tx, participantId: string): Promise<ParticipantAccommodation | null> {
  const [row] = await db
    .select(ACCOMMODATION_COLUMNS)
    .from(examParticipants)
    .where(eq(examParticipants.id, participantId));
  return row ?? null;
}

/** What the student (lobby) and the hall are shown; null when the participant has none. */
export function summaryOf(
  exam: Pick<Exam, 'durationMinutes'>,
  p: ParticipantAccommodation | null | undefined,
): AccommodationSummary | null {
  if (!p || !hasAccommodation(p)) return null;
  return {
    extraTimeMinutes: p.extraTimeMinutes,
    extraTimePercent: p.extraTimePercent,
    extraSeconds: extraSecondsFor(exam, p),
    windowStartsAt: p.windowStartsAt?.toISOString() ?? null,
    windowEndsAt: p.windowEndsAt?.toISOString() ?? null,
    extraAttempts: p.extraAttempts,
  };
}

/** Records the extra seconds a just-started attempt's deadline includes (same transaction as the start). */
export async function recordStartAccommodation(tx: Tx, attemptId: string, seconds: number): Promise<void> {
  if (seconds > 0) await tx.update(attempts).set({ accommodationSeconds: seconds }).where(eq(attempts.id, attemptId));
}

/**
 * Moves the participant's running (or paused) attempt's deadline by the change of its
 * extra time, at once: never to less than a minute left (counted from now, or from when
 * the clock stopped for a paused attempt), as when a proctor takes time. Answers the row
 * and how far the deadline really moved, or null when no attempt is running.
 */
export async function applyToRunningAttempt(
  tx: Tx,
  participantId: string,
  newSeconds: number,
): Promise<{ attempt: Attempt; deltaSeconds: number } | null> {
  const [running] = await tx
    .select()
    .from(attempts)
    .where(and(eq(attempts.participantId, participantId), inArray(attempts.status, ['in_progress', 'paused'])))
    .for('update');
  if (!running?.deadlineAt) return null;
  const wanted = newSeconds - running.accommodationSeconds;
  const floor = sql`coalesce(${attempts.pausedAt}, now()) + make_interval(secs => ${MIN_SECONDS_LEFT_AFTER_TAKING})`;
  const [moved] = await tx
    .update(attempts)
    .set({
      accommodationSeconds: newSeconds,
      deadlineAt: sql`greatest(${attempts.deadlineAt} + make_interval(secs => ${wanted}), least(${attempts.deadlineAt}, ${floor}))`,
    })
    .where(eq(attempts.id, running.id))
    .returning();
  const deltaSeconds = Math.round((moved!.deadlineAt!.getTime() - running.deadlineAt.getTime()) / 1000);
  return { attempt: moved!, deltaSeconds };
}

/** The participant's attempt waiting in the lobby, if any (told to refresh its time after a change). */
export async function lobbyAttemptOf(db: Db | Tx, participantId: string): Promise<Attempt | undefined> {
  const [a] = await db
    .select()
    .from(attempts)
    .where(and(eq(attempts.participantId, participantId), eq(attempts.status, 'not_started')));
  return a;
}
