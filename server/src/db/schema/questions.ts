// Questions live in an exam (authored there) or in a course's question bank (drawn into
// exams through sections). Answers reference questions either way.
import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, numeric, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, updatedAt } from './columns.ts';
import { exams } from './exams.ts';
import { questionBanks, questionDifficulty } from './banks.ts';
import { users } from './users.ts';

export type QuestionMetadata = {
  source?: string;
  estimatedTimeSeconds?: number;
  bloomsTaxonomy?: 'remember' | 'understand' | 'apply' | 'analyze' | 'evaluate' | 'create';
};

export const questions = pgTable(
  'questions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    // Exactly one of exam_id and bank_id is set (questions_owner_ck).
    examId: uuid('exam_id').references(() => exams.id, { onDelete: 'cascade' }),
    bankId: uuid('bank_id').references(() => questionBanks.id, { onDelete: 'cascade' }),
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
    uniqueIndex('questions_bank_position_uq').on(t.bankId, t.position),
    index('questions_bank_active_idx').on(t.bankId, t.isActive),
    check('questions_owner_ck', sql`(${t.examId} is null) <> (${t.bankId} is null)`),
    index('questions_exam_active_idx').on(t.examId, t.isActive),
    index('questions_type_idx').on(t.type),
    check('questions_type_ck', sql`${t.type} ~ '^[a-z][a-z0-9_]*$'`),
    check('questions_points_ck', sql`${t.points} > 0`),
    check('questions_position_ck', sql`${t.position} >= 0`),
  ],
);

export type Question = typeof questions.$inferSelect;
export type NewQuestion = typeof questions.$inferInsert;
