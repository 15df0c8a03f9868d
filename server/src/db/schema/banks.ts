// Question banks per course, and exam sections that take questions from them.
import { sql } from 'drizzle-orm';
import { check, index, integer, numeric, pgEnum, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { difficulties, sectionKinds } from '@exam-hall/protocol';
import { createdAt, tstz, updatedAt } from './columns.ts';
import { courses } from './courses.ts';
import { exams } from './exams.ts';
import { users } from './users.ts';

export const sectionKind = pgEnum('section_kind', sectionKinds);
export const questionDifficulty = pgEnum('question_difficulty', difficulties);

export const questionBanks = pgTable(
  'question_banks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    courseId: uuid('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    description: text('description'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    // Soft delete: sections and answers keep pointing at its questions.
    deletedAt: tstz('deleted_at'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('question_banks_course_idx').on(t.courseId),
    check('question_banks_name_ck', sql`char_length(${t.name}) between 1 and 200`),
  ],
);

/**
 * Part of an exam's content beyond its own questions (which come first): a fixed list of
 * bank questions, or N drawn at random per attempt from a bank, narrowed by tag and
 * difficulty. What an attempt drew is kept on the attempt (attempts.drawn_questions).
 */
export const examSections = pgTable(
  'exam_sections',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    examId: uuid('exam_id')
      .notNull()
      .references(() => exams.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    title: text('title'),
    kind: sectionKind('kind').notNull(),
    bankId: uuid('bank_id')
      .notNull()
      .references(() => questionBanks.id, { onDelete: 'restrict' }),
    // fixed: the bank questions, in order.
    questionIds: uuid('question_ids')
      .array()
      .notNull()
      .default(sql`'{}'::uuid[]`),
    // random: narrowing and how many.
    tag: text('tag'),
    difficulty: questionDifficulty('difficulty'),
    drawCount: integer('draw_count').notNull().default(0),
    // Points each question of this section is worth in this exam; null = the question's own points.
    pointsEach: numeric('points_each', { precision: 8, scale: 2, mode: 'number' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('exam_sections_exam_position_uq').on(t.examId, t.position),
    index('exam_sections_bank_idx').on(t.bankId),
    check('exam_sections_draw_ck', sql`${t.kind} <> 'random' or ${t.drawCount} between 1 and 500`),
    check('exam_sections_points_ck', sql`${t.pointsEach} is null or ${t.pointsEach} > 0`),
    check('exam_sections_position_ck', sql`${t.position} >= 0`),
  ],
);

export type QuestionBank = typeof questionBanks.$inferSelect;
export type ExamSection = typeof examSections.$inferSelect;
