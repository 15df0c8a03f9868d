// The proctor's side of the live hall: the roster and alerts of an exam, and what a
// proctor does to one attempt or to all of them (extend, pause, resume, terminate,
// message). The student's side (join, save, submit, signals, presence) is
// attempts/attempts.live.service.ts.
import { MIN_SECONDS_LEFT_AFTER_TAKING } from '@exam-hall/protocol';
import type { HallAction, HallBulk, HallBulkReply, HallRow, HallSnapshot, RiskBreakdown } from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import type { Attempt } from '../../db/schema/index.ts';
import { AppError, badRequest } from '../../http/errors.ts';
import { bestEffort } from '../../lib/best-effort.ts';
import * as audit from '../audit/audit.service.ts';
import { auditContextOf } from '../audit/audit.context.ts';
import type { Caller } from '../../policy/actor.ts';
import { transitionAttempt } from '../attempts/attempts.state.ts';
import type { ProctoringService } from '../proctoring/proctoring.service.ts';
import { toEventDto } from '../proctoring/proctoring.service.ts';
import { attachEvidence } from '../camera/evidence.repository.ts';
import { loadWatchableExam } from '../exams/exams.service.ts';
import type { ExpiryScheduler } from '../attempts/attempts.jobs.ts';
import type { HallPublisher } from './hall.events.ts';
import { createAttemptNotes, loadWatchableAttempt } from './hall.notes.ts';
import type { RowPusher } from './hall.rows.ts';
import * as repo from './hall.repository.ts';

export function createHallService(deps: {
  db: Db;
  secret: string;
  publish: HallPublisher;
  proctoring: ProctoringService;
  expiry: ExpiryScheduler;
  /** The process's roster pusher (one per process: modules/registry.ts). */
  rows: RowPusher;
}) {
  const { db, secret, publish, proctoring, expiry, rows } = deps;
  const notes = createAttemptNotes({ db, secret });

  return {
    /** Pushes an attempt's current row to its proctors (after an alert review, say). */
    refreshRow: rows.refreshRow,

    /** Pushes several attempts' rows in one message (after a bulk alert review). */
    refreshRows: rows.refreshRows,

    /** The risk score of one attempt and what it is made of, for whoever may watch its exam. */
    async risk(caller: Caller, attemptId: string): Promise<RiskBreakdown> {
      const a = await loadWatchableAttempt(db, caller, attemptId);
      return proctoring.riskOf(a.id);
    },

    /**
     * The proctor's view of an exam: the whole roster and the open alerts. `subscribe`
     * runs after the access check and before the snapshot is read, so no update falls
     * between the two.
     */
    async watch(caller: Caller, examId: string, subscribe: () => Promise<void>): Promise<HallSnapshot> {
      const exam = await loadWatchableExam(db, caller.actor, examId);
      await subscribe();
      const roster = await repo.hallRows(db, examId);
      const alerts = await repo.recentAlerts(db, examId);
      return {
        examId,
        examTitle: exam.title,
        rows: roster,
        // Each alert with its evidence frame, if the exam keeps them (camera/evidence.repository.ts).
        alerts: await attachEvidence(db, alerts.map(toEventDto)),
        serverTime: new Date().toISOString(),
      };
    },

    /**
     * Extend, pause, resume, terminate or message: the change and its audit row in one
     * transaction; the student hears of it (and the expiry job moves) only after the commit.
     */
    async act(caller: Caller, action: HallAction): Promise<HallRow> {
      const a0 = await loadWatchableAttempt(db, caller, action.attemptId);
      const a = await db.transaction(async (tx) => {
        let a = a0;
        switch (action.action) {
          case 'extend': {
            const updated = await repo.extendAttempt(tx, a.id, action.minutes);
            if (!updated) throw await whyNotExtended(tx, a.id, action.minutes);
            a = updated;
            break;
          }
          case 'pause':
            await transitionAttempt(tx, a.id, 'paused', { reason: action.reason ?? 'paused by proctor' });
            a = await repo.setPauseReason(tx, a.id, action.reason ?? null);
            break;
          case 'resume':
            await transitionAttempt(tx, a.id, 'in_progress');
            a = await repo.setPauseReason(tx, a.id, null);
            break;
          case 'terminate':
            a = await transitionAttempt(tx, a.id, 'invalidated', { reason: action.reason });
            break;
          case 'message':
            break;
        }
        // The alert this warning or termination answers records it as its action (seed 003).
        if ((action.action === 'terminate' || action.action === 'message') && action.alertId) {
          const done = action.action === 'terminate' ? 'session_terminated' : 'warning_sent';
          await proctoring.recordAction(tx, caller, action.alertId, a.id, done);
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
      return (await rows.pushRow(a))!;
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
        const live = await repo.lockAttemptsIn(tx, input.examId, [...from]);
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
          const a = await repo.setPauseReason(tx, id, input.action === 'pause' ? (input.reason ?? null) : null);
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
        await rows.pushRows(input.examId, ids);
      }
      return { action: input.action, count: changed.length };
    },
  };
}

/** The error for an extension the UPDATE refused: no running clock, or too much time taken. */
async function whyNotExtended(tx: Tx, attemptId: string, minutes: number): Promise<AppError> {
  const row = await repo.secondsLeft(tx, attemptId);
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

export type HallService = ReturnType<typeof createHallService>;
