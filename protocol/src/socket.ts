import { z } from 'zod';
import { publicUserSchema } from './auth.ts';
import type {
  AttemptMoved,
  AttemptNoteReply,
  AttemptNoteSave,
  AttemptSnapshot,
  Clock,
  HallAction,
  HallBulk,
  HallBulkReply,
  HallRow,
  HallSnapshot,
  ProctorSignal,
  ProctoringEventDto,
  ReviewAlerts,
  RiskBreakdown,
  SaveAck,
  SaveAnswer,
} from './hall.ts';

/** Every acknowledgement has this shape: ok with data, or an error a client can show. */
export type AckReply<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };
export type Ack<T> = (reply: AckReply<T>) => void;

export const whoamiReplySchema = z.object({
  user: publicUserSchema.nullable(),
  sessionId: z.uuid().nullable(),
  attemptId: z.uuid().nullable(),
});
export type WhoamiReply = z.infer<typeof whoamiReplySchema>;

export interface ServerToClientEvents {
  /** The session behind this socket was revoked or signed out; the socket closes next. */
  'session:ended': (payload: { reason: string }) => void;
  /** The attempt's clock changed (extension, pause, resume, downtime credit): replace the local one. */
  'attempt:clock': (clock: Clock) => void;
  'attempt:ended': (payload: { attemptId: string; status: string; reason: string }) => void;
  'attempt:message': (payload: { text: string; sentAt: string; from: string }) => void;
  /** The attempt was graded: fetch GET /api/attempts/{id}/result. */
  'attempt:graded': (payload: { attemptId: string }) => void;
  /** The attempt was resumed on another device with a proctor's code: this one's access ended, the socket closes next. */
  'attempt:moved': (payload: AttemptMoved) => void;
  /** Proctors: one participant's row changed. */
  'hall:row': (row: HallRow) => void;
  /** Proctors: progress of several participants at once (answers saved in the last second). */
  'hall:rows': (rows: HallRow[]) => void;
  /** Proctors: a new proctoring event, with the attempt's new risk. */
  'hall:alert': (payload: { event: ProctoringEventDto; risk: RiskBreakdown }) => void;
  'hall:alert-reviewed': (payload: { event: ProctoringEventDto }) => void;
  /** Attendance watchers: someone joined or left (Zoom or hall), or a sync finished: fetch the dashboard. */
  'attendance:changed': (payload: { meetingId: string }) => void;
}

export interface ClientToServerEvents {
  whoami: (ack: Ack<WhoamiReply>) => void;
  'time:sync': (ack: Ack<{ serverTime: string }>) => void;
  'attempt:join': (payload: { attemptId: string; deviceId: string }, ack: Ack<AttemptSnapshot>) => void;
  'answer:save': (payload: SaveAnswer, ack: Ack<SaveAck>) => void;
  'attempt:submit': (payload: { attemptId: string }, ack: Ack<{ status: string; submittedAt: string | null }>) => void;
  'proctor:signal': (payload: ProctorSignal, ack: Ack<{ stored: boolean }>) => void;
  'hall:watch': (payload: { examId: string }, ack: Ack<HallSnapshot>) => void;
  'hall:action': (payload: HallAction, ack: Ack<{ row: HallRow }>) => void;
  'alert:review': (
    payload: { eventId: string; status: 'acknowledged' | 'dismissed' | 'flagged'; note?: string },
    ack: Ack<{ event: ProctoringEventDto }>,
  ) => void;
  /** Proctor: message, pause or resume every live attempt of an exam; answers how many. */
  'hall:bulk': (payload: HallBulk, ack: Ack<HallBulkReply>) => void;
  /** Proctor: acknowledge or dismiss several alerts at once (one transaction). */
  'alert:review-many': (payload: ReviewAlerts, ack: Ack<{ events: ProctoringEventDto[] }>) => void;
  'hall:risk': (payload: { attemptId: string }, ack: Ack<RiskBreakdown>) => void;
  /** Proctor: the private note about one attempt (null when there is none). Never sent to the student. */
  'hall:note': (payload: { attemptId: string }, ack: Ack<AttemptNoteReply>) => void;
  /** Proctor: save (or, with an empty body, delete) the private note; 409 if someone else saved meanwhile. */
  'hall:note-save': (payload: AttemptNoteSave, ack: Ack<AttemptNoteReply>) => void;
  /** Teacher, host or admin: receive 'attendance:changed' for this meeting. */
  'attendance:watch': (payload: { meetingId: string }, ack: Ack<{ watching: true }>) => void;
}

/** Room names, built in one place so both ends agree. */
export const rooms = {
  user: (id: string) => `user:${id}`,
  session: (id: string) => `session:${id}`,
  attempt: (id: string) => `attempt:${id}`,
  examProctors: (id: string) => `exam:${id}:proctors`,
  meetingAttendance: (id: string) => `meeting:${id}:attendance`,
};
