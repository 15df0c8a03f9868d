// Attempts (the seeds' ExamAttempt / ExamSession) and their answers, one row per
// question so each autosave is a small row-level upsert.
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  real,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { appealStatuses, attemptReviewStatuses, attemptStatuses } from '@exam-hall/protocol';
import { createdAt, tstz, updatedAt } from './columns.ts';
import { exams } from './exams.ts';
import { questions } from './questions.ts';
import { examParticipants } from './participants.ts';
import { users } from './users.ts';

export const attemptStatus = pgEnum('attempt_status', attemptStatuses);
export const attemptReviewStatus = pgEnum('attempt_review_status', attemptReviewStatuses);
export const appealStatus = pgEnum('appeal_status', appealStatuses);

/** A question an attempt took from a section: which section, and what it is worth there. */
export type DrawnQuestion = { sectionId: string; points: number };

/** Statuses in which the student may still write answers; at most one such attempt per participant. */
export const LIVE_ATTEMPT_STATUSES = ['in_progress', 'paused'] as const;

export const attempts = pgTable(
  'attempts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // restrict all the way up: an exam that has been taken is soft-deleted, never removed.
    examId: uuid('exam_id')
      .notNull()
      .references(() => exams.id, { onDelete: 'restrict' }),
    participantId: uuid('participant_id')
      .notNull()
      .references(() => examParticipants.id, { onDelete: 'restrict' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'restrict' }),
    status: attemptStatus('status').notNull().default('not_started'),
    attemptNumber: integer('attempt_number').notNull().default(1),
    startedAt: tstz('started_at'),
    // Server-authoritative. Extensions, pauses and downtime credit move this value.
    deadlineAt: tstz('deadline_at'),
    pausedAt: tstz('paused_at'),
    pausedTotalSeconds: integer('paused_total_seconds').notNull().default(0),
    // What the proctor told the student when pausing; cleared on resume.
    pauseReason: text('pause_reason'),
    // Net time added (positive) or taken away (negative) by proctors.
    extraSeconds: integer('extra_seconds').notNull().default(0),
    // The student's accommodation (exam_participants extra time), applied to the deadline;
    // kept apart from extra_seconds so a change of accommodation moves only its own share.
    accommodationSeconds: integer('accommodation_seconds').notNull().default(0),
    disconnectCreditSeconds: integer('disconnect_credit_seconds').notNull().default(0),
    lastActivityAt: tstz('last_activity_at'),
    submittedAt: tstz('submitted_at'),
    // e.g. 'student', 'deadline', 'proctor_terminated', 'abandoned'.
    endedReason: text('ended_reason'),
    // Fixed when the attempt starts so a reload or second device sees the same order.
    questionOrder: jsonb('question_order').$type<string[]>().notNull().default([]),
    optionOrder: jsonb('option_order').$type<Record<string, string[]>>().notNull().default({}),
    // Bank questions this attempt took from the exam's sections (also in question_order).
    drawnQuestions: jsonb('drawn_questions').$type<Record<string, DrawnQuestion>>().notNull().default({}),
    score: numeric('score', { precision: 10, scale: 2, mode: 'number' }),
    maxScore: numeric('max_score', { precision: 10, scale: 2, mode: 'number' }),
    percentage: numeric('percentage', { precision: 5, scale: 2, mode: 'number' }),
    passed: boolean('passed'),
    gradedAt: tstz('graded_at'),
    // Answers still waiting for a hand mark (essays, re-marks); the result is final at 0.
    manualPending: integer('manual_pending').notNull().default(0),
    // Set when a teacher overrode the score by hand; automatic regrading then leaves it alone.
    gradedBy: uuid('graded_by').references(() => users.id, { onDelete: 'set null' }),
    scoreOverrideReason: text('score_override_reason'),
    scoreOverriddenAt: tstz('score_overridden_at'),
    riskScore: integer('risk_score').notNull().default(0),
    reviewStatus: attemptReviewStatus('review_status'),
    reviewedBy: uuid('reviewed_by').references(() => users.id, { onDelete: 'set null' }),
    reviewNote: text('review_note'),
    reviewedAt: tstz('reviewed_at'),
    // Set when the ended attempt's risk reached the exam's review threshold.
    manualReviewRequired: boolean('manual_review_required').notNull().default(false),
    // Camera proctoring (seed 003 ExamSession.proctoring): when the student consented in the
    // lobby, the state their page last reported, and in identity mode the face description
    // captured at the start (never the photo) and the latest similarity to it.
    cameraConsentAt: tstz('camera_consent_at'),
    cameraState: text('camera_state'),
    cameraStateAt: tstz('camera_state_at'),
    faceReference: real('face_reference').array(),
    faceVerificationCompleted: boolean('face_verification_completed').notNull().default(false),
    faceVerificationScore: real('face_verification_score'),
    // Hash of the bearer token that authorizes this attempt's socket/HTTP calls.
    attemptTokenHash: text('attempt_token_hash').unique('attempts_attempt_token_hash_uq'),
    ipHash: text('ip_hash'),
    userAgent: text('user_agent'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('attempts_participant_number_uq').on(t.participantId, t.attemptNumber),
    // Belt and braces for "exactly one concurrent start wins": even a bug in the
    // code-claiming transaction cannot open two live attempts for one participant.
    uniqueIndex('attempts_one_live_per_participant_uq')
      .on(t.participantId)
      .where(sql`${t.status} in ('in_progress', 'paused')`),
    index('attempts_exam_status_idx').on(t.examId, t.status),
    index('attempts_user_status_idx').on(t.userId, t.status),
    // The expiry sweeper: WHERE status = 'in_progress' AND deadline_at < now().
    index('attempts_status_deadline_idx').on(t.status, t.deadlineAt),
    index('attempts_created_at_idx').on(t.createdAt),
    check('attempts_attempt_number_ck', sql`${t.attemptNumber} >= 1`),
    check(
      'attempts_started_ck',
      sql`${t.status} not in ('in_progress', 'paused', 'submitted', 'expired') or (${t.startedAt} is not null and ${t.deadlineAt} is not null)`,
    ),
    check('attempts_paused_ck', sql`${t.status} <> 'paused' or ${t.pausedAt} is not null`),
    check('attempts_submitted_ck', sql`${t.status} <> 'submitted' or ${t.submittedAt} is not null`),
    check('attempts_seconds_ck', sql`${t.pausedTotalSeconds} >= 0 and ${t.disconnectCreditSeconds} >= 0`),
    check('attempts_percentage_ck', sql`${t.percentage} is null or ${t.percentage} between 0 and 100`),
    check('attempts_score_ck', sql`${t.score} is null or ${t.score} >= 0`),
    check('attempts_risk_score_ck', sql`${t.riskScore} between 0 and 100`),
    check('attempts_manual_pending_ck', sql`${t.manualPending} >= 0`),
    check('attempts_accommodation_ck', sql`${t.accommodationSeconds} >= 0`),
    index('attempts_exam_review_idx')
      .on(t.examId)
      .where(sql`${t.manualReviewRequired}`),
  ],
);

