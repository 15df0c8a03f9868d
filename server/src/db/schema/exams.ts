// Exams and their questions (seeds 002 and 003).
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import {
  disconnectPolicies,
  examStatuses,
  partialCreditRules,
  resultsPolicies,
  startModes,
  type CameraSettings,
} from '@exam-hall/protocol';
import { createdAt, tstz, updatedAt } from './columns.ts';
import { courses } from './courses.ts';
import { users } from './users.ts';

export const examStatus = pgEnum('exam_status', examStatuses);
export const resultsPolicy = pgEnum('results_policy', resultsPolicies);
export const partialCreditRule = pgEnum('partial_credit_rule', partialCreditRules);
// strict: the clock keeps running while a student is offline.
// credit: server-observed downtime is added back to the deadline, up to a cap.
export const disconnectPolicy = pgEnum('disconnect_policy', disconnectPolicies);
// student: each student starts from the lobby when ready; proctor: the lobby's Start
// button unlocks when a proctor opens the hall, so everyone starts together.
export const examStartMode = pgEnum('exam_start_mode', startModes);

export type ExamProctoringSettings = {
  enabled: boolean;
  requireFullscreen: boolean;
  blockCopyPaste: boolean;
  // Stricter severities / lower risk thresholds.
  strictMode: boolean;
  allowedBrowsers?: string[];
  // Camera proctoring; absent on exams saved before it existed (read as DEFAULT_CAMERA_SETTINGS).
  camera?: CameraSettings;
};

export const defaultProctoringSettings: ExamProctoringSettings = {
  enabled: false,
  requireFullscreen: false,
  blockCopyPaste: false,
  strictMode: false,
};

export const exams = pgTable(
  'exams',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // Nullable: seed 002 exams stand alone; seed 003 exams belong to a course.
    courseId: uuid('course_id').references(() => courses.id, { onDelete: 'restrict' }),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => users.id, { onDelete: 'restrict' }),
    title: text('title').notNull(),
    description: text('description'),
    instructions: text('instructions'),
    durationMinutes: integer('duration_minutes').notNull(),
    availableAnytime: boolean('available_anytime').notNull().default(false),
    startsAt: tstz('starts_at'),
    endsAt: tstz('ends_at'),
    shuffleQuestions: boolean('shuffle_questions').notNull().default(false),
    shuffleOptions: boolean('shuffle_options').notNull().default(false),
    passingScore: numeric('passing_score', { precision: 5, scale: 2, mode: 'number' }).notNull().default(50),
    maxAttempts: integer('max_attempts').notNull().default(1),
    allowReview: boolean('allow_review').notNull().default(false),
    resultsPolicy: resultsPolicy('results_policy').notNull().default('on_release'),
    resultsReleasedAt: tstz('results_released_at'),
    partialCreditRule: partialCreditRule('partial_credit_rule').notNull().default('all_or_nothing'),
    // Proportional rule only: fraction of a question's points lost per wrong choice.
    partialCreditPenalty: numeric('partial_credit_penalty', { precision: 4, scale: 3, mode: 'number' })
      .notNull()
      .default(0),
    proctoring: jsonb('proctoring').$type<ExamProctoringSettings>().notNull().default(defaultProctoringSettings),
    disconnectPolicy: disconnectPolicy('disconnect_policy').notNull().default('strict'),
    disconnectCreditMaxMinutes: integer('disconnect_credit_max_minutes').notNull().default(0),
    issueCertificates: boolean('issue_certificates').notNull().default(false),
    startMode: examStartMode('start_mode').notNull().default('student'),
    // Seed 003's exam code: signed-in students of the exam's course join with it. Upper case.
    code: text('code'),
    // Hand grading shows answer sheets without names.
    blindGrading: boolean('blind_grading').notNull().default(false),
    // An ended attempt whose risk score reaches this needs a reviewer's decision (manual_review_required).
    reviewRiskThreshold: integer('review_risk_threshold').notNull().default(60),
    // Set when a proctor opens the hall of a 'proctor' start-mode exam; null = closed.
    hallOpenedAt: tstz('hall_opened_at'),
    status: examStatus('status').notNull().default('draft'),
    publishedAt: tstz('published_at'),
    // Soft delete: attempts, grades and certificates keep pointing at the exam.
    deletedAt: tstz('deleted_at'),
    // Denormalized from active questions; maintained in the question-editing transaction.
    questionCount: integer('question_count').notNull().default(0),
    totalPoints: numeric('total_points', { precision: 10, scale: 2, mode: 'number' }).notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('exams_course_idx').on(t.courseId),
    index('exams_created_by_deleted_idx').on(t.createdBy, t.deletedAt),
    index('exams_status_idx').on(t.status),
    index('exams_window_idx').on(t.startsAt, t.endsAt),
    uniqueIndex('exams_code_uq')
      .on(t.code)
      .where(sql`${t.code} is not null`),
    check('exams_code_ck', sql`${t.code} is null or ${t.code} ~ '^[A-Z0-9]{6,8}$'`),
    check('exams_review_risk_threshold_ck', sql`${t.reviewRiskThreshold} between 0 and 100`),
    check('exams_title_ck', sql`char_length(${t.title}) between 3 and 200`),
    check('exams_description_ck', sql`${t.description} is null or char_length(${t.description}) <= 1000`),
    check('exams_duration_ck', sql`${t.durationMinutes} between 1 and 1440`),
    check(
      'exams_window_ck',
      sql`${t.availableAnytime} or (${t.startsAt} is not null and ${t.endsAt} is not null and ${t.endsAt} > ${t.startsAt})`,
    ),
    check('exams_passing_score_ck', sql`${t.passingScore} between 0 and 100`),
    check('exams_max_attempts_ck', sql`${t.maxAttempts} >= 1`),
    check('exams_partial_credit_penalty_ck', sql`${t.partialCreditPenalty} between 0 and 1`),
    check('exams_disconnect_credit_ck', sql`${t.disconnectCreditMaxMinutes} between 0 and 1440`),
    check('exams_published_at_ck', sql`${t.status} <> 'published' or ${t.publishedAt} is not null`),
    check('exams_question_count_ck', sql`${t.questionCount} >= 0`),
    check('exams_total_points_ck', sql`${t.totalPoints} >= 0`),
  ],
);

export type Exam = typeof exams.$inferSelect;
export type NewExam = typeof exams.$inferInsert;
export type ExamStatus = (typeof examStatus.enumValues)[number];
