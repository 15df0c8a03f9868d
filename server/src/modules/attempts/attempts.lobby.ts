// The lobby: an attempt that was entered (its access code is spent, its cookie set) but
// whose clock has not started. The student reads the rules there and begins it; in the
// exam's 'proctor' start mode only once a proctor has opened the hall, which tells every
// waiting lobby at once (an `attempt:clock` push with reason `hall_opened`).
//
// Beginning locks the attempt row: of any number of concurrent begins exactly one starts
// the clock, the others (and any later reload) get the same running attempt back. A begin
// with nothing in its way takes the fast path first (attempts.fast-start.ts). A lobby
// whose exam closed (window ended, archived, deleted) ends as `abandoned`, by the next
// begin or by the expiry sweep (sweepClosedLobbies), never as a running attempt.
import { and, eq, inArray, isNotNull, or, sql } from 'drizzle-orm';
import { HALL_OPENED_REASON, type AttemptLobby, type AttemptResponse, type HallLobby } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import { attempts, examParticipants, exams, type Attempt, type Exam } from '../../db/schema/index.ts';
import { AppError, notFound } from '../../http/errors.ts';
import { bestEffort } from '../../lib/best-effort.ts';
import { ownsAttempt, type AttemptPrincipal } from '../../policy/access.ts';
import type { Actor, Caller } from '../../policy/actor.ts';
import * as audit from '../audit/audit.service.ts';
import { auditContextOf } from '../audit/audit.context.ts';
import { loadWatchableExam, proctoringOf } from '../exams/exams.service.ts';
import type { HallPublisher } from '../hall/hall.events.ts';
import { hallRows } from '../hall/hall.repository.ts';
import type { RowPusher } from '../hall/hall.rows.ts';
import type { ExpiryScheduler } from './attempts.jobs.ts';
import { keyedHash } from '../../lib/crypto.ts';
import { toSummary, type StartContext } from './attempts.service.ts';
import { transitionAttempt } from './attempts.state.ts';
import {
  accommodationOf,
  clockAtStart,
  examForParticipant,
  recordStartAccommodation,
  summaryOf,
} from './attempts.accommodation.ts';
import { assertBrowserAllowed } from './attempts.browser-check.ts';
import { lockedAttemptWithAccommodation, lockedExam } from './attempts.start.repository.ts';
import { cameraStartGate, type CameraService } from '../camera/camera.service.ts';
import { createFastStart } from './attempts.fast-start.ts';

/** Whether the clock may start: a student-started exam, or a proctor-started one whose hall is open. */
export const canBegin = (exam: Pick<Exam, 'startMode' | 'hallOpenedAt'>) =>
  exam.startMode === 'student' || exam.hallOpenedAt !== null;

/** Why a lobby can never start now (its exam is over), or null. */
export function lobbyClosedReason(exam: Exam, now = new Date()): string | null {
  if (exam.deletedAt || exam.status === 'archived') return 'This exam has been closed.';
  if (!exam.availableAnytime && exam.endsAt && now >= exam.endsAt) {
    return `This exam closed at ${exam.endsAt.toISOString()} before your attempt started.`;
  }
  return null;
}

/** Ends one lobby attempt whose exam closed; answers the ended row, or null if it was no longer in the lobby. */
async function closeLobby(db: Db, attemptId: string): Promise<Attempt | null> {
  try {
    return await db.transaction(async (tx) => {
      const ended = await transitionAttempt(tx, attemptId, 'abandoned', {
        reason: 'exam_closed',
        onlyFrom: ['not_started'],
      });
      await audit.record(
        tx,
        { actorRole: 'system' },
        {
          action: 'attempt.lobby_closed',
          targetType: 'attempt',
          targetId: ended.id,
          details: { examId: ended.examId },
        },
      );
      return ended;
    });
  } catch (e) {
    if (e instanceof AppError && e.code === 'invalid_transition') return null;
    throw e;
  }
}

async function announceEnd(db: Db, publish: HallPublisher, a: Attempt) {
  publish.ended(a.id, a.status, 'exam_closed');
  const [row] = await hallRows(db, a.examId, a.participantId);
  if (row) publish.row(a.examId, row);
}

/**
 * For the expiry sweep: ends the lobbies of exams that closed (window over, archived,
 * deleted), so nobody waits in a lobby that can no longer start. Answers how many.
 */
