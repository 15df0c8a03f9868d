// Grading by hand: the queue of answers waiting for a mark, the student's answer sheet,
// a mark with feedback per question, and asking for a re-mark.
import { z } from 'zod';
import { text } from './common.ts';
import { attemptStatuses } from './attempts.ts';

export const MAX_FEEDBACK = 5000;

export const gradingAttemptParamsSchema = z.object({
  examId: z.uuid('examId must be a UUID'),
  attemptId: z.uuid('attemptId must be a UUID'),
});
export const gradingAnswerParamsSchema = gradingAttemptParamsSchema.extend({
  questionId: z.uuid('questionId must be a UUID'),
});

/** Who took the attempt; with blind grading only the label, stable per attempt ("Candidate 7"). */
export const candidateSchema = z.object({
  label: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
});
export type Candidate = z.infer<typeof candidateSchema>;

/** Why an answer waits: an essay (marked by hand only) or a teacher asked for a re-mark. */
export const pendingReasons = ['essay', 'remark'] as const;
export type PendingReason = (typeof pendingReasons)[number];

export const gradingQueueItemSchema = z.object({
  attemptId: z.uuid(),
  questionId: z.uuid(),
  reason: z.enum(pendingReasons),
});

export const gradingQueueSchema = z.object({
  examId: z.uuid(),
  examTitle: z.string(),
  blind: z.boolean(),
  /** Answers waiting for a mark, and the attempts they belong to. */
  pendingAnswers: z.number().int(),
  pendingAttempts: z.number().int(),
  /** Ended attempts with at least one answer waiting, oldest submission first. */
  byAttempt: z.array(
    z.object({
      attemptId: z.uuid(),
      candidate: candidateSchema,
      submittedAt: z.iso.datetime().nullable(),
      pending: z.number().int(),
    }),
  ),
  /** The same answers by question, in exam order (bank questions after the exam's own). */
  byQuestion: z.array(
    z.object({
      questionId: z.uuid(),
      type: z.string(),
      prompt: z.string(),
      points: z.number(),
      pending: z.number().int(),
    }),
  ),
  items: z.array(gradingQueueItemSchema),
});
export type GradingQueue = z.infer<typeof gradingQueueSchema>;

export const markerSchema = z.object({ userId: z.uuid().nullable(), name: z.string().nullable() });

export const sheetItemSchema = z.object({
  questionId: z.uuid(),
  /** 1-based, in the order the student saw the questions. */
  number: z.number().int(),
  type: z.string(),
  prompt: z.string(),
  /** What the question is worth in this attempt (a drawn bank question: its section's points). */
  points: z.number(),
  /** The question's content as its author wrote it (options, gaps, rubric-free essay settings). */
  content: z.record(z.string(), z.unknown()),
  answerKey: z.unknown(),
  explanation: z.string().nullable(),
  response: z.unknown().nullable(),
  answered: z.boolean(),
  /** The mark the question type gives automatically; null for essays (hand marked only). */
  autoPoints: z.number().nullable(),
  /** The mark that counts now (the hand mark when there is one). */
  pointsAwarded: z.number().nullable(),
  correct: z.boolean().nullable(),
  needsManual: z.boolean(),
  manualPoints: z.number().nullable(),
  feedback: z.string().nullable(),
  rubricMarks: z.record(z.string(), z.number()).nullable(),
  markedBy: markerSchema.nullable(),
  markedAt: z.iso.datetime().nullable(),
  /** Seconds the student's page showed this question (0: not measured, e.g. never opened). */
  timeSpentSeconds: z.number().int().min(0),
});
export type SheetItem = z.infer<typeof sheetItemSchema>;

export const answerSheetSchema = z.object({
  examId: z.uuid(),
  examTitle: z.string(),
  attemptId: z.uuid(),
  blind: z.boolean(),
  candidate: candidateSchema,
  status: z.enum(attemptStatuses),
  submittedAt: z.iso.datetime().nullable(),
  gradedAt: z.iso.datetime().nullable(),
  score: z.number().nullable(),
  maxScore: z.number().nullable(),
  percentage: z.number().nullable(),
  passed: z.boolean().nullable(),
  /** Answers still waiting for a mark: the result is final (and released to the student) at 0. */
  manualPending: z.number().int(),
  /** The teacher set the total by hand (results page); marks below still count for the record. */
  scoreOverridden: z.boolean(),
  items: z.array(sheetItemSchema),
});
export type AnswerSheet = z.infer<typeof answerSheetSchema>;

/** 0 or more with at most 2 decimals, like the numeric(10,2) columns (with float slack). */
const markPoints = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .min(0, `${what} must be 0 or more`)
    .max(100_000, `${what} is too large`)
    .refine((n) => Math.abs(Math.round(n * 100) - n * 100) < 1e-6, `${what} may have at most 2 decimal places`);

export const markInputSchema = z.object({
  points: markPoints('Points'),
  feedback: text({ error: 'Feedback must be a string' })
    .trim()
    .max(MAX_FEEDBACK, `Feedback must be at most ${MAX_FEEDBACK} characters`)
    .nullish(),
  /** Essays with a rubric: criterion id -> points; the sum may not exceed the question's points. */
  rubricMarks: z
    .record(z.string().max(64, 'Criterion id is too long'), markPoints('Criterion points'))
    .refine((r) => Object.keys(r).length <= 20, 'At most 20 rubric marks')
    .nullish(),
  /**
   * The answer's markedAt as the grader saw it (null: unmarked). When someone else marked it
   * meanwhile the mark is refused (409) unless it gives the same points and feedback.
   */
  basedOn: z.iso.datetime({ error: 'basedOn must be an ISO date-time or null' }).nullable(),
});
export type MarkInput = z.infer<typeof markInputSchema>;

export const markSavedSchema = z.object({
  item: sheetItemSchema,
  manualPending: z.number().int(),
  score: z.number().nullable(),
  maxScore: z.number().nullable(),
  /** True when this mark was the last one waiting: the result is final and released. */
  finalized: z.boolean(),
  /** False when the same mark was already saved by someone else (nothing changed). */
  changed: z.boolean(),
});
export type MarkSaved = z.infer<typeof markSavedSchema>;

export const remarkInputSchema = z.object({
  reason: text({ error: 'Reason must be a string' }).trim().max(500, 'Reason must be at most 500 characters').nullish(),
});
export type RemarkInput = z.infer<typeof remarkInputSchema>;

export const remarkQueuedSchema = z.object({ manualPending: z.number().int(), alreadyQueued: z.boolean() });
export type RemarkQueued = z.infer<typeof remarkQueuedSchema>;