export const answers = pgTable(
  'answers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    attemptId: uuid('attempt_id')
      .notNull()
      .references(() => attempts.id, { onDelete: 'cascade' }),
    questionId: uuid('question_id')
      .notNull()
      .references(() => questions.id, { onDelete: 'restrict' }),
    // Shape defined by the question type's registry entry; null = cleared.
    response: jsonb('response').$type<unknown>(),
    flagged: boolean('flagged').notNull().default(false),
    // The autosave sequence number that last wrote this row.
    seq: bigint('seq', { mode: 'number' }).notNull().default(0),
    timeSpentSeconds: integer('time_spent_seconds').notNull().default(0),
    answeredAt: tstz('answered_at').notNull().defaultNow(),
    updatedAt: updatedAt(),
    // Filled by grading.
    pointsAwarded: numeric('points_awarded', { precision: 10, scale: 2, mode: 'number' }),
    isCorrect: boolean('is_correct'),
    // Hand grading: waiting for a mark (an essay, or a re-mark a teacher asked for).
    needsManual: boolean('needs_manual').notNull().default(false),
    // A hand mark wins over the automatic one; automatic regrading leaves it alone.
    manualPoints: numeric('manual_points', { precision: 10, scale: 2, mode: 'number' }),
    feedback: text('feedback'),
    // Rubric criterion id -> points, for essays marked against a rubric.
    rubricMarks: jsonb('rubric_marks').$type<Record<string, number>>(),
    markedBy: uuid('marked_by').references(() => users.id, { onDelete: 'set null' }),
    markedAt: tstz('marked_at'),
  },
  (t) => [
    // Leading column also serves "all answers of an attempt".
    uniqueIndex('answers_attempt_question_uq').on(t.attemptId, t.questionId),
    index('answers_question_idx').on(t.questionId),
    check('answers_seq_ck', sql`${t.seq} >= 0`),
    check('answers_time_spent_ck', sql`${t.timeSpentSeconds} >= 0`),
    check('answers_manual_points_ck', sql`${t.manualPoints} is null or ${t.manualPoints} >= 0`),
    index('answers_needs_manual_idx')
      .on(t.attemptId)
      .where(sql`${t.needsManual}`),
  ],
);

