// Who may take an exam, with their one-time access code (seeds 000 and 002).
import { sql } from 'drizzle-orm';
import { check, index, pgEnum, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
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
    check('exam_participants_code_hint_ck', sql`${t.accessCodeHint} is null or char_length(${t.accessCodeHint}) <= 4`),
  ],
);

export type ExamParticipant = typeof examParticipants.$inferSelect;
export type NewExamParticipant = typeof examParticipants.$inferInsert;
export type AccessCodeStatus = (typeof accessCodeStatus.enumValues)[number];
