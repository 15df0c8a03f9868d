// The live exam hall over Socket.IO: every event name and payload, both directions.
// The server validates every inbound payload with these schemas; the browser uses
// the same ones to type its calls.
import { z } from 'zod';
import { text } from './common.ts';
import { accommodationSummarySchema } from './accommodations.ts';
import { cameraStates } from './camera.ts';
import { accessCodeInputSchema, attemptStatuses } from './attempts.ts';
import { emailSchema } from './auth.ts';
import { examStatuses } from './exams.ts';

// ---------------------------------------------------------------- shared pieces

/** The signals the camera detector raises (protocol/src/camera.ts), on the student's device; each carries a confidence and may carry one evidence frame. */
export const cameraSignalTypes = [
  'camera_denied',
  'camera_off',
  'no_face',
  'multi_person',
  'gaze_offscreen',
  'face_mismatch',
] as const;
export const proctorSignalTypes = [
  'tab_hidden',
  'window_blur',
  'fullscreen_exit',
  'copy',
  'cut',
  'paste',
  'context_menu',
  'offline',
  'second_device',
  ...cameraSignalTypes,
] as const;
export type ProctorSignalType = (typeof proctorSignalTypes)[number];
export const severities = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof severities)[number];
export const proctoringReviewStatuses = ['open', 'acknowledged', 'dismissed', 'flagged'] as const;
export type ProctoringReviewStatus = (typeof proctoringReviewStatuses)[number];

/** How much each signal adds to an attempt's risk score (0-100), and how serious it is. */
export const SIGNAL_WEIGHTS: Record<ProctorSignalType, { severity: Severity; weight: number }> = {
  tab_hidden: { severity: 'medium', weight: 10 },
  window_blur: { severity: 'low', weight: 3 },
  fullscreen_exit: { severity: 'medium', weight: 10 },
  copy: { severity: 'medium', weight: 8 },
  cut: { severity: 'medium', weight: 8 },
  paste: { severity: 'high', weight: 12 },
  context_menu: { severity: 'low', weight: 2 },
  offline: { severity: 'low', weight: 2 },
  second_device: { severity: 'high', weight: 25 },
  camera_denied: { severity: 'high', weight: 15 },
  camera_off: { severity: 'medium', weight: 10 },
  no_face: { severity: 'medium', weight: 10 },
  multi_person: { severity: 'high', weight: 20 },
  gaze_offscreen: { severity: 'low', weight: 5 },
  face_mismatch: { severity: 'critical', weight: 30 },
};

export const riskBreakdownSchema = z.object({
  score: z.number().int().min(0).max(100),
  items: z.array(
    z.object({
      type: z.string(),
      count: z.number().int(),
      weight: z.number(),
      /** count x weight, each event scaled by its confidence (signals without one count in full). */
      points: z.number(),
      /** Mean confidence of the events that carry one (camera signals); null when none does. */
      confidence: z.number().nullable().optional(),
    }),
  ),
});
export type RiskBreakdown = z.infer<typeof riskBreakdownSchema>;

const uuid = z.uuid('must be a UUID');
/** Per-attempt autosave sequence: strictly increasing per browser outbox. */
const seq = z.number().int('seq must be a whole number').min(1, 'seq starts at 1').max(Number.MAX_SAFE_INTEGER);

// ---------------------------------------------------------------- student: join and snapshot

export const joinAttemptSchema = z.object({
  attemptId: uuid,
  /** Random id the browser keeps in localStorage: two ids on one attempt = two devices. */
  deviceId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'deviceId must be 8-64 url-safe characters'),
});

export const hallStudentQuestionSchema = z.object({
  id: z.uuid(),
  type: z.string(),
  prompt: z.string(),
  points: z.number(),
  content: z.record(z.string(), z.unknown()),
});

export const savedAnswerSchema = z.object({
  questionId: z.uuid(),
  response: z.unknown().nullable(),
  flagged: z.boolean(),
  seq: z.number().int(),
});
export type SavedAnswer = z.infer<typeof savedAnswerSchema>;

