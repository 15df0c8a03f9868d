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
  difficulties,
  disconnectPolicies,
  examStatuses,
  partialCreditRules,
  resultsPolicies,
  startModes,
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
export const questionDifficulty = pgEnum('question_difficulty', difficulties);

export type ExamProctoringSettings = {
  enabled: boolean;
  requireFullscreen: boolean;
  blockCopyPaste: boolean;
  // Stricter severities / lower risk thresholds.
  strictMode: boolean;
  allowedBrowsers?: string[];
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

export type QuestionMetadata = {
  source?: string;
  estimatedTimeSeconds?: number;
  bloomsTaxonomy?: 'remember' | 'understand' | 'apply' | 'analyze' | 'evaluate' | 'create';
};

export const questions = pgTable(
  'questions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    examId: uuid('exam_id')
      .notNull()
      .references(() => exams.id, { onDelete: 'cascade' }),
    // Registry key ('single_choice', 'multiple_choice', 'true_false', ...). Text, not an
    // enum, so a new question type is one registry file and no migration.
    type: text('type').notNull(),
    prompt: text('prompt').notNull(),
    // Type-specific payload shown to students, e.g. { options: [{ id, text }] }.
    content: jsonb('content').$type<Record<string, unknown>>().notNull().default({}),
    // Never sent to students; validated by the question type's registry entry.
    answerKey: jsonb('answer_key').$type<unknown>().notNull(),
    points: numeric('points', { precision: 8, scale: 2, mode: 'number' }).notNull().default(1),
    explanation: text('explanation'),
    difficulty: questionDifficulty('difficulty'),
    tags: text('tags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    metadata: jsonb('metadata').$type<QuestionMetadata>().notNull().default({}),
    position: integer('position').notNull(),
    // Questions of an exam that has been taken are deactivated, not deleted,
    // because answers reference them.
    isActive: boolean('is_active').notNull().default(true),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // Ideally UNIQUE (exam_id, position) DEFERRABLE INITIALLY DEFERRED so a reorder
    // could swap positions freely; drizzle's builder cannot express deferrable, and
    // PostgreSQL checks a non-deferrable unique index row by row even within one
    // UPDATE. Reorder in one transaction in two steps: first move the affected rows
    // out of the way (position + 100000), then write the final positions.
    uniqueIndex('questions_exam_position_uq').on(t.examId, t.position),
    index('questions_exam_active_idx').on(t.examId, t.isActive),
    index('questions_type_idx').on(t.type),
    check('questions_type_ck', sql`${t.type} ~ '^[a-z][a-z0-9_]*$'`),
    check('questions_points_ck', sql`${t.points} > 0`),
    check('questions_position_ck', sql`${t.position} >= 0`),
  ],
);

export type Exam = typeof exams.$inferSelect;
export type NewExam = typeof exams.$inferInsert;
export type ExamStatus = (typeof examStatus.enumValues)[number];
export type Question = typeof questions.$inferSelect;
export type NewQuestion = typeof questions.$inferInsert;
