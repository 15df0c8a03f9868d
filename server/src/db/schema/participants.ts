// Who may take an exam, with their one-time access code (seeds 000 and 002).
import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgEnum, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { accessCodeStatuses } from '@exam-hall/protocol';
import { createdAt, tstz, updatedAt } from './columns.ts';
import { exams } from './exams.ts';
import { users } from './users.ts';

// Replaces the seeds' isUsed flag: a teacher can also void a leaked code and issue a new one.
export const accessCodeStatus = pgEnum('access_code_status', accessCodeStatuses);

export const examParticipants = pgTable(
  'exam_participants',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    examId: uuid('exam_id')
      .notNull()
      .references(() => exams.id, { onDelete: 'cascade' }),
    // Invited students get a users row (status 'invited', no password) at once.
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    // HMAC of the normalized code under a server secret; the plain code is shown to the
    // teacher once and never stored. Unique across all exams so a code alone finds its row.
    accessCodeHash: text('access_code_hash').notNull().unique('exam_participants_access_code_hash_uq'),
    // Last 4 characters, so a teacher can tell codes apart in lists.
    accessCodeHint: text('access_code_hint'),
    codeStatus: accessCodeStatus('code_status').notNull().default('unused'),
    codeUsedAt: tstz('code_used_at'),
    codeIssuedAt: tstz('code_issued_at').notNull().defaultNow(),
    // Accommodations: extra time (minutes and/or percent of the duration), an own window
    // (replaces the exam's), extra attempts beyond the exam's max.
    extraTimeMinutes: integer('extra_time_minutes').notNull().default(0),
    extraTimePercent: integer('extra_time_percent').notNull().default(0),
    windowStartsAt: tstz('window_starts_at'),
    windowEndsAt: tstz('window_ends_at'),
    extraAttempts: integer('extra_attempts').notNull().default(0),
    accommodationUpdatedAt: tstz('accommodation_updated_at'),
    // How the student got here: a teacher's invitation, or the exam code (seed 003).
    joinedWithExamCode: boolean('joined_with_exam_code').notNull().default(false),
    addedBy: uuid('added_by').references(() => users.id, { onDelete: 'set null' }),
    addedAt: tstz('added_at').notNull().defaultNow(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    // Leading column also serves "participants of an exam".
    uniqueIndex('exam_participants_exam_user_uq').on(t.examId, t.userId),
    index('exam_participants_user_idx').on(t.userId),
    index('exam_participants_email_idx').on(t.email),
    index('exam_participants_exam_code_status_idx').on(t.examId, t.codeStatus),
    check('exam_participants_email_lowercase_ck', sql`${t.email} = lower(${t.email})`),
    check('exam_participants_code_used_ck', sql`${t.codeStatus} <> 'used' or ${t.codeUsedAt} is not null`),
    check(
      'exam_participants_extra_time_ck',
      sql`${t.extraTimeMinutes} between 0 and 1440 and ${t.extraTimePercent} between 0 and 300`,
    ),
    check('exam_participants_extra_attempts_ck', sql`${t.extraAttempts} between 0 and 20`),
    check(
      'exam_participants_window_ck',
      sql`(${t.windowStartsAt} is null) = (${t.windowEndsAt} is null) and (${t.windowEndsAt} is null or ${t.windowEndsAt} > ${t.windowStartsAt})`,
    ),
    check('exam_participants_code_hint_ck', sql`${t.accessCodeHint} is null or char_length(${t.accessCodeHint}) <= 4`),
  ],
);

export type ExamParticipant = typeof examParticipants.$inferSelect;
export type NewExamParticipant = typeof examParticipants.$inferInsert;
export type AccessCodeStatus = (typeof accessCodeStatus.enumValues)[number];