export const clockSchema = z.object({
  attemptId: z.uuid(),
  status: z.enum(attemptStatuses),
  deadlineAt: z.iso.datetime().nullable(),
  pausedAt: z.iso.datetime().nullable(),
  serverTime: z.iso.datetime(),
  /** Why the clock changed: started, extended, paused, resumed, disconnect_credit. */
  reason: z.string().optional(),
  /** All extra time proctors have given this attempt so far (cumulative, not this change). */
  extraSeconds: z.number().int().optional(),
  /** Seconds this change moved the deadline (extensions: + added, - taken), so the page need not guess. */
  deltaSeconds: z.number().int().optional(),
  /** The proctor's reason, when a pause gave one. */
  pauseReason: z.string().optional(),
  /** With reason 'accommodation': the student's extra time now, for the message they read. */
  accommodation: z.object({ extraTimeMinutes: z.number().int(), extraTimePercent: z.number().int() }).optional(),
});
export type Clock = z.infer<typeof clockSchema>;

export const attemptSnapshotSchema = z.object({
  attempt: z.object({
    id: z.uuid(),
    examId: z.uuid(),
    examTitle: z.string(),
    instructions: z.string().nullable(),
    status: z.enum(attemptStatuses),
    blockCopyPaste: z.boolean(),
    requireFullscreen: z.boolean(),
    proctored: z.boolean(),
  }),
  clock: clockSchema,
  questions: z.array(hallStudentQuestionSchema),
  answers: z.array(savedAnswerSchema),
  /** Highest save sequence the server has applied for this attempt. */
  lastSeq: z.number().int(),
});
export type AttemptSnapshot = z.infer<typeof attemptSnapshotSchema>;

// ---------------------------------------------------------------- student: saves, submit, signals

export const saveAnswerSchema = z.object({
  attemptId: uuid,
  seq,
  questionId: uuid,
  /** null clears the answer. Shape depends on the question type (validated server-side). */
  response: z.unknown().nullable(),
  flagged: z.boolean().default(false),
  /**
   * Seconds the page showed this question, visible, since its previous save from this page.
   * Added to the answer's time only when this save is applied (a replay adds nothing), and
   * capped by the server at the attempt's running time not yet counted on any answer.
   */
  timeSpentSeconds: z
    .number()
    .int('timeSpentSeconds must be whole seconds')
    .min(0, 'timeSpentSeconds cannot be negative')
    .max(86_400, 'timeSpentSeconds must be at most 86400')
    .default(0),
});
export type SaveAnswer = z.infer<typeof saveAnswerSchema>;
export const saveAckSchema = z.object({
  seq: z.number().int(),
  /** false when a newer save for the same question had already been applied (the stale one is dropped). */
  applied: z.boolean(),
  savedAt: z.iso.datetime(),
});
export type SaveAck = z.infer<typeof saveAckSchema>;

export const submitAttemptSchema = z.object({ attemptId: uuid });
export const submitAckSchema = z.object({ status: z.enum(attemptStatuses), submittedAt: z.iso.datetime().nullable() });

export const proctorSignalSchema = z.object({
  attemptId: uuid,
  type: z.enum(proctorSignalTypes),
  /** Client id of the event, so replays after a reconnect are stored once. */
  clientEventId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'clientEventId must be 8-64 url-safe characters'),
  /** Milliseconds the condition lasted (tab hidden, offline), when known. */
  durationMs: z.number().int().min(0).max(86_400_000).optional(),
  questionId: uuid.optional(),
  /** Camera signals: how sure the detector is (0-1). */
  confidence: z
    .number()
    .min(0, 'confidence must be between 0 and 1')
    .max(1, 'confidence must be between 0 and 1')
    .optional(),
  /** Camera signals: what the detector measured (faces seen, degrees turned, similarity), for the proctor to read. */
  measure: z
    .object({
      faces: z.number().int().min(0).max(20).optional(),
      degrees: z.number().min(-180).max(180).optional(),
      similarity: z.number().min(0).max(1).optional(),
    })
    .strict()
    .optional(),
});
export type ProctorSignal = z.infer<typeof proctorSignalSchema>;

export const timeSyncAckSchema = z.object({ serverTime: z.iso.datetime() });

// ---------------------------------------------------------------- proctor: roster and actions

