import { z } from 'zod';
import { text } from './common.ts';
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
  /** The grader's feedback on this answer (hand grading), if any. */
  feedback: z.string().nullable().optional(),
});
export type ReviewItem = z.infer<typeof reviewItemSchema>;

/** The student started with an access code and has no password yet: they may keep their account. */
const claimable = { canClaimAccount: z.boolean().optional() };
export const attemptResultSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('not_finished'), status: z.enum(attemptStatuses), ...claimable }),
  /** Submitted; grading runs in the background (seconds). */
  z.object({ state: z.literal('grading'), submittedAt: z.iso.datetime().nullable(), ...claimable }),
  /** Some answers (essays, re-marks) wait for a teacher's mark; the result follows when all are marked. */
  z.object({
    state: z.literal('hand_grading'),
    submittedAt: z.iso.datetime().nullable(),
    pending: z.number().int(),
    ...claimable,
  }),
  /** Graded, but the teacher releases results later. */
  z.object({ state: z.literal('awaiting_release'), submittedAt: z.iso.datetime().nullable(), ...claimable }),
  z.object({
    ...claimable,
    state: z.literal('graded'),
    status: z.enum(attemptStatuses),
    examTitle: z.string(),
    score: z.number(),
    maxScore: z.number(),
    percentage: z.number(),
    passed: z.boolean(),
    passingScore: z.number(),
    /** The teacher set this score by hand (the per-answer marks below may add up differently). */
    scoreAdjusted: z.boolean(),
    gradedAt: z.iso.datetime(),
    submittedAt: z.iso.datetime().nullable(),
    /** Present when the exam allows reviewing one's answers. */
    review: z.array(reviewItemSchema).nullable(),
    /** The attempt's certificate (the live one, else the newest revoked); null while none exists. */
    certificate: z
      .object({
        status: z.enum(['pending', 'minting', 'issued', 'failed', 'revoked']),
        publicId: z.string(),
        verifyUrl: z.string(),
      })
      .nullable(),
    /** A pass in an exam that issues certificates: one is on its way even if `certificate` is still null. */
    certificateExpected: z.boolean(),
  }),
]);
export type AttemptResult = z.infer<typeof attemptResultSchema>;

// ---------------------------------------------------------------- teacher side: results of an exam

/** Attempts that ended and so belong in the results table (terminated = invalidated by a proctor). */
export const endedAttemptStatuses = ['submitted', 'expired', 'abandoned', 'invalidated'] as const;
export type EndedAttemptStatus = (typeof endedAttemptStatuses)[number];
/** Ended attempts that are graded (the others have no score). */
export const gradableAttemptStatuses = ['submitted', 'expired'] as const;

/** The same values as the certificates table's status; named apart from the certificates module's exports. */
export const resultCertificateStatuses = ['pending', 'minting', 'issued', 'failed', 'revoked'] as const;
export type ResultCertificateStatus = (typeof resultCertificateStatuses)[number];

/** The attempt's live certificate, else its newest revoked one. */
export const resultCertificateSchema = z.object({
  id: z.uuid(),
  status: z.enum(resultCertificateStatuses),
  /** For the public verification page, /verify/{publicId}. */
  publicId: z.string(),
});
export type ResultCertificate = z.infer<typeof resultCertificateSchema>;

export const resultRowSchema = z.object({
  attemptId: z.uuid(),
  userId: z.uuid(),
  name: z.string(),
  email: z.string(),
  attemptNumber: z.number().int(),
  status: z.enum(endedAttemptStatuses),
  submittedAt: z.iso.datetime().nullable(),
  gradedAt: z.iso.datetime().nullable(),
  /** Null until graded, and for abandoned or terminated attempts. */
  score: z.number().nullable(),
  maxScore: z.number().nullable(),
  percentage: z.number().nullable(),
  passed: z.boolean().nullable(),
  /** 0..100, from the proctoring signals. */
  riskScore: z.number().int(),
  /** A teacher set the score by hand; automatic regrading leaves it alone. */
  overridden: z.boolean(),
  overrideReason: z.string().nullable(),
  overriddenAt: z.iso.datetime().nullable(),
  certificate: resultCertificateSchema.nullable(),
  /** Answers waiting for a hand mark; the score is provisional (and not counted in the summary) until 0. */
  manualPending: z.number().int().optional(),
});
export type ResultRow = z.infer<typeof resultRowSchema>;

export const resultsSummarySchema = z.object({
  /** Attempts that ended. */
  count: z.number().int(),
  /** Of those, graded ones: the figures below are over these. */
  graded: z.number().int(),
  passedCount: z.number().int(),
  /** Share of graded attempts that passed, 0..1; null when none is graded. */
  passRate: z.number().nullable(),
  meanScore: z.number().nullable(),
  medianScore: z.number().nullable(),
  meanPercentage: z.number().nullable(),
  medianPercentage: z.number().nullable(),
  passingScore: z.number(),
  resultsPolicy: z.enum(['immediately', 'on_release']),
  resultsReleasedAt: z.iso.datetime().nullable(),
});
export type ResultsSummary = z.infer<typeof resultsSummarySchema>;

