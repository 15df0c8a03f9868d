import { z } from 'zod';
import { attemptStatuses } from './attempts.ts';

export const reviewItemSchema = z.object({
  questionId: z.uuid(),
  type: z.string(),
  prompt: z.string(),
  points: z.number(),
  pointsAwarded: z.number(),
  correct: z.boolean(),
  /** Options in the order this student saw them (choice types). */
  content: z.record(z.string(), z.unknown()),
  response: z.unknown().nullable(),
  answerKey: z.unknown(),
  explanation: z.string().nullable(),
});
export type ReviewItem = z.infer<typeof reviewItemSchema>;

export const attemptResultSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('not_finished'), status: z.enum(attemptStatuses) }),
  /** Submitted; grading runs in the background (seconds). */
  z.object({ state: z.literal('grading'), submittedAt: z.iso.datetime().nullable() }),
  /** Graded, but the teacher releases results later. */
  z.object({ state: z.literal('awaiting_release'), submittedAt: z.iso.datetime().nullable() }),
  z.object({
    state: z.literal('graded'),
    status: z.enum(attemptStatuses),
    examTitle: z.string(),
    score: z.number(),
    maxScore: z.number(),
    percentage: z.number(),
    passed: z.boolean(),
    passingScore: z.number(),
    gradedAt: z.iso.datetime(),
    submittedAt: z.iso.datetime().nullable(),
    /** Present when the exam allows reviewing one's answers. */
    review: z.array(reviewItemSchema).nullable(),
  }),
]);
export type AttemptResult = z.infer<typeof attemptResultSchema>;