export async function sweepClosedLobbies(db: Db, publish: HallPublisher, limit = 500): Promise<number> {
  const due = await db
    .select({ id: attempts.id })
    .from(attempts)
    .innerJoin(exams, eq(exams.id, attempts.examId))
    .innerJoin(examParticipants, eq(examParticipants.id, attempts.participantId))
    .where(
      and(
        eq(attempts.status, 'not_started'),
        or(
          isNotNull(exams.deletedAt),
          eq(exams.status, 'archived'),
          // A participant's own window (accommodation) replaces the exam's.
          sql`coalesce(${examParticipants.windowEndsAt}, case when not ${exams.availableAnytime} then ${exams.endsAt} end) <= now()`,
        ),
      ),
    )
    .limit(limit);
  let closed = 0;
  for (const { id } of due) {
    const ended = await closeLobby(db, id);
    if (!ended) continue;
    closed++;
    await bestEffort(announceEnd(db, publish, ended), 1000);
  }
  return closed;
}

export function createLobby(deps: {
  db: Db;
  secret: string;
  publish: HallPublisher;
  expiry: ExpiryScheduler;
  camera: Pick<CameraService, 'deniedAtStart'>;
  /** The started student's row reaches the proctors within a second (batched per exam). */
  rows: Pick<RowPusher, 'pushRowSoon'>;
}) {
  const { db, secret, publish, expiry, camera, rows } = deps;
  const fast = createFastStart({ db, secret });

  /** After commit; best effort: the clock runs whatever Redis says (the sweep re-arms lost jobs). */
  async function started(attempt: { id: string; examId: string; participantId: string; deadlineAt: Date | null }) {
    await bestEffort(expiry.schedule(attempt.id, attempt.deadlineAt!), 1000);
    rows.pushRowSoon(attempt);
  }

  async function ownAttempt(attemptId: string, who: AttemptPrincipal) {
    const [row] = await db
      .select({ attempt: attempts, exam: exams })
      .from(attempts)
      .innerJoin(exams, eq(exams.id, attempts.examId))
      .where(eq(attempts.id, attemptId));
    if (!row || !ownsAttempt(who, row.attempt)) throw notFound('Attempt');
    return row;
  }

  return {
    /** What the lobby shows: the exam's rules, and whether Start works now. */
    async lobby(attemptId: string, who: AttemptPrincipal): Promise<AttemptLobby> {
      const { attempt, exam: examRow } = await ownAttempt(attemptId, who);
      // The student's own window and extra attempts replace the exam's; their extra time is shown.
      const acc = await accommodationOf(db, attempt.participantId);
      const exam = examForParticipant(examRow, acc);
      return {
        accommodation: summaryOf(exam, acc),
        attempt: toSummary(attempt, exam),
        exam: {
          title: exam.title,
          description: exam.description,
          instructions: exam.instructions,
          durationMinutes: exam.durationMinutes,
          questionCount: attempt.questionOrder.length,
          maxAttempts: exam.maxAttempts,
          endsAt: exam.availableAnytime ? null : (exam.endsAt?.toISOString() ?? null),
          startMode: exam.startMode,
          hallOpen: exam.hallOpenedAt !== null,
          proctoring: proctoringOf(exam),
          disconnectPolicy: exam.disconnectPolicy,
          disconnectCreditMaxMinutes: exam.disconnectCreditMaxMinutes,
        },
        canBegin: attempt.status === 'not_started' && canBegin(exam) && !lobbyClosedReason(exam),
        serverTime: new Date().toISOString(),
      };
    },

    /**
     * Starts the clock of a lobby attempt, once: a repeated or concurrent begin answers the
     * running attempt unchanged (`began: false`). Refused with 409 `hall_not_open` while a
     * proctor-started exam waits for its proctor.
     */
    async begin(
      attemptId: string,
      who: AttemptPrincipal,
      ctx: StartContext,
    ): Promise<{ response: AttemptResponse; began: boolean }> {
      // Two statements when nothing stands in the way (attempts.fast-start.ts); otherwise the
      // transaction below decides, and says why not.
      const quick = await fast.begin(attemptId, who, ctx);
      if (quick) {
        await started(quick.attempt);
        return { response: quick.response, began: true };
      }
      const outcome = await db.transaction(async (tx) => {
        // Row lock: concurrent begins queue here, and each sees the previous one's result. The
        // participant's accommodations come along; only its student gets past the 404.
        const locked = await lockedAttemptWithAccommodation(tx, attemptId);
        if (!locked || !ownsAttempt(who, locked.attempt)) throw notFound('Attempt');
        const { attempt: a, acc } = locked;
        // Shared lock: exam edits (which lock it for update) wait until this begin is committed.
        const exam = await lockedExam(tx, a.examId);
        if (!exam) throw notFound('Attempt');
        if (a.status === 'in_progress' || a.status === 'paused') return { attempt: a, exam, began: false, gate: null };
        if (a.status !== 'not_started') {
          throw new AppError(
            409,
            'invalid_transition',
            `This attempt has already ended (${a.status.replace('_', ' ')}); it cannot start again.`,
          );
        }
        const closed = lobbyClosedReason(examForParticipant(exam, acc));
        if (closed) return { attempt: a, exam, began: false, closed, gate: null };
        assertBrowserAllowed(exam.proctoring, ctx.userAgent);
        if (!canBegin(exam)) {
          throw new AppError(
            409,
            'hall_not_open',
            'Your proctor has not opened the hall yet. Stay on this page: the exam starts as soon as they do.',
          );
        }
        // Camera proctoring: 409 camera_check_required (policy block), or an alert after commit (policy alert).
        const gate = cameraStartGate(exam, a).deniedSignal;
        // The participant's extra time lengthens the clock (and the latest deadline) from the start.
        const clock = clockAtStart(exam, acc);
        const started = await transitionAttempt(tx, a.id, 'in_progress', {
          durationSeconds: clock.durationSeconds,
          notAfter: clock.notAfter,
          onlyFrom: ['not_started'],
        });
        await recordStartAccommodation(tx, started.id, clock.accommodationSeconds);
        await audit.record(
          tx,
          {
            actorId: a.userId,
            actorRole: who.actor?.role ?? 'student',
            ipHash: keyedHash(secret, 'ip', ctx.ip),
            requestId: ctx.requestId ?? null,
          },
          {
            action: 'attempt.started',
            targetType: 'attempt',
            targetId: started.id,
            details: {
              examId: exam.id,
              attemptNumber: started.attemptNumber,
              startMode: exam.startMode,
              ...(gate ? { camera: gate } : {}),
            },
          },
        );
        return { attempt: started, exam, began: true, gate };
      });
      if ('closed' in outcome && outcome.closed) {
        // The exam is over: the lobby ends now (audited), and the student is told why.
        const ended = await closeLobby(db, attemptId);
        if (ended) await bestEffort(announceEnd(db, publish, ended), 1000);
        throw new AppError(403, 'exam_not_available', outcome.closed);
      }
      const { attempt, exam, began, gate } = outcome;
      if (began && gate) await bestEffort(camera.deniedAtStart(attempt, gate), 2000);
      if (began) await started(attempt);
      return { response: { attempt: toSummary(attempt, exam), serverTime: new Date().toISOString() }, began };
    },

    /** The hall's view of the lobby: start mode, whether the hall is open, how many wait. */
    async hallLobby(actor: Actor, examId: string): Promise<HallLobby> {
      const exam = await loadWatchableExam(db, actor, examId);
      return lobbyState(db, exam);
    },

    /**
     * A proctor, the teacher or an admin opens the hall of a proctor-started exam: every
     * waiting lobby is told at once and begins; later arrivals can start by themselves.
     * Idempotent: opening an open hall changes nothing and records nothing.
     */
    async openHall(caller: Caller, examId: string): Promise<HallLobby> {
      await loadWatchableExam(db, caller.actor, examId);
      const opened = await db.transaction(async (tx) => {
        const [exam] = await tx.select().from(exams).where(eq(exams.id, examId)).for('update');
        if (!exam) throw notFound('Exam');
        if (exam.startMode !== 'proctor') {
          throw new AppError(
            409,
            'conflict',
            'Students start this exam themselves from the lobby: there is no hall to open. Set the start mode to "proctor" in the exam settings to start everyone together.',
          );
        }
        if (exam.status !== 'published' || exam.deletedAt) {
          throw new AppError(409, 'conflict', 'Only a published exam can be opened.');
        }
        if (exam.hallOpenedAt) return { exam, changed: false };
        const [updated] = await tx
          .update(exams)
          .set({ hallOpenedAt: sql`now()` })
          .where(eq(exams.id, exam.id))
          .returning();
        const [{ waiting }] = (await tx
          .select({ waiting: sql<number>`count(*)::int` })
          .from(attempts)
          .where(and(eq(attempts.examId, exam.id), eq(attempts.status, 'not_started')))) as [{ waiting: number }];
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'exam.hall_opened',
          targetType: 'exam',
          targetId: exam.id,
          details: { waiting },
        });
        return { exam: updated!, changed: true };
      });
      if (opened.changed) {
        // After commit: nobody starts on an opening that could still roll back.
        await bestEffort(
          db
            .select()
            .from(attempts)
            .where(and(eq(attempts.examId, examId), inArray(attempts.status, ['not_started'])))
            .then((waiting) => {
              for (const a of waiting) publish.clock(a, HALL_OPENED_REASON);
            }),
          1000,
        );
      }
      return lobbyState(db, opened.exam);
    },
  };
}

async function lobbyState(db: Db, exam: Exam): Promise<HallLobby> {
  const [{ waiting }] = (await db
    .select({ waiting: sql<number>`count(*)::int` })
    .from(attempts)
    .where(and(eq(attempts.examId, exam.id), eq(attempts.status, 'not_started')))) as [{ waiting: number }];
  return {
    examId: exam.id,
    startMode: exam.startMode,
    hallOpenedAt: exam.hallOpenedAt?.toISOString() ?? null,
    waiting,
  };
}
