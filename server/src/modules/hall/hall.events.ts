// What the hall tells browsers, behind a small interface so services never touch
// Socket.IO. The implementation emits to rooms; with the Redis adapter (API
// processes) or the Redis emitter (worker processes) it reaches every process.
import {
  rooms,
  type Clock,
  type HallCamera,
  type HallProgressItem,
  type HallRow,
  type ProctoringEventDto,
  type RiskBreakdown,
  type ServerEvent,
  type ServerPayload,
} from '@exam-hall/protocol';
import type { Attempt } from '../../db/schema/index.ts';

export interface HallPublisher {
  clock(
    attempt: Pick<Attempt, 'id' | 'status' | 'deadlineAt' | 'pausedAt' | 'extraSeconds'>,
    reason: string,
    detail?: ClockDetail,
  ): void;
  ended(attemptId: string, status: ServerPayload<'attempt:ended'>['status'], reason: string): void;
  message(attemptId: string, text: string, from: string): void;
  graded(attemptId: string): void;
  /** The attempt continues on another device: its sockets are told why, then closed (on every process). */
  moved(attemptId: string): void;
  row(examId: string, row: HallRow): void;
  /** One message for a batch: cheaper than one emit per row through the adapter. */
  rows(examId: string, rows: HallRow[]): void;
  /** Answered counts that changed with saves: a compact delta instead of whole rows. */
  progress(examId: string, items: HallProgressItem[]): void;
  alert(examId: string, event: ProctoringEventDto, risk: RiskBreakdown): void;
  alertReviewed(examId: string, event: ProctoringEventDto): void;
  /** One student's camera state changed (camera proctoring). */
  camera(examId: string, camera: HallCamera): void;
  /** The meeting's attendance changed (Zoom join/leave, sync, hall presence): watchers refetch. */
  attendanceChanged(meetingId: string): void;
  /**
   * Closes every socket of a user, on every process (suspension, role change). With `ended`,
   * they are told first that their sign-in ended (`session:ended`), so pages stop reconnecting.
   * `attemptIds`: attempts whose cookie was withdrawn too (a code-started student's sockets are
   * in the attempt's room, not the user's).
   */
  closeUserSockets(userId: string, ended?: { reason: string }, attemptIds?: string[]): void;
}

/** What the student is told with a clock change: how far the deadline moved, why it was paused. */
export interface ClockDetail {
  deltaSeconds?: number;
  pauseReason?: string;
  /** With a changed accommodation: the student's extra time now. */
  accommodation?: Clock['accommodation'];
}

/** Anything with Socket.IO's `to(room).emit(...)`: a Server, or a worker's Emitter. */
export interface RoomEmitter {
  to(room: string): { emit(event: string, ...args: unknown[]): unknown };
  in(room: string): { disconnectSockets(close?: boolean): unknown };
}

export function toClock(
  a: Pick<Attempt, 'id' | 'status' | 'deadlineAt' | 'pausedAt' | 'extraSeconds'>,
  reason?: string,
  detail: ClockDetail = {},
): Clock {
  return {
    attemptId: a.id,
    status: a.status,
    deadlineAt: a.deadlineAt?.toISOString() ?? null,
    pausedAt: a.pausedAt?.toISOString() ?? null,
    serverTime: new Date().toISOString(),
    extraSeconds: a.extraSeconds,
    ...(reason ? { reason } : {}),
    ...(detail.deltaSeconds !== undefined ? { deltaSeconds: detail.deltaSeconds } : {}),
    ...(detail.pauseReason ? { pauseReason: detail.pauseReason } : {}),
    ...(detail.accommodation ? { accommodation: detail.accommodation } : {}),
  };
}

/** `silence()` is for shutdown: late work (a socket's presence update) must not publish on closed Redis clients. */
export function socketPublisher(io: RoomEmitter): HallPublisher & { silence: () => void } {
  let silent = false;
  // Every push goes through here: the event's payload type comes from protocol's `serverEvents`.
  const emit = <E extends ServerEvent>(room: string, event: E, payload: ServerPayload<E>) =>
    io.to(room).emit(event, payload);
  const to = <E extends ServerEvent>(room: string, event: E, payload: ServerPayload<E>) => {
    if (!silent) emit(room, event, payload);
  };
  return {
    clock: (a, reason, detail) => to(rooms.attempt(a.id), 'attempt:clock', toClock(a, reason, detail)),
    ended: (attemptId, status, reason) => to(rooms.attempt(attemptId), 'attempt:ended', { attemptId, status, reason }),
    message: (attemptId, text, from) =>
      to(rooms.attempt(attemptId), 'attempt:message', { text, from, sentAt: new Date().toISOString() }),
    graded: (attemptId) => to(rooms.attempt(attemptId), 'attempt:graded', { attemptId }),
    moved: (attemptId) => {
      if (silent) return;
      // Same Redis connection for both, so every process delivers the event before it closes the sockets.
      emit(rooms.attempt(attemptId), 'attempt:moved', { attemptId, reason: 'resumed_elsewhere' });
      io.in(rooms.attempt(attemptId)).disconnectSockets(true);
    },
    row: (examId, row) => to(rooms.examProctors(examId), 'hall:row', row),
    rows: (examId, rows) => {
      if (rows.length) to(rooms.examProctors(examId), 'hall:rows', rows);
    },
    progress: (examId, items) => {
      if (items.length) to(rooms.examProctors(examId), 'hall:progress', items);
    },
    alert: (examId, event, risk) => to(rooms.examProctors(examId), 'hall:alert', { event, risk }),
    alertReviewed: (examId, event) => to(rooms.examProctors(examId), 'hall:alert-reviewed', { event }),
    camera: (examId, camera) => to(rooms.examProctors(examId), 'hall:camera', camera),
    attendanceChanged: (meetingId) => to(rooms.meetingAttendance(meetingId), 'attendance:changed', { meetingId }),
    closeUserSockets: (userId, ended, attemptIds = []) => {
      if (silent) return;
      // Same Redis connection for both, so every process delivers the event before it closes the sockets.
      for (const room of [rooms.user(userId), ...attemptIds.map((id) => rooms.attempt(id))]) {
        if (ended) emit(room, 'session:ended', { reason: ended.reason });
        io.in(room).disconnectSockets(true);
      }
    },
    silence: () => {
      silent = true;
    },
  };
}

/** For processes without sockets (tests, scripts): drops everything. */
export const silentPublisher: HallPublisher = {
  clock: () => {},
  ended: () => {},
  message: () => {},
  graded: () => {},
  moved: () => {},
  row: () => {},
  rows: () => {},
  progress: () => {},
  alert: () => {},
  alertReviewed: () => {},
  camera: () => {},
  attendanceChanged: () => {},
  closeUserSockets: () => {},
};
