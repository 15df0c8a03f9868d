// Single choice, multiple choice and true/false.
import { z } from 'zod';
import { optionIdSchema, optionSchema } from './ids.ts';

export const MAX_OPTIONS = 20;

/** A problem found by a rule that looks at several fields at once; path is relative to the question. */
export interface QuestionProblem {
  path: (string | number)[];
  message: string;
}

// ---------------------------------------------------------------- choice content

/** Options with unique ids: single and multiple choice share this content. */
export const choiceContentSchema = z
  .object({
    options: z
      .array(optionSchema, { error: 'Options must be a list' })
      .min(2, 'Give at least 2 options')
      .max(MAX_OPTIONS, `Give at most ${MAX_OPTIONS} options`),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.options.forEach((o, i) => {
      if (seen.has(o.id)) {
        ctx.addIssue({ code: 'custom', path: ['options', i, 'id'], message: `Option id '${o.id}' is used twice` });
      }
      seen.add(o.id);
    });
  });
export type ChoiceContent = z.infer<typeof choiceContentSchema>;

/** Every correct id must name an option of the question. Paths are relative to the question. */
export function choiceKeyProblems(
  content: ChoiceContent,
  correct: readonly string[],
  many: boolean,
): QuestionProblem[] {
  const ids = new Set(content.options.map((o) => o.id));
  return correct.flatMap((id, i) =>
    ids.has(id)
      ? []
      : [
          {
            path: many ? ['answerKey', 'correct', i] : ['answerKey', 'correct'],
            message: `Correct answer '${id}' is not one of the options`,
          },
        ],
  );
}

// ---------------------------------------------------------------- per-type schemas

export const singleChoiceKeySchema = z.object({
  correct: z
    .string({ error: 'Single choice has exactly one correct option: send its id as a string' })
    .pipe(optionIdSchema),
});
export const singleChoiceResponseSchema = z.object({ optionId: optionIdSchema });

export const multipleChoiceKeySchema = z.object({
  correct: z
    .array(optionIdSchema, { error: 'Correct options must be a list of option ids' })
    .min(1, 'Mark at least one option as correct')
    .max(MAX_OPTIONS, `At most ${MAX_OPTIONS} correct options`)
    .refine((ids) => new Set(ids).size === ids.length, 'Each correct option may be listed only once'),
});
export const multipleChoiceResponseSchema = z.object({
  optionIds: z
    .array(optionIdSchema)
    .max(MAX_OPTIONS)
    .refine((ids) => new Set(ids).size === ids.length, 'Each option may be chosen only once'),
});

// Options are implicit: 'true' and 'false'.
export const trueFalseContentSchema = z.object({});
export const trueFalseKeySchema = z.object({ correct: z.boolean({ error: 'Correct answer must be true or false' }) });
export const trueFalseResponseSchema = z.object({ value: z.boolean({ error: 'Answer must be true or false' }) });

export type SingleChoiceKey = z.infer<typeof singleChoiceKeySchema>;
export type MultipleChoiceKey = z.infer<typeof multipleChoiceKeySchema>;
export type TrueFalseKey = z.infer<typeof trueFalseKeySchema>;
export type SingleChoiceResponse = z.infer<typeof singleChoiceResponseSchema>;
export type MultipleChoiceResponse = z.infer<typeof multipleChoiceResponseSchema>;
export type TrueFalseResponse = z.infer<typeof trueFalseResponseSchema>;
