// Question banks (per course) and exam sections that take questions from them: a fixed
// list of bank questions, or N drawn at random per attempt (narrowed by tag and difficulty).
import { z } from 'zod';
import { line, text } from './common.ts';
import { sectionKinds } from './assessment.ts';
import { difficulties, MAX_QUESTIONS_PER_DOCUMENT, pointsSchema } from './questions.ts';

/** The most questions one random section may draw (exam_sections_draw_ck). */
export const MAX_DRAW_COUNT = 500;
/** The most sections one exam may have. */
export const MAX_SECTIONS_PER_EXAM = 50;

// ---------------------------------------------------------------- banks

export const bankInputSchema = z.object({
  name: line({ error: 'Name must be a string' })
    .trim()
    .min(1, 'Name is required')
    .max(200, 'Name must be at most 200 characters'),
  description: text({ error: 'Description must be a string' })
    .trim()
    .max(2000, 'Description must be at most 2000 characters')
    .nullish(),
});
export type BankInput = z.infer<typeof bankInputSchema>;

export const bankSchema = z.object({
  id: z.uuid(),
  courseId: z.uuid(),
  courseName: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  questionCount: z.number().int(),
  /** Every tag the bank's questions use, sorted: what a random section can narrow by. */
  tags: z.array(z.string()),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Bank = z.infer<typeof bankSchema>;

export const courseIdParamsSchema = z.object({ courseId: z.uuid('courseId must be a UUID') });
export const bankIdParamsSchema = z.object({ bankId: z.uuid('bankId must be a UUID') });
export const bankQuestionParamsSchema = z.object({
  bankId: z.uuid('bankId must be a UUID'),
  questionId: z.uuid('questionId must be a UUID'),
});

// ---------------------------------------------------------------- sections

const sectionTitle = line({ error: 'Title must be a string' })
  .trim()
  .max(200, 'Title must be at most 200 characters')
  .nullish();
const sectionPoints = pointsSchema.nullish();

const fixedSectionInput = z.object({
  kind: z.literal('fixed'),
  title: sectionTitle,
  bankId: z.uuid('bankId must be a UUID'),
  questionIds: z
    .array(z.uuid('Each question id must be a UUID'), { error: 'questionIds must be a list of question ids' })
    .min(1, 'Pick at least one question')
    .max(MAX_QUESTIONS_PER_DOCUMENT, `At most ${MAX_QUESTIONS_PER_DOCUMENT} questions`)
    .refine((ids) => new Set(ids).size === ids.length, 'Each question may be listed only once'),
  /** Points each question is worth in this exam; null: the question's own points. */
  pointsEach: sectionPoints,
});

const randomSectionInput = z.object({
  kind: z.literal('random'),
  title: sectionTitle,
  bankId: z.uuid('bankId must be a UUID'),
  drawCount: z
    .number({ error: 'drawCount must be a number' })
    .int('drawCount must be a whole number')
    .min(1, 'Draw at least 1 question')
    .max(MAX_DRAW_COUNT, `Draw at most ${MAX_DRAW_COUNT} questions`),
  /** Only questions with this tag (exact match). */
  tag: line({ error: 'Tag must be a string' }).trim().min(1, 'Tag cannot be empty').max(50).nullish(),
  difficulty: z.enum(difficulties, { error: 'Difficulty must be easy, medium or hard' }).nullish(),
  pointsEach: sectionPoints,
});

/** Create and replace (PUT) body of a section. */
export const sectionInputSchema = z.discriminatedUnion('kind', [fixedSectionInput, randomSectionInput], {
  error: `kind must be one of: ${sectionKinds.join(', ')}`,
});
export type SectionInput = z.infer<typeof sectionInputSchema>;

export const sectionSchema = z.object({
  id: z.uuid(),
  examId: z.uuid(),
  position: z.number().int(),
  title: z.string().nullable(),
  kind: z.enum(sectionKinds),
  bankId: z.uuid(),
  bankName: z.string(),
  questionIds: z.array(z.uuid()),
  tag: z.string().nullable(),
  difficulty: z.enum(difficulties).nullable(),
  drawCount: z.number().int(),
  pointsEach: z.number().nullable(),
  /** Questions each attempt gets from this section. */
  questionCount: z.number().int(),
  /** Bank questions the section can take from now (random: matching the filter; fixed: still in the bank). */
  available: z.number().int(),
});
export type Section = z.infer<typeof sectionSchema>;

export const sectionListSchema = z.object({ sections: z.array(sectionSchema) });
export const sectionParamsSchema = z.object({
  examId: z.uuid('examId must be a UUID'),
  sectionId: z.uuid('sectionId must be a UUID'),
});
export const sectionReorderSchema = z.object({
  sectionIds: z
    .array(z.uuid('Each section id must be a UUID'), { error: 'sectionIds must be a list of section ids' })
    .max(MAX_SECTIONS_PER_EXAM, `At most ${MAX_SECTIONS_PER_EXAM} sections`),
});

// ---------------------------------------------------------------- statistics

const usage = {
  /** Attempts (entered or further) that were given the question. */
  attempts: z.number().int(),
  /** Of those, attempts that saved a non-empty answer to it. */
  answered: z.number().int(),
  /** Mean of awarded points / points the question was worth there, over graded answers; null before any. */
  meanScore: z.number().nullable(),
  /** Share of graded answers that were fully correct; null before any. */
  correctRate: z.number().nullable(),
};

export const bankQuestionStatsSchema = z.object({
  questionId: z.uuid(),
  type: z.string(),
  prompt: z.string(),
  tags: z.array(z.string()),
  difficulty: z.enum(difficulties).nullable(),
  ...usage,
  exams: z.array(z.object({ examId: z.uuid(), examTitle: z.string(), ...usage })),
});
export type BankQuestionStats = z.infer<typeof bankQuestionStatsSchema>;
export const bankStatsSchema = z.object({ questions: z.array(bankQuestionStatsSchema) });
export type BankStats = z.infer<typeof bankStatsSchema>;
