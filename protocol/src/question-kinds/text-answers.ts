// Short answer and numeric: the student types the answer; the key lists what is accepted.
import { z } from 'zod';
import { line, text } from '../common.ts';
import { optionIdSchema } from './ids.ts';

export const MAX_ACCEPTED_ANSWERS = 50;
export const MAX_TYPED_ANSWER = 1000;

const acceptedText = line({ error: 'Each accepted answer must be a string' })
  .trim()
  .min(1, 'An accepted answer cannot be empty')
  .max(500, 'Each accepted answer must be at most 500 characters');

// ------------------------------------------------------------ short answer

/** Nothing to show beyond the prompt. */
export const shortAnswerContentSchema = z.object({});
export const whitespaceRules = ['exact', 'trim', 'collapse'] as const;
export type WhitespaceRule = (typeof whitespaceRules)[number];
export const shortAnswerKeySchema = z
  .object({
    accepted: z
      .array(acceptedText, { error: 'accepted must be a list of answers' })
      .max(MAX_ACCEPTED_ANSWERS, `At most ${MAX_ACCEPTED_ANSWERS} accepted answers`)
      .default([]),
    caseSensitive: z.boolean({ error: 'caseSensitive must be true or false' }).default(false),
    /** exact: as typed; trim: ends trimmed; collapse: trimmed and inner runs of white space made one space. */
    whitespace: z
      .enum(whitespaceRules, { error: "whitespace must be 'exact', 'trim' or 'collapse'" })
      .default('collapse'),
    /** A regular expression the whole answer must match (checked for catastrophic backtracking on save). */
    pattern: line({ error: 'pattern must be a string' })
      .max(300, 'pattern must be at most 300 characters')
      .refine((p) => {
        try {
          new RegExp(p, 'u');
          return true;
        } catch {
          return false;
        }
      }, 'pattern is not a valid regular expression')
      .nullish(),
  })
  .refine((k) => k.accepted.length > 0 || !!k.pattern, 'Give at least one accepted answer or a pattern');
export const shortAnswerResponseSchema = z.object({
  text: text({ error: 'Answer must be a string' }).max(
    MAX_TYPED_ANSWER,
    `Answer must be at most ${MAX_TYPED_ANSWER} characters`,
  ),
});
export type ShortAnswerContent = z.infer<typeof shortAnswerContentSchema>;
export type ShortAnswerKey = z.infer<typeof shortAnswerKeySchema>;
export type ShortAnswerResponse = z.infer<typeof shortAnswerResponseSchema>;

// ------------------------------------------------------------ numeric

const finite = (what: string) =>
  z.number({ error: `${what} must be a number` }).refine(Number.isFinite, `${what} must be a finite number`);

export const numericUnitSchema = z.object({
  unit: line({ error: 'Unit must be a string' })
    .trim()
    .min(1, 'Unit cannot be empty')
    .max(20, 'Unit must be at most 20 characters'),
  /** The answer in this unit = the answer in the key's unit × multiplier (Moodle's rule). The first unit has 1. */
  multiplier: finite('multiplier').refine((n) => n > 0, 'multiplier must be more than 0'),
});
/** Units are shown to the student to pick from; none = a bare number. */
export const numericContentSchema = z
  .object({
    units: z.array(numericUnitSchema, { error: 'units must be a list' }).max(10, 'At most 10 units').default([]),
    /** When units are given: an answer without a unit earns nothing (otherwise the first unit is assumed). */
    unitRequired: z.boolean().default(false),
  })
  .refine((c) => new Set(c.units.map((u) => u.unit)).size === c.units.length, 'Each unit may be listed only once');
export const numericKeySchema = z.object({
  answers: z
    .array(
      z.object({
        value: finite('value'),
        /** Absolute: any answer within value ± tolerance is accepted. */
        tolerance: finite('tolerance')
          .refine((n) => n >= 0, 'tolerance cannot be negative')
          .default(0),
        /** Share of the points this answer earns (1 = full marks). */
        fraction: z.number().min(0).max(1).default(1),
      }),
      { error: 'answers must be a list' },
    )
    .min(1, 'Give at least one accepted value')
    .max(10, 'At most 10 accepted values'),
});
export const numericResponseSchema = z.object({
  value: finite('Answer'),
  unit: line().max(20).nullish(),
});
export type NumericContent = z.infer<typeof numericContentSchema>;
export type NumericKey = z.infer<typeof numericKeySchema>;
export type NumericResponse = z.infer<typeof numericResponseSchema>;

export { optionIdSchema };