/** Rows come in name order; the page sorts them (a few thousand at most per exam). */
export const examResultsSchema = z.object({ summary: resultsSummarySchema, rows: z.array(resultRowSchema) });
export type ExamResults = z.infer<typeof examResultsSchema>;

export const resultsReleasedSchema = z.object({
  /** When results were first released; a second release keeps it. */
  resultsReleasedAt: z.iso.datetime(),
  /** True when they had been released before this call (nothing changed). */
  alreadyReleased: z.boolean(),
  /** Graded attempts whose open student pages were told their result is ready. */
  notified: z.number().int(),
});
export type ResultsReleased = z.infer<typeof resultsReleasedSchema>;

// ---------------------------------------------------------------- per-question statistics

/** Below this many graded attempts the upper and lower 27% groups are too small to compare. */
export const DISCRIMINATION_MIN_ATTEMPTS = 10;

export const optionTallySchema = z.object({
  id: z.string(),
  text: z.string(),
  correct: z.boolean(),
  /** Graded attempts that chose this option. */
  count: z.number().int(),
});
export type OptionTally = z.infer<typeof optionTallySchema>;

export const answerTallySchema = z.object({
  text: z.string(),
  /** Graded attempts that gave this answer. */
  count: z.number().int(),
  /** Every one of them earned full marks. */
  correct: z.boolean(),
});
export type AnswerTally = z.infer<typeof answerTallySchema>;

export const handMarksSchema = z.object({
  marked: z.number().int(),
  /** Answers still waiting for a mark. */
  pending: z.number().int(),
  /** Mean mark in points over the marked answers; null when none is marked. */
  mean: z.number().nullable(),
});
export type HandMarks = z.infer<typeof handMarksSchema>;

export const questionStatsSchema = z.object({
  questionId: z.uuid(),
  position: z.number().int(),
  type: z.string(),
  prompt: z.string(),
  points: z.number(),
  /** False for a question removed after attempts had started. */
  active: z.boolean(),
  /** Graded attempts that were given this question. */
  attempts: z.number().int(),
  /** Of those, attempts with an answer. */
  answered: z.number().int(),
  /** Mean share of the points earned, 0..1, unanswered counting 0; null when no graded attempt had it. */
  facility: z.number().nullable(),
  /** Facility in the top 27% by total score minus facility in the bottom 27%, -1..1; null when too few attempts. */
  discrimination: z.number().nullable(),
  /** Choice questions (true/false too): how many attempts chose each option. Null for other types. */
  options: z.array(optionTallySchema).nullable(),
  /**
   * Typed questions (short answer, numeric, fill in the blanks, matching, ordering): the most
   * common answers, normalised (case and white space folded, numbers in the key's unit), most
   * frequent first, at most 10. Absent or null for other types.
   */
  answers: z.array(answerTallySchema).nullish(),
  /** Hand-marked questions (essays): marks given so far. Absent or null for other types. */
  handMarks: handMarksSchema.nullish(),
});
export type QuestionStats = z.infer<typeof questionStatsSchema>;

export const questionStatsResponseSchema = z.object({
  gradedAttempts: z.number().int(),
  discrimination: z.object({
    available: z.boolean(),
    /** Attempts in each of the upper and lower groups (27% of the graded attempts, rounded). */
    groupSize: z.number().int(),
    /** Why discrimination is null, when it is. */
    reason: z.string().nullable(),
  }),
  questions: z.array(questionStatsSchema),
});
export type QuestionStatsResponse = z.infer<typeof questionStatsResponseSchema>;

// ---------------------------------------------------------------- manual score override

export const SCORE_OVERRIDE_REASON_MIN = 3;
export const SCORE_OVERRIDE_REASON_MAX = 500;

export const scoreOverrideSchema = z.object({
  score: z
    .number({ error: 'Score must be a number' })
    .min(0, 'Score must be 0 or more')
    // Stored as numeric(10,2): reject what would be rounded silently (with float slack).
    .refine((n) => Math.abs(Math.round(n * 100) - n * 100) < 1e-6, 'Score may have at most 2 decimal places'),
  reason: text({ error: 'Give a reason' })
    .trim()
    .min(SCORE_OVERRIDE_REASON_MIN, `Reason must be at least ${SCORE_OVERRIDE_REASON_MIN} characters`)
    .max(SCORE_OVERRIDE_REASON_MAX, `Reason must be at most ${SCORE_OVERRIDE_REASON_MAX} characters`),
});
export type ScoreOverride = z.infer<typeof scoreOverrideSchema>;

/** Answer to an override: the attempt's row as the results table shows it. */
export const scoreOverriddenSchema = z.object({ row: resultRowSchema });
export type ScoreOverridden = z.infer<typeof scoreOverriddenSchema>;
