// The socket contract, once: a table per direction, event name to payload schema (and,
// for client events, ack schema). Socket.IO's event maps, the server's handler table,
// the room publisher and the web's typed request() are all derived from these tables.
import { z } from 'zod';
import { publicUserSchema } from './auth.ts';
import {
  attemptEndedSchema,
  attemptMovedSchema,
  attemptNoteQuerySchema,
  attemptNoteReplySchema,
  attemptNoteSaveSchema,
  attemptSnapshotSchema,
  clockSchema,
  hallActionSchema,
  hallBulkReplySchema,
  hallBulkSchema,
  hallRowSchema,
  hallSnapshotSchema,
  joinAttemptSchema,
  proctorSignalSchema,
  proctoringEventSchema,
  reviewAlertSchema,
  reviewAlertsSchema,
  riskBreakdownSchema,
  saveAckSchema,
  saveAnswerSchema,
  studentMessageSchema,
  submitAckSchema,
  submitAttemptSchema,
  timeSyncAckSchema,
  watchExamSchema,
} from './hall.ts';
import { watchAttendanceSchema } from './zoom.ts';
import { cameraStatusSchema, hallCameraSchema } from './camera.ts';

/** Every acknowledgement has this shape: ok with data, or an error a client can show. */
export type AckReply<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };
export type Ack<T> = (reply: AckReply<T>) => void;

export const whoamiReplySchema = z.object({
  user: publicUserSchema.nullable(),
  sessionId: z.uuid().nullable(),
  attemptId: z.uuid().nullable(),
});
export type WhoamiReply = z.infer<typeof whoamiReplySchema>;

const attemptIdSchema = z.object({ attemptId: z.uuid('must be a UUID') });
export const proctorSignalAckSchema = z.object({
  stored: z.boolean(),
  /** The stored alert's id, when the exam keeps evidence: upload its frame with evidence upload. */
  eventId: z.uuid().optional(),
  /** True when the exam keeps evidence for this signal: the page uploads one frame. */
  wantsEvidence: z.boolean().optional(),
});
export const cameraStatusAckSchema = z.object({ state: z.string() });
export const hallActionReplySchema = z.object({ row: hallRowSchema });
export const reviewAlertReplySchema = z.object({ event: proctoringEventSchema });
export const reviewAlertsReplySchema = z.object({ events: z.array(proctoringEventSchema) });
export const attendanceWatchReplySchema = z.object({ watching: z.literal(true) });
/**
 * One participant's progress after saves: only the answered count changed, so the hall
 * sends this (about 100 bytes) instead of the whole roster row (about 430).
 */
export const hallProgressItemSchema = z.object({
  participantId: z.uuid(),
  /** The attempt it counts; a page showing another attempt of the participant ignores it. */
  attemptId: z.uuid(),
  answered: z.number().int().min(0),
});
export type HallProgressItem = z.infer<typeof hallProgressItemSchema>;

/** Client to server: payload schema (null: the event has no payload) and ack schema. */
export const clientEvents = {
  whoami: { payload: null, ack: whoamiReplySchema },
  'time:sync': { payload: null, ack: timeSyncAckSchema },
  'attempt:join': { payload: joinAttemptSchema, ack: attemptSnapshotSchema },
  'answer:save': { payload: saveAnswerSchema, ack: saveAckSchema },
  'attempt:submit': { payload: submitAttemptSchema, ack: submitAckSchema },
  'proctor:signal': { payload: proctorSignalSchema, ack: proctorSignalAckSchema },
  /** Student: the camera's state changed (on, no face, off, denied); proctors see it in the hall. */
  'camera:status': { payload: cameraStatusSchema, ack: cameraStatusAckSchema },
  'hall:watch': { payload: watchExamSchema, ack: hallSnapshotSchema },
  'hall:action': { payload: hallActionSchema, ack: hallActionReplySchema },
  'alert:review': { payload: reviewAlertSchema, ack: reviewAlertReplySchema },
  /** Proctor: message, pause or resume every live attempt of an exam; answers how many. */
  'hall:bulk': { payload: hallBulkSchema, ack: hallBulkReplySchema },
  /** Proctor: acknowledge or dismiss several alerts at once (one transaction). */
  'alert:review-many': { payload: reviewAlertsSchema, ack: reviewAlertsReplySchema },
  'hall:risk': { payload: attemptIdSchema, ack: riskBreakdownSchema },
  /** Proctor: the private note about one attempt (null when there is none). Never sent to the student. */
  'hall:note': { payload: attemptNoteQuerySchema, ack: attemptNoteReplySchema },
  /** Proctor: save (or, with an empty body, delete) the private note; 409 if someone else saved meanwhile. */
  'hall:note-save': { payload: attemptNoteSaveSchema, ack: attemptNoteReplySchema },
  /** Teacher, host or admin: receive 'attendance:changed' for this meeting. */
  'attendance:watch': { payload: watchAttendanceSchema, ack: attendanceWatchReplySchema },
} as const satisfies Record<string, { payload: z.ZodType | null; ack: z.ZodType }>;

