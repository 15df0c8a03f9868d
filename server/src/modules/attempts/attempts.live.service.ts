// The student's attempt, live: what a browser gets on joining, how answers are saved
// without loss, submission, proctoring signals and presence. The clock is the attempt
// row's deadline; every change to it is pushed to the student at once. The proctor's
// side of the hall is hall/hall.service.ts.
import type { AttemptSnapshot } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import type { Attempt } from '../../db/schema/index.ts';
import { keyedHash } from '../../lib/crypto.ts';
import { bestEffort } from '../../lib/best-effort.ts';
import * as audit from '../audit/audit.service.ts';
import { transitionAttempt } from './attempts.state.ts';
import { arrangeForStudent } from '../questions/questions.student.ts';
import type { ProctoringService } from '../proctoring/proctoring.service.ts';
import { ownsAttempt, type AttemptPrincipal } from '../../policy/access.ts';
import { notFound } from '../../http/errors.ts';
import { toClock, type HallPublisher } from '../hall/hall.events.ts';
import type { RowPusher } from '../hall/hall.rows.ts';
import type { ExpiryScheduler } from './attempts.jobs.ts';
import type { GradingQueue } from '../grading/grading.jobs.ts';
import * as repo from './attempts.live.repository.ts';
import { createSaveService } from './attempts.save.ts';
import { createQuestionCache } from './attempts.question-cache.ts';
import { createOwnerBatcher } from './attempts.owner-batcher.ts';
import { createGroupCommit } from '../../db/group-commit.ts';

/** What a socket remembers about an attempt it joined, so saves need no lookups. */
export interface JoinedAttempt {
  attemptId: string;
  examId: string;
  userId: string;
  participantId: string;
  questions: Map<string, { type: string; content: Record<string, unknown> }>;
}

