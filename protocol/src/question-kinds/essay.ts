// Essay: rich text (sanitised HTML) with an optional word limit, marked by hand against a rubric.
import { z } from 'zod';
import { text } from '../common.ts';
import { optionIdSchema } from './ids.ts';

export const MAX_ESSAY_HTML = 100_000;

export const essayContentSchema = z.object({
  /** Shown to the student, counted as they type; the server keeps an over-long essay (nothing is lost) and the grader sees the count. */
  wordLimit: z
    .number()
    .int()
    .min(1, 'wordLimit must be at least 1')
    .max(10_000, 'wordLimit must be at most 10000')
    .nullish(),
});
export const rubricCriterionSchema = z.object({
  id: optionIdSchema,
  criterion: text({ error: 'Criterion must be a string' })
    .trim()
    .min(1, 'Criterion text is required')
    .max(500, 'Criterion must be at most 500 characters'),
  points: z.number({ error: 'Criterion points must be a number' }).min(0).max(1000),
});
export const essayKeySchema = z.object({
  rubric: z
    .array(rubricCriterionSchema, { error: 'rubric must be a list' })
    .max(20, 'At most 20 rubric criteria')
    .default([]),
  /** Guidance for whoever grades; never shown to students. */
  guidance: text().trim().max(5000, 'guidance must be at most 5000 characters').nullish(),
});
export const essayResponseSchema = z.object({
  html: text({ error: 'Essay must be a string' }).max(
    MAX_ESSAY_HTML,
    `Essay must be at most ${MAX_ESSAY_HTML} characters`,
  ),
});
export type EssayContent = z.infer<typeof essayContentSchema>;
export type EssayKey = z.infer<typeof essayKeySchema>;
export type EssayResponse = z.infer<typeof essayResponseSchema>;