export const hallRowSchema = z.object({
  participantId: z.uuid(),
  userId: z.uuid(),
  name: z.string(),
  email: z.string(),
  attemptId: z.uuid().nullable(),
  status: z.union([z.enum(attemptStatuses), z.literal('not_started')]),
  answered: z.number().int(),
  questionCount: z.number().int(),
  deadlineAt: z.iso.datetime().nullable(),
  pausedAt: z.iso.datetime().nullable(),
  connections: z.number().int(),
  devices: z.number().int(),
  /** When the last connection closed, if none is open now. */
  disconnectedSince: z.iso.datetime().nullable(),
  riskScore: z.number().int(),
  openAlerts: z.number().int(),
  submittedAt: z.iso.datetime().nullable(),
  /** The participant's extra time ("25% + 10 min"), own window or extra attempts, when any. */
  accommodation: accommodationSummarySchema.nullable().optional(),
  /** Camera proctoring: the state the student's page last reported, and the identity score. */
  camera: z
    .object({
      state: z.enum(cameraStates),
      at: z.iso.datetime(),
      faceVerificationScore: z.number().nullable(),
    })
    .nullable()
    .optional(),
});
export type HallRow = z.infer<typeof hallRowSchema>;

export const proctoringEventSchema = z.object({
  id: z.uuid(),
  attemptId: z.uuid(),
  userId: z.uuid(),
  type: z.string(),
  severity: z.enum(severities),
  occurredAt: z.iso.datetime(),
  reviewStatus: z.enum(proctoringReviewStatuses),
  details: z.record(z.string(), z.unknown()),
  /** Camera signals: the detector's confidence (0-1). */
  confidence: z.number().nullable().optional(),
  /** The evidence frame kept for this alert, if the exam keeps evidence (fetch its address with evidence url). */
  evidence: z
    .object({ id: z.uuid(), deletedAt: z.iso.datetime().nullable(), expiresAt: z.iso.datetime() })
    .nullable()
    .optional(),
});
export type ProctoringEventDto = z.infer<typeof proctoringEventSchema>;

export const watchExamSchema = z.object({ examId: uuid });
export const hallSnapshotSchema = z.object({
  examId: z.uuid(),
  examTitle: z.string(),
  rows: z.array(hallRowSchema),
  alerts: z.array(proctoringEventSchema),
  serverTime: z.iso.datetime(),
});
export type HallSnapshot = z.infer<typeof hallSnapshotSchema>;

/** Proctors add or take at most this many minutes in one go. */
export const MAX_EXTEND_MINUTES = 600;
/** Taking time never leaves a running attempt with less than this. */
export const MIN_SECONDS_LEFT_AFTER_TAKING = 60;

export const hallActionSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('extend'),
    attemptId: uuid,
    /** Positive adds time, negative takes it away (never below 1 minute left: the server checks). */
    minutes: z
      .number('minutes must be a whole number')
      .int('minutes must be a whole number')
      .min(-MAX_EXTEND_MINUTES, `At most ${MAX_EXTEND_MINUTES} minutes can be taken`)
      .max(MAX_EXTEND_MINUTES, `At most ${MAX_EXTEND_MINUTES} minutes can be added`)
      .refine((m) => m !== 0, 'Enter a number of minutes other than 0 (negative takes time away)'),
  }),
  z.object({ action: z.literal('pause'), attemptId: uuid, reason: text().trim().max(500).optional() }),
  z.object({ action: z.literal('resume'), attemptId: uuid }),
  z.object({
    action: z.literal('terminate'),
    attemptId: uuid,
    reason: text().trim().min(3, 'Give a reason (at least 3 characters)').max(500),
    /** The alert this answers: it records the action session_terminated. */
    alertId: uuid.optional(),
  }),
  z.object({
    action: z.literal('message'),
    attemptId: uuid,
    text: text().trim().min(1, 'Write a message').max(1000),
    /** The alert this warning answers: it records the action warning_sent. */
    alertId: uuid.optional(),
  }),
]);
export type HallAction = z.infer<typeof hallActionSchema>;

/** Everyone in an exam's hall at once: message every live attempt, or pause / resume all of them. */
export const hallBulkSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('message'), examId: uuid, text: text().trim().min(1, 'Write a message').max(1000) }),
  z.object({ action: z.literal('pause'), examId: uuid, reason: text().trim().max(500).optional() }),
  z.object({ action: z.literal('resume'), examId: uuid }),
]);
export type HallBulk = z.infer<typeof hallBulkSchema>;
/** How many attempts the bulk action changed (or reached, for a message). */
export const hallBulkReplySchema = z.object({
  action: z.enum(['message', 'pause', 'resume']),
  count: z.number().int(),
});
export type HallBulkReply = z.infer<typeof hallBulkReplySchema>;