export function createAttemptLiveService(deps: {
  db: Db;
  secret: string;
  publish: HallPublisher;
  proctoring: ProctoringService;
  expiry: ExpiryScheduler;
  grading: GradingQueue;
  /** The process's roster pusher (one per process: modules/registry.ts). */
  rows: RowPusher;
}) {
  const { db, secret, publish, proctoring, expiry, grading, rows } = deps;
  const saves = createSaveService({ db, rows });

  // Joins read the exam's questions from memory (the rule that keeps the copy right is in
  // attempts.question-cache.ts); everything else a join needs comes in one statement.
  const questionCache = createQuestionCache((examId, ids) => repo.questionsWithVersion(db, examId, ids));
  // Ownership checks of joins arriving together are read in one statement.
  const owners = createOwnerBatcher((ids) => repo.attemptOwners(db, ids));
  // The state statements (and presence segments) of joins arriving together: one statement
  // and one commit for the group, at most one join per attempt in it (db/group-commit.ts).
  const states = createGroupCommit(
    (v: repo.JoinInput) => v.attemptId,
    (vs) => repo.joinStates(db, vs),
  );
  // Leaves arriving together likewise (a school's network drop: thousands at once).
  const leaves = createGroupCommit(
    (v: repo.LeaveInput) => v.connectionId,
    (vs) => repo.leaveSegments(db, vs),
  );

  /**
   * Someone entered or left the hall: attendance dashboards of the exam's running meetings
   * refetch. `meetings` come with the join's or leave's own statement: no query of its own.
   */
  function presenceChanged(meetings: readonly string[]) {
    for (const id of meetings) publish.attendanceChanged(id);
  }

  type JoinState = repo.JoinState;

  async function snapshot(
    a: Attempt,
    state: JoinState,
    clockReason?: string,
  ): Promise<{ snapshot: AttemptSnapshot; joined: JoinedAttempt }> {
    const { exam, saved } = state;
    // The exam's own questions and the bank questions this attempt drew (in its question order).
    const held = await questionCache.forAttempt(a.examId, a.questionOrder, state.questionsVersion);
    // A lobby (not started) sees no questions: reading them must cost exam time.
    const qs =
      a.status === 'not_started'
        ? []
        : arrangeForStudent(held, a.questionOrder, a.optionOrder, a.drawnQuestions, questionCache.studentView);
    return {
      snapshot: {
        attempt: {
          id: a.id,
          examId: a.examId,
          examTitle: exam.title,
          instructions: exam.instructions,
          status: a.status,
          blockCopyPaste: exam.proctoring.enabled && exam.proctoring.blockCopyPaste,
          requireFullscreen: exam.proctoring.enabled && exam.proctoring.requireFullscreen,
          proctored: exam.proctoring.enabled,
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
          seq: Number(s.seq),
        })),
        // The highest sequence number among the saved answers (attempts.last_seq is going away).
        lastSeq: saved.reduce((max, s) => Math.max(max, Number(s.seq)), 0),
      },
      joined: {
        attemptId: a.id,
        examId: a.examId,
        userId: a.userId,
        participantId: a.participantId,
        questions: new Map([...held.values()].map(({ row }) => [row.id, { type: row.type, content: row.content }])),
      },
    };
  }

  /**
   * Downtime credit: when an attempt's last connection had closed and the exam's
   * policy credits time lost while disconnected, the gap the server observed is
   * added to the deadline, up to the exam's cap. `state` was read before this
   * join's presence segment opened.
   */
  async function creditDowntime(a: Attempt, state: JoinState): Promise<Attempt> {
    if (a.status !== 'in_progress') return a;
    if (state.exam.policy !== 'credit') return a;
    if (state.openSegments > 0 || !state.lastLeft) return a;
    const updated = await repo.creditDowntime(db, a.id, state.lastLeft, state.exam.cap);
    if (!updated) return a;
    publish.clock(updated, 'disconnect_credit', { deltaSeconds: secondsBetween(a.deadlineAt, updated.deadlineAt) });
    // Best effort: the deadline is in the row, and the expiry sweep ends (and re-arms) what no
    // job covers, so a student coming back while Redis is down is not kept out of the exam.
    await bestEffort(expiry.schedule(updated.id, updated.deadlineAt!), 1000);
    return updated;
  }

  /** The rest of a live attempt's join, after its segment opened (join() closes it if this fails). */
  async function joinLive(found: Attempt, state: JoinState, liveConnections: () => Promise<string[]>) {
    const a = await creditDowntime(found, state);
    // The socket is not in the attempt's room yet: the credit also travels in the snapshot's clock.
    const credited = a.deadlineAt?.getTime() !== found.deadlineAt?.getTime();
    // Other devices count only while their socket is alive somewhere in the cluster:
    // a segment left open by a crashed process must not raise a second-device alert.
    const live = state.elsewhere.length ? new Set(await liveConnections()) : new Set<string>();
    const devices = new Set(state.elsewhere.filter((o) => live.has(o.connectionId)).map((o) => o.deviceId)).size;
    if (devices > 0 && (a.status === 'in_progress' || a.status === 'paused')) {
      await proctoring.record(a, 'second_device', { devices: devices + 1 });
    }
    const result = await snapshot(a, state, credited ? 'disconnect_credit' : undefined);
    // The proctors' roster row follows within a second, coalesced with the exam's other joins.
    rows.pushRowSoon(a);
    presenceChanged(state.meetings);
    return result;
  }

  return {
    /**
     * A student's browser joins its attempt: presence segment, downtime credit, snapshot.
     * Two round trips: the ownership check, then one statement that reads the whole state
     * and opens the presence segment (a third only when downtime is credited). Each is one
     * statement for the joins arriving together.
     */
    async join(
      who: AttemptPrincipal,
      input: { attemptId: string; deviceId: string },
      conn: { socketId: string; ip: string },
      subscribe: (attemptId: string) => Promise<void> = async () => {},
      /** Socket ids in the attempt's room across the cluster (only asked when another device looks open). */
      liveConnections: () => Promise<string[]> = async () => [],
    ) {
      // Ownership is checked on its own, before the socket enters the attempt's room: folded
      // into the state statement, the room would be joined before the check, and a socket
      // failing it (joining again and again) would receive someone else's clock and proctor
      // messages meanwhile; joined after the state read, a pause made in between would be lost.
      const owner = await owners.owner(input.attemptId);
      if (!owner || !ownsAttempt(who, owner)) throw notFound('Attempt');
      // Into the attempt's room before the state is read: a pause or extension made
      // from here on reaches this socket as an event, and anything earlier is in the
      // row read below (the page keeps whichever clock is newer).
      await subscribe(owner.id);
      const state = await states.submit({
        attemptId: owner.id,
        deviceId: input.deviceId,
        connectionId: conn.socketId,
        ipHash: keyedHash(secret, 'ip', conn.ip),
      });
      if (!state) throw notFound('Attempt');
      const found = state.attempt as Attempt;
      // A finished attempt is only shown: no presence (the statement opened none), no alerts.
      if (!LIVE.includes(found.status)) return snapshot(found, state);
      try {
        return await joinLive(found, state, liveConnections);
      } catch (err) {
        // The statement opened this socket's segment, but the join failed after it (credit,
        // Redis, the alert, the questions): no socket will ever leave it, and an open segment
        // would count as a connection (no downtime credit, "online" in the hall). Closed now;
        // if PostgreSQL is what failed, this fails too and the presence reaper closes it.
        await leaves.submit({ attemptId: found.id, examId: found.examId, connectionId: conn.socketId }).catch(() => {});
        throw err;
      }
    },

    /** The socket closed: its presence segment ends (one statement for the leaves arriving together). */
    async leave(joined: JoinedAttempt, socketId: string) {
      const meetings = await leaves.submit({
        attemptId: joined.attemptId,
        examId: joined.examId,
        connectionId: socketId,
      });
      rows.pushRowSoon(joined);
      presenceChanged(meetings);
    },

    /** Acknowledged only after PostgreSQL committed it (attempts.save.ts). */
    save: saves.save,

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
      await rows.pushRow(a);
      return { status: a.status, submittedAt: a.submittedAt?.toISOString() ?? null };
    },

    async signal(
      joined: JoinedAttempt,
      type: Parameters<ProctoringService['record']>[1],
      details: Record<string, unknown>,
      clientEventId: string,
      confidence?: number,
    ): Promise<{ stored: boolean; eventId?: string }> {
      const event = await proctoring.recordEvent(
        { id: joined.attemptId, examId: joined.examId, userId: joined.userId },
        type,
        details,
        clientEventId,
        { confidence },
      );
      // The alert (with the new risk) reached the proctors already; the row's open-alert
      // count follows in the hall's per-exam batch.
      if (event) rows.pushRowSoon(joined);
      return event ? { stored: true, eventId: event.id } : { stored: false };
    },
  };
}
export type AttemptLiveService = ReturnType<typeof createAttemptLiveService>;

/** Statuses whose join opens a presence segment (the statement's own list: attempts.live.repository.ts). */
const LIVE: readonly string[] = ['not_started', 'in_progress', 'paused'];

function secondsBetween(before: Date | null, after: Date | null): number {
  return before && after ? Math.round((after.getTime() - before.getTime()) / 1000) : 0;
}