/**
 * One-time codes that move a running attempt to another device (issued by a proctor).
 * Only the HMAC of the code is kept; claiming one locks its row, so of any number of
 * concurrent claims exactly one wins. Issuing a new code voids the attempt's older ones.
 */
// A proctor's private note about one student's attempt; never shown to the student.
export const attemptNotes = pgTable('attempt_notes', {
  attemptId: uuid('attempt_id')
    .primaryKey()
    .references(() => attempts.id, { onDelete: 'cascade' }),
  body: text('body').notNull(),
  updatedBy: uuid('updated_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const attemptResumeCodes = pgTable(
  'attempt_resume_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    attemptId: uuid('attempt_id')
      .notNull()
      .references(() => attempts.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull().unique('attempt_resume_codes_code_hash_uq'),
    expiresAt: tstz('expires_at').notNull(),
    usedAt: tstz('used_at'),
    voidedAt: tstz('voided_at'),
    issuedBy: uuid('issued_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [
    index('attempt_resume_codes_attempt_idx').on(t.attemptId),
    check('attempt_resume_codes_used_or_voided_ck', sql`${t.usedAt} is null or ${t.voidedAt} is null`),
  ],
);

// The student's one answer to a review decision (seed 003 review workflow), and the teacher's resolution.
export const attemptAppeals = pgTable(
  'attempt_appeals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    attemptId: uuid('attempt_id')
      .notNull()
      .references(() => attempts.id, { onDelete: 'cascade' })
      .unique('attempt_appeals_attempt_uq'),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    message: text('message').notNull(),
    status: appealStatus('status').notNull().default('open'),
    resolutionNote: text('resolution_note'),
    resolvedBy: uuid('resolved_by').references(() => users.id, { onDelete: 'set null' }),
    resolvedAt: tstz('resolved_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check('attempt_appeals_message_ck', sql`char_length(${t.message}) between 1 and 2000`),
    check('attempt_appeals_resolved_ck', sql`${t.status} = 'open' or ${t.resolvedAt} is not null`),
  ],
);

export type Attempt = typeof attempts.$inferSelect;
export type AttemptAppeal = typeof attemptAppeals.$inferSelect;
export type NewAttempt = typeof attempts.$inferInsert;
export type AttemptStatus = (typeof attemptStatus.enumValues)[number];
export type Answer = typeof answers.$inferSelect;
export type NewAnswer = typeof answers.$inferInsert;
export type AttemptResumeCode = typeof attemptResumeCodes.$inferSelect;