/** At most this many alerts are reviewed in one go. */
export const MAX_BULK_REVIEW = 500;
/** What a proctor may decide about one alert. */
export const alertReviewStatuses = ['acknowledged', 'dismissed', 'flagged'] as const;
export type AlertReviewStatus = (typeof alertReviewStatuses)[number];
export const reviewAlertsSchema = z.object({
  eventIds: z
    .array(uuid)
    .min(1, 'Choose at least one alert')
    .max(MAX_BULK_REVIEW, `At most ${MAX_BULK_REVIEW} alerts at once`),
  status: z.enum(['acknowledged', 'dismissed']),
});
export type ReviewAlerts = z.infer<typeof reviewAlertsSchema>;

export const reviewAlertSchema = z.object({
  eventId: uuid,
  status: z.enum(alertReviewStatuses),
  note: text().trim().max(1000).optional(),
});

export const studentMessageSchema = z.object({ text: z.string(), sentAt: z.iso.datetime(), from: z.string() });
export const attemptEndedSchema = z.object({
  attemptId: z.uuid(),
  status: z.enum(attemptStatuses),
  reason: z.string(),
});

export const watchableExamSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  status: z.enum(examStatuses),
  startsAt: z.iso.datetime().nullable(),
  endsAt: z.iso.datetime().nullable(),
  availableAnytime: z.boolean(),
  inProgress: z.number().int(),
  participants: z.number().int(),
});
export const watchableExamsResponseSchema = z.object({ exams: z.array(watchableExamSchema) });
export type WatchableExam = z.infer<typeof watchableExamSchema>;

// ---------------------------------------------------------------- resume on another device

/** Proctor: a one-time code that lets the student carry on the same attempt on another device. */
export const resumeCodeResponseSchema = z.object({
  attemptId: z.uuid(),
  /** Shown once: only its HMAC is stored. Looks like an access code (7KQM-3XTR-9PWD). */
  code: z.string(),
  expiresAt: z.iso.datetime(),
});
export type ResumeCodeResponse = z.infer<typeof resumeCodeResponseSchema>;

/** Student, on the new device: the invited email and the resume code from the proctor. */
export const resumeWithCodeBodySchema = z.object({ email: emailSchema, code: accessCodeInputSchema });
export type ResumeWithCodeBody = z.infer<typeof resumeWithCodeBodySchema>;

/** The attempt continues on another device: this device's access to it ended. */
export const attemptMovedSchema = z.object({ attemptId: z.uuid(), reason: z.literal('resumed_elsewhere') });
export type AttemptMoved = z.infer<typeof attemptMovedSchema>;

// ---------------------------------------------------------------- proctor: private notes

/** A proctor's note about one student's attempt: proctors, teachers and admins of the exam only, never the student. */
export const ATTEMPT_NOTE_MAX = 2000;
export const attemptNoteQuerySchema = z.object({ attemptId: uuid });
export const attemptNoteSaveSchema = z.object({
  attemptId: uuid,
  /** Empty (after trimming) deletes the note. */
  body: text().trim().max(ATTEMPT_NOTE_MAX, `A note is at most ${ATTEMPT_NOTE_MAX} characters`),
  /**
   * updatedAt of the note this edit started from (null: there was none). When another
   * proctor saved in between, the save is refused (409) instead of overwriting theirs.
   */
  baseUpdatedAt: z.iso.datetime('baseUpdatedAt must be an ISO date-time').nullable().optional(),
});
export type AttemptNoteSave = z.infer<typeof attemptNoteSaveSchema>;
export const attemptNoteSchema = z.object({
  attemptId: z.uuid(),
  body: z.string(),
  updatedAt: z.iso.datetime(),
  /** Who saved it last; null when that account is gone. */
  updatedBy: z.object({ id: z.uuid(), name: z.string() }).nullable(),
});
export type AttemptNote = z.infer<typeof attemptNoteSchema>;
export const attemptNoteReplySchema = z.object({ note: attemptNoteSchema.nullable() });
export type AttemptNoteReply = z.infer<typeof attemptNoteReplySchema>;
