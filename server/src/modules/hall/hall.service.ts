// The live hall: what a student's browser gets on joining, how answers are saved
// without loss, submission, presence, and what proctors see and do. The clock is
// the attempt row's deadline; every change to it is pushed to the student at once.
import { and, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import { MIN_SECONDS_LEFT_AFTER_TAKING } from '@exam-hall/protocol';
import type {
  AttemptSnapshot,
  HallAction,
  HallBulk,
  HallBulkReply,
  HallRow,
  HallSnapshot,
  SaveAck,
  SaveAnswer,
} from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import { attempts, exams, presence, proctoringEvents, zoomMeetings, type Attempt } from '../../db/schema/index.ts';
import { AppError, badRequest, notFound } from '../../http/errors.ts';
import { keyedHash } from '../../lib/crypto.ts';
import { bestEffort } from '../../lib/best-effort.ts';
import * as audit from '../audit/audit.service.ts';
import { auditContextOf } from '../audit/audit.context.ts';
import type { Caller } from '../../policy/actor.ts';
import { transitionAttempt } from '../attempts/attempts.state.ts';
import { studentQuestions } from '../questions/questions.student.ts';
import { checkResponse } from '../questions/types/index.ts';
import type { ProctoringService } from '../proctoring/proctoring.service.ts';
import { toEventDto } from '../proctoring/proctoring.service.ts';
import { loadOwnAttempt, loadWatchableExam, type HallPrincipal } from './hall.access.ts';
import { toClock, type HallPublisher } from './hall.events.ts';
import { createAttemptNotes } from './hall.notes.ts';
import * as repo from './hall.repository.ts';
import type { GradingQueue } from '../grading/grading.jobs.ts';

/** What a socket remembers about an attempt it joined, so saves need no lookups. */
export interface JoinedAttempt {
  attemptId: string;
  examId: string;
  userId: string;
  participantId: string;
  questions: Map<string, { type: string; content: Record<string, unknown> }>;
}

export interface ExpiryScheduler {
  /** Makes sure the attempt is ended at its deadline even if no browser is connected. */
  schedule(attemptId: string, deadlineAt: Date): Promise<void>;
}

export function createHallService(deps: {
  db: Db;
  secret: string;
  publish: HallPublisher;
  proctoring: ProctoringService;
  expiry: ExpiryScheduler;
  grading: GradingQueue;
}) {
  const { db, secret, publish, proctoring, expiry, grading } = deps;
  const notes = createAttemptNotes({ db, secret });

  async function rowOf(examId: string, participantId: string): Promise<HallRow | undefined> {
    return (await repo.hallRows(db, examId, participantId))[0];
  }
  async function pushRow(a: Pick<Attempt, 'examId' | 'participantId'>) {
    const row = await rowOf(a.examId, a.participantId);
    if (row) publish.row(a.examId, row);
    return row;
  }

  /** Someone entered or left the hall: attendance dashboards of the exam's running meetings refetch. */
  async function presenceChanged(examId: string) {
    const live = await db
      .select({ id: zoomMeetings.id })
      .from(zoomMeetings)
      .where(and(eq(zoomMeetings.examId, examId), ne(zoomMeetings.status, 'ended')));
    for (const m of live) publish.attendanceChanged(m.id);
  }

  // Progress after saves reaches proctors in batches: the participants whose answers
  // changed are collected per exam and sent once a second with one roster query, so
  // the cost does not grow with the save rate.
  const dirty = new Map<string, Set<string>>();
  function pushRowSoon(joined: JoinedAttempt) {
    const pending = dirty.get(joined.examId);
    if (pending) {
      pending.add(joined.participantId);
      return;
    }
    dirty.set(joined.examId, new Set([joined.participantId]));
    const timer = setTimeout(() => {
      const ids = [...(dirty.get(joined.examId) ?? [])];
      dirty.delete(joined.examId);
      repo
        .hallRows(db, joined.examId, ids)
        .then((rows) => publish.rows(joined.examId, rows))
        .catch(() => {});
    }, 1000);
    timer.unref();
  }

  async function snapshot(
    a: Attempt,
    clockReason?: string,
  ): Promise<{ snapshot: AttemptSnapshot; joined: JoinedAttempt }> {
    const [exam] = await db.select().from(exams).where(eq(exams.id, a.examId));
    // A lobby (not started) sees no questions: reading them must cost exam time.
    const qs = a.status === 'not_started' ? [] : await studentQuestions(db, a.examId, a.questionOrder, a.optionOrder);
    const saved = await repo.savedAnswers(db, a.id);
    const full = await db.query.questions.findMany({
      where: (q, { eq: is }) => is(q.examId, a.examId),
      columns: { id: true, type: true, content: true },
    });
    return {
      snapshot: {
        attempt: {
          id: a.id,
          examId: a.examId,
          examTitle: exam!.title,
          instructions: exam!.instructions,
          status: a.status,
          blockCopyPaste: exam!.proctoring.enabled && exam!.proctoring.blockCopyPaste,
          requireFullscreen: exam!.proctoring.enabled && exam!.proctoring.requireFullscreen,
          proctored: exam!.proctoring.enabled,
        },
        // A page that (re)joins a paused attempt is told why, as one that saw the pause live was.
        clock: toClock(a, clockReason, {
          pauseReason: a.status === 'paused' ? (a.pauseReason ?? undefined) : undefined,
        }),
        questions: qs.map((q) => ({ ...q, content: q.content as Record<string, unknown> })),
        answers: saved.map((s) => ({
          questionId: s.questionId,
          response: s.response ?? null,
          flagged: s.flagged,
          seq: s.seq,
        })),
        lastSeq: a.lastSeq,
      },
      joined: {
        attemptId: a.id,
        examId: a.examId,
        userId: a.userId,
        participantId: a.participantId,
        questions: new Map(full.map((q) => [q.id, { type: q.type, content: q.content }])),
      },
    };
  }

  /**
   * Downtime credit: when an attempt's last connection had closed and the exam's
   * policy credits time lost while disconnected, the gap the server observed is
   * added to the deadline, up to the exam's cap.
   */
  async function creditDowntime(a: Attempt): Promise<Attempt> {
    if (a.status !== 'in_progress') return a;
    const [exam] = await db
      .select({ policy: exams.disconnectPolicy, cap: exams.disconnectCreditMaxMinutes })
      .from(exams)
      .where(eq(exams.id, a.examId));
    if (!exam || exam.policy !== 'credit') return a;
    const [{ open, lastLeft }] = (await db
      .select({
        open: sql<number>`count(*) filter (where ${presence.leftAt} is null)::int`,
        lastLeft: sql<Date | null>`max(${presence.leftAt})`,
      })
      .from(presence)
      .where(eq(presence.attemptId, a.id))) as [{ open: number; lastLeft: Date | string | null }];
    if (open > 0 || !lastLeft) return a;
    const [updated] = await db
      .update(attempts)
      .set({
        // Credit = min(gap, what is left of the cap), never for time after the deadline passed.
        disconnectCreditSeconds: sql`${attempts.disconnectCreditSeconds} + least(extract(epoch from now() - ${new Date(lastLeft)}::timestamptz)::int, ${exam.cap * 60} - ${attempts.disconnectCreditSeconds})`,
        deadlineAt: sql`${attempts.deadlineAt} + make_interval(secs => least(extract(epoch from now() - ${new Date(lastLeft)}::timestamptz)::int, ${exam.cap * 60} - ${attempts.disconnectCreditSeconds}))`,
      })
      .where(
        and(
          eq(attempts.id, a.id),
          eq(attempts.status, 'in_progress'),
          sql`${attempts.deadlineAt} > now()`,
          sql`${attempts.disconnectCreditSeconds} < ${exam.cap * 60}`,
          sql`extract(epoch from now() - ${new Date(lastLeft)}::timestamptz) >= 1`,
        ),
      )
      .returning();
    if (!updated) return a;
    publish.clock(updated, 'disconnect_credit', { deltaSeconds: secondsBetween(a.deadlineAt, updated.deadlineAt) });
    // Best effort: the deadline is in the row, and the expiry sweep ends (and re-arms) what no
    // job covers, so a student coming back while Redis is down is not kept out of the exam.
    await bestEffort(expiry.schedule(updated.id, updated.deadlineAt!), 1000);
    return updated;
  }

  return {
    /** A student's browser joins its attempt: presence segment, downtime credit, snapshot. */
    async join(
      who: HallPrincipal,
      input: { attemptId: string; deviceId: string },
      conn: { socketId: string; ip: string },
      subscribe: (attemptId: string) => Promise<void> = async () => {},
      /** Socket ids in the attempt's room across the cluster (only asked when another device looks open). */
      liveConnections: () => Promise<string[]> = async () => [],
    ) {
      const owned = await loadOwnAttempt(db, who, input.attemptId);
      // Into the attempt's room before the state is read: a pause or extension made
      // from here on reaches this socket as an event, and anything earlier is in the
      // row read below (the page keeps whichever clock is newer).
      await subscribe(owned.id);
      const [found] = (await db.select().from(attempts).where(eq(attempts.id, owned.id))) as [Attempt];
      // A finished attempt is only shown: no presence, no alerts.
      if (!['not_started', 'in_progress', 'paused'].includes(found.status)) return snapshot(found);
      const a = await creditDowntime(found);
      // The socket is not in the attempt's room yet: the credit also travels in the snapshot's clock.
      const credited = a.deadlineAt?.getTime() !== found.deadlineAt?.getTime();
      // Other devices count only while their socket is alive somewhere in the cluster:
      // a segment left open by a crashed process must not raise a second-device alert.
      const openElsewhere = await db
        .select({ deviceId: presence.deviceId, connectionId: presence.connectionId })
        .from(presence)
        .where(
          and(eq(presence.attemptId, a.id), isNull(presence.leftAt), sql`${presence.deviceId} <> ${input.deviceId}`),
        );
      const live = openElsewhere.length ? new Set(await liveConnections()) : new Set<string>();
      const others = {
        devices: new Set(openElsewhere.filter((o) => live.has(o.connectionId)).map((o) => o.deviceId)).size,
      };
      await db.insert(presence).values({
        attemptId: a.id,
        userId: a.userId,
        examId: a.examId,
        connectionId: conn.socketId,
        deviceId: input.deviceId,
        source: 'hall',
        ipHash: keyedHash(secret, 'ip', conn.ip),
      });
      if (others.devices > 0 && (a.status === 'in_progress' || a.status === 'paused')) {
        await proctoring.record(a, 'second_device', { devices: others.devices + 1 });
      }
      const result = await snapshot(a, credited ? 'disconnect_credit' : undefined);
      await pushRow(a);
      await presenceChanged(a.examId);
      return result;
    },

    async leave(joined: JoinedAttempt, socketId: string) {
      await db
        .update(presence)
        .set({ leftAt: new Date() })
        .where(
          and(eq(presence.attemptId, joined.attemptId), eq(presence.connectionId, socketId), isNull(presence.leftAt)),
        );
      const [a] = await db.select().from(attempts).where(eq(attempts.id, joined.attemptId));
      if (a) await pushRow(a);
      await presenceChanged(joined.examId);
    },

    /** Acknowledged only after PostgreSQL committed it. */
    async save(joined: JoinedAttempt, input: SaveAnswer): Promise<SaveAck> {
      const q = joined.questions.get(input.questionId);
      if (!q)
        throw badRequest('This question is not part of the attempt.', [
          { path: 'questionId', message: 'is not in this attempt' },
        ]);
      if (input.response !== null) {
        const check = checkResponse(q, input.response);
        if (!check.ok) {
          throw badRequest(
            'This answer does not fit the question.',
            check.problems.map((p) => ({ path: ['response', ...p.path].join('.'), message: p.message })),
          );
        }
      }
      const saved = await repo.saveAnswer(db, { ...input, attemptId: joined.attemptId });
      if (saved) {
        pushRowSoon(joined);
        return { seq: input.seq, applied: true, savedAt: new Date().toISOString() };
      }
      const state = await repo.attemptWriteState(db, joined.attemptId);
      if (!state?.writable) {
        const message =
          state?.status === 'paused'
            ? 'Your exam is paused by the proctor; answers are kept and can be saved when it resumes.'
            : 'Time is up for this attempt: answers can no longer be changed.';
        throw new AppError(409, 'invalid_transition', message);
      }
      // Writable but nothing written: this seq (or a newer one) was already applied.
      return { seq: input.seq, applied: false, savedAt: new Date().toISOString() };
    },

    async submit(joined: JoinedAttempt, userCtx: { ip: string }) {
      // The change and its audit row commit together; grading and pushes only after the commit.
      const a = await db.transaction(async (tx) => {
        const submitted = await transitionAttempt(tx, joined.attemptId, 'submitted', { reason: 'submitted' });
        await audit.record(
          tx,
          { actorId: submitted.userId, actorRole: 'student', ipHash: keyedHash(secret, 'ip', userCtx.ip) },
          { action: 'attempt.submitted', targetType: 'attempt', targetId: submitted.id },
        );
        return submitted;
      });
      // The submission is committed: a grading job Redis cannot take now is re-queued by the
      // grading reconciler, and the student is told the truth (submitted), not an error or nothing.
      await bestEffort(grading.enqueue(a.id), 1000);
      publish.ended(a.id, a.status, 'submitted');
      await pushRow(a);
      return { status: a.status, submittedAt: a.submittedAt?.toISOString() ?? null };
    },

    async signal(
      joined: JoinedAttempt,
      type: Parameters<ProctoringService['record']>[1],
      details: Record<string, unknown>,
      clientEventId: string,
    ) {
      const stored = await proctoring.record(
        { id: joined.attemptId, examId: joined.examId, userId: joined.userId },
        type,
        details,
        clientEventId,
      );
      if (stored) {
        const [a] = await db.select().from(attempts).where(eq(attempts.id, joined.attemptId));
        if (a) await pushRow(a);
      }
      return stored;
    },

    /** Pushes an attempt's current row to its proctors (after an alert review, say). */
    async refreshRow(attemptId: string) {
      const [a] = await db.select().from(attempts).where(eq(attempts.id, attemptId));
      if (a) await pushRow(a);
    },

    /** Pushes several attempts' rows in one message (after a bulk alert review). */
    async refreshRows(attemptIds: string[]) {
      if (!attemptIds.length) return;
      const list = await db
        .select({ examId: attempts.examId, participantId: attempts.participantId })
        .from(attempts)
        .where(inArray(attempts.id, attemptIds));
      for (const examId of new Set(list.map((a) => a.examId))) {
        const ids = list.filter((a) => a.examId === examId).map((a) => a.participantId);
        publish.rows(examId, await repo.hallRows(db, examId, ids));
      }
    },

    /**
     * The proctor's view of an exam: the whole roster and the open alerts. `subscribe`
     * runs after the access check and before the snapshot is read, so no update falls
     * between the two.
     */
    async watch(caller: Caller, examId: string, subscribe: () => Promise<void>): Promise<HallSnapshot> {
      const exam = await loadWatchableExam(db, caller.actor, examId);
      await subscribe();
      const rows = await repo.hallRows(db, examId);
      const alerts = await db
        .select()
        .from(proctoringEvents)
        .where(eq(proctoringEvents.examId, examId))
        .orderBy(sql`${proctoringEvents.occurredAt} desc`)
        .limit(200);
      return {
        examId,
        examTitle: exam.title,
        rows,
        alerts: alerts.map(toEventDto),
        serverTime: new Date().toISOString(),
      };
    },

    /**
     * Extend, pause, resume, terminate or message: the change and its audit row in one
     * transaction; the student hears of it (and the expiry job moves) only after the commit.
     */
    async act(caller: Caller, action: HallAction): Promise<HallRow> {
      const [a0] = await db.select().from(attempts).where(eq(attempts.id, action.attemptId));
      if (!a0) throw notFound('Attempt');
      await loadWatchableExam(db, caller.actor, a0.examId);
      const a = await db.transaction(async (tx) => {
        let a = a0;
        switch (action.action) {
          case 'extend': {
            const [updated] = await tx
              .update(attempts)
              .set({
                extraSeconds: sql`${attempts.extraSeconds} + ${action.minutes * 60}`,
                deadlineAt: sql`${attempts.deadlineAt} + make_interval(mins => ${action.minutes})`,
              })
              .where(
                and(
                  eq(attempts.id, a.id),
                  sql`${attempts.status} in ('in_progress', 'paused')`,
                  action.minutes < 0 ? leavesEnoughTime(action.minutes) : undefined,
                ),
              )
              .returning();
            if (!updated) throw await whyNotExtended(tx, a.id, action.minutes);
            a = updated;
            break;
          }
          case 'pause':
            await transitionAttempt(tx, a.id, 'paused', { reason: action.reason ?? 'paused by proctor' });
            a = await setPauseReason(tx, a.id, action.reason ?? null);
            break;
          case 'resume':
            await transitionAttempt(tx, a.id, 'in_progress');
            a = await setPauseReason(tx, a.id, null);
            break;
          case 'terminate':
            a = await transitionAttempt(tx, a.id, 'invalidated', { reason: action.reason });
            break;
          case 'message':
            break;
        }
        await audit.record(tx, auditContextOf(secret, caller), {
          action: `hall.${action.action}`,
          targetType: 'attempt',
          targetId: a.id,
          details:
            action.action === 'extend'
              ? { minutes: action.minutes }
              : action.action === 'terminate' || action.action === 'pause'
                ? { reason: action.reason ?? null }
                : {},
        });
        return a;
      });
      // Committed: the proctor is told so even if Redis cannot take the moved expiry job now
      // (the expiry sweep ends, and re-arms, what no job covers).
      switch (action.action) {
        case 'extend':
          publish.clock(a, 'extended', { deltaSeconds: action.minutes * 60 });
          await bestEffort(expiry.schedule(a.id, a.deadlineAt!), 1000);
          break;
        case 'pause':
          publish.clock(a, 'paused', { pauseReason: action.reason });
          break;
        case 'resume':
          publish.clock(a, 'resumed');
          await bestEffort(expiry.schedule(a.id, a.deadlineAt!), 1000);
          break;
        case 'terminate':
          publish.ended(a.id, a.status, action.reason);
          break;
        case 'message':
          publish.message(a.id, action.text, caller.actor.name);
          break;
      }
      return (await pushRow(a))!;
    },

    /** The proctors' private note about an attempt (hall.notes.ts). */
    notes,

    /**
     * The whole hall at once. Pause / resume: every running (or paused) attempt of the exam,
     * locked, changed and audited one row each in one transaction, so a failure changes none;
     * students and proctors hear of it only after the commit. Message: every attempt that is
     * not over (one audit row for the exam). Answers how many attempts it changed or reached.
     */
    async bulk(caller: Caller, input: HallBulk): Promise<HallBulkReply> {
      await loadWatchableExam(db, caller.actor, input.examId);
      const from =
        input.action === 'pause'
          ? (['in_progress'] as const)
          : input.action === 'resume'
            ? (['paused'] as const)
            : (['not_started', 'in_progress', 'paused'] as const);
      const ctx = auditContextOf(secret, caller);
      const changed = await db.transaction(async (tx) => {
        // FOR UPDATE: a per-student action racing this one waits, and rows it moved out of
        // `from` meanwhile are skipped (re-checked after the lock), so nothing fails halfway.
        const live = await tx
          .select({ id: attempts.id })
          .from(attempts)
          .where(and(eq(attempts.examId, input.examId), inArray(attempts.status, [...from])))
          .orderBy(attempts.id)
          .for('update');
        if (input.action === 'message') {
          await audit.record(tx, ctx, {
            action: 'hall.message_all',
            targetType: 'exam',
            targetId: input.examId,
            details: { recipients: live.length },
          });
          return live.map((l) => ({ id: l.id }) as Pick<Attempt, 'id'>);
        }
        const out: Attempt[] = [];
        for (const { id } of live) {
          if (input.action === 'pause') {
            await transitionAttempt(tx, id, 'paused', { reason: input.reason ?? 'paused by proctor' });
          } else await transitionAttempt(tx, id, 'in_progress');
          const a = await setPauseReason(tx, id, input.action === 'pause' ? (input.reason ?? null) : null);
          await audit.record(tx, ctx, {
            action: `hall.${input.action}`,
            targetType: 'attempt',
            targetId: id,
            details: input.action === 'pause' ? { reason: input.reason ?? null, bulk: true } : { bulk: true },
          });
          out.push(a);
        }
        return out;
      });
      // Committed. Pushes are fire-and-forget; moved expiry jobs are best effort (the sweep re-arms).
      switch (input.action) {
        case 'message':
          for (const a of changed) publish.message(a.id, input.text, caller.actor.name);
          break;
        case 'pause':
          for (const a of changed as Attempt[]) publish.clock(a, 'paused', { pauseReason: input.reason });
          break;
        case 'resume':
          for (const a of changed as Attempt[]) publish.clock(a, 'resumed');
          await Promise.all((changed as Attempt[]).map((a) => bestEffort(expiry.schedule(a.id, a.deadlineAt!), 1000)));
          break;
      }
      if (input.action !== 'message' && changed.length) {
        const ids = (changed as Attempt[]).map((a) => a.participantId);
        publish.rows(input.examId, await repo.hallRows(db, input.examId, ids));
      }
      return { action: input.action, count: changed.length };
    },
  };
}

/** What the student is told while paused; kept on the row so a reload shows it too. Answers the row. */
async function setPauseReason(tx: Tx, attemptId: string, reason: string | null): Promise<Attempt> {
  const [row] = await tx.update(attempts).set({ pauseReason: reason }).where(eq(attempts.id, attemptId)).returning();
  return row!;
}

/**
 * Taking time away never leaves less than a minute on the clock: counted from now for a
 * running attempt, from when the clock stopped for a paused one.
 */
function leavesEnoughTime(minutes: number) {
  return sql`${attempts.deadlineAt} + make_interval(mins => ${minutes}) >= coalesce(${attempts.pausedAt}, now()) + make_interval(secs => ${MIN_SECONDS_LEFT_AFTER_TAKING})`;
}

/** The error for an extension the UPDATE refused: no running clock, or too much time taken. */
async function whyNotExtended(tx: Tx, attemptId: string, minutes: number): Promise<AppError> {
  const [row] = await tx
    .select({
      status: attempts.status,
      left: sql<number>`floor(extract(epoch from ${attempts.deadlineAt} - coalesce(${attempts.pausedAt}, now())))::int`,
    })
    .from(attempts)
    .where(eq(attempts.id, attemptId));
  if (!row || !['in_progress', 'paused'].includes(row.status)) {
    const status = (row?.status ?? 'gone').replace('_', ' ');
    return new AppError(409, 'invalid_transition', `This attempt is ${status}: there is no running clock to change.`);
  }
  const left = Math.max(0, row.left);
  const most = Math.max(0, Math.floor((left - MIN_SECONDS_LEFT_AFTER_TAKING) / 60));
  const message =
    `Taking ${minutes === -1 ? '1 minute' : `${-minutes} minutes`} would leave less than 1 minute ` +
    `(${describeLeft(left)} left now), and at least 1 minute must remain: ` +
    (most > 0 ? `take at most ${most === 1 ? '1 minute' : `${most} minutes`}.` : 'no time can be taken now.');
  return badRequest(message, [{ path: 'minutes', message }]);
}

function describeLeft(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return m ? `${m} min ${s} s` : `${s} s`;
}

function secondsBetween(before: Date | null, after: Date | null): number {
  return before && after ? Math.round((after.getTime() - before.getTime()) / 1000) : 0;
}
export type HallService = ReturnType<typeof createHallService>;