/** Server to client: payload schema. */
export const serverEvents = {
  /** The session behind this socket was revoked or signed out; the socket closes next. */
  'session:ended': z.object({ reason: z.string() }),
  /** The attempt's clock changed (extension, pause, resume, downtime credit): replace the local one. */
  'attempt:clock': clockSchema,
  'attempt:ended': attemptEndedSchema,
  'attempt:message': studentMessageSchema,
  /** The attempt was graded: fetch GET /api/attempts/{id}/result. */
  'attempt:graded': z.object({ attemptId: z.uuid() }),
  /** The attempt was resumed on another device with a proctor's code: this one's access ended, the socket closes next. */
  'attempt:moved': attemptMovedSchema,
  /** Proctors: one participant's row changed. */
  'hall:row': hallRowSchema,
  /** Proctors: progress of several participants at once (answers saved in the last second). */
  'hall:rows': z.array(hallRowSchema),
  /** Proctors: answered counts that changed with saves (about once a second, in chunks of at most 500). */
  'hall:progress': z.array(hallProgressItemSchema),
  /** Proctors: a new proctoring event, with the attempt's new risk. */
  'hall:alert': z.object({ event: proctoringEventSchema, risk: riskBreakdownSchema }),
  'hall:alert-reviewed': z.object({ event: proctoringEventSchema }),
  /** Proctors: one student's camera state changed. */
  'hall:camera': hallCameraSchema,
  /** Attendance watchers: someone joined or left (Zoom or hall), or a sync finished: fetch the dashboard. */
  'attendance:changed': z.object({ meetingId: z.string() }),
} as const satisfies Record<string, z.ZodType>;

export type ClientEvent = keyof typeof clientEvents;
export type ServerEvent = keyof typeof serverEvents;
type PayloadSchemaOf<E extends ClientEvent> = (typeof clientEvents)[E]['payload'];
/** What a client sends with event E (undefined when it sends nothing but the ack). */
export type ClientPayload<E extends ClientEvent> =
  PayloadSchemaOf<E> extends z.ZodType ? z.input<PayloadSchemaOf<E>> : undefined;
/** What the server's handler receives for event E, once the schema has parsed it. */
export type ClientPayloadParsed<E extends ClientEvent> =
  PayloadSchemaOf<E> extends z.ZodType ? z.output<PayloadSchemaOf<E>> : undefined;
/** The data of event E's ack. */
export type ClientAck<E extends ClientEvent> = z.output<(typeof clientEvents)[E]['ack']>;
/** The payload of server event E. */
export type ServerPayload<E extends ServerEvent> = z.output<(typeof serverEvents)[E]>;

/** Socket.IO's event maps, derived from the tables above. */
export type ClientToServerEvents = {
  [E in ClientEvent]: PayloadSchemaOf<E> extends z.ZodType
    ? (payload: ClientPayload<E>, ack: Ack<ClientAck<E>>) => void
    : (ack: Ack<ClientAck<E>>) => void;
};
export type ServerToClientEvents = { [E in ServerEvent]: (payload: ServerPayload<E>) => void };

/** Room names, built in one place so both ends agree. */
export const rooms = {
  user: (id: string) => `user:${id}`,
  session: (id: string) => `session:${id}`,
  attempt: (id: string) => `attempt:${id}`,
  examProctors: (id: string) => `exam:${id}:proctors`,
  meetingAttendance: (id: string) => `meeting:${id}:attendance`,
};

/** The exam of a room made by `rooms.examProctors`, or undefined for any other room. */
export const examOfProctorsRoom = (room: string): string | undefined => /^exam:(.+):proctors$/.exec(room)?.[1];
