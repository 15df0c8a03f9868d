import { z } from 'zod';
import { line } from './common.ts';
import { emailSchema } from './auth.ts';
import { proctoringSettingsSchema, startModes } from './exams.ts';
import { accommodationSummarySchema } from './accommodations.ts';

export const attemptStatuses = [
  'not_started',
  'in_progress',
  'paused',
  'submitted',
  'expired',
  'abandoned',
  'invalidated',
] as const;
export type AttemptStatus = (typeof attemptStatuses)[number];

/** Access codes are typed by people: case, spaces and dashes do not matter. */
export const accessCodeInputSchema = line({ error: 'Access code is required' })
  .trim()
  .min(1, 'Enter your access code')
  .max(40, 'That is too long to be an access code');

export const startWithCodeBodySchema = z.object({ email: emailSchema, code: accessCodeInputSchema });
export type StartWithCodeBody = z.infer<typeof startWithCodeBodySchema>;

export const attemptSummarySchema = z.object({
  id: z.uuid(),
  examId: z.uuid(),
  examTitle: z.string(),
  status: z.enum(attemptStatuses),
  attemptNumber: z.number().int(),
  startedAt: z.iso.datetime().nullable(),
  deadlineAt: z.iso.datetime().nullable(),
  /** Set while a proctor has paused the attempt (its clock is stopped). */
  pausedAt: z.iso.datetime().nullable(),
  submittedAt: z.iso.datetime().nullable(),
  questionCount: z.number().int(),
  durationMinutes: z.number().int(),
});
export type AttemptSummary = z.infer<typeof attemptSummarySchema>;

export const attemptResponseSchema = z.object({
  attempt: attemptSummarySchema,
  /** The server's clock when it answered, so the browser can correct its own. */
  serverTime: z.iso.datetime(),
});
export type AttemptResponse = z.infer<typeof attemptResponseSchema>;

export const myExamSchema = z.object({
  examId: z.uuid(),
  title: z.string(),
  durationMinutes: z.number().int(),
  availableAnytime: z.boolean(),
  startsAt: z.iso.datetime().nullable(),
  endsAt: z.iso.datetime().nullable(),
  attemptsUsed: z.number().int(),
  maxAttempts: z.number().int(),
  latestAttempt: z
    .object({ id: z.uuid(), status: z.enum(attemptStatuses), deadlineAt: z.iso.datetime().nullable() })
    .nullable(),
  canStart: z.boolean(),
  /** Why the student cannot start now, in words they can act on. */
  reason: z.string().nullable(),
});
export type MyExam = z.infer<typeof myExamSchema>;

/** The attempt cookie holds `{attemptId}.{token}`; it lets a student without an account reach their attempt. */
export const ATTEMPT_COOKIE = 'eh_attempt';

/**
 * The lobby: everything a student should know before the clock starts. The attempt
 * exists (the access code is spent) but is `not_started` until the student begins it.
 */
export const attemptLobbySchema = z.object({
  attempt: attemptSummarySchema,
  exam: z.object({
    title: z.string(),
    description: z.string().nullable(),
    instructions: z.string().nullable(),
    durationMinutes: z.number().int(),
    questionCount: z.number().int(),
    maxAttempts: z.number().int(),
    /** When the exam's window closes (null when available anytime): the deadline never falls after it. */
    endsAt: z.iso.datetime().nullable(),
    startMode: z.enum(startModes),
    /** In proctor start mode: whether a proctor has opened the hall yet. */
    hallOpen: z.boolean(),
    proctoring: proctoringSettingsSchema,
    disconnectPolicy: z.enum(['strict', 'credit']),
    disconnectCreditMaxMinutes: z.number().int(),
  }),
  /** The student's own accommodation (extra time, own window, extra attempts), when they have one. */
  accommodation: accommodationSummarySchema.nullable().optional(),
  /** Whether the Start button works now (student mode, or the hall is open). */
  canBegin: z.boolean(),
  serverTime: z.iso.datetime(),
});
export type AttemptLobby = z.infer<typeof attemptLobbySchema>;

/** The lobby as a proctor sees it: the start mode, whether the hall is open, and who is waiting. */
export const hallLobbySchema = z.object({
  examId: z.uuid(),
  startMode: z.enum(startModes),
  hallOpenedAt: z.iso.datetime().nullable(),
  /** Students in the lobby: entered with their code (or from My exams) but not started. */
  waiting: z.number().int(),
});
export type HallLobby = z.infer<typeof hallLobbySchema>;

/** Pushed to a lobby (as an `attempt:clock` reason) when the proctor opens the hall. */
export const HALL_OPENED_REASON = 'hall_opened';

/**
 * Pushed (as an `attempt:clock` reason) by a server process whose Redis connection came back:
 * the attempt's clock as it is now, read again, for the changes whose pushes were lost meanwhile.
 */
export const RESYNC_CLOCK_REASON = 'resync';
