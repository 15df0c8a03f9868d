import { z } from 'zod';
import { text } from '../common.ts';

export const optionIdSchema = z
  .string({ error: 'Option id must be a string' })
  .regex(/^[A-Za-z0-9_-]{1,21}$/, 'Option id must be 1-21 letters, digits, _ or -');

/** A piece of text with an id: options, matching stems and choices, ordering items. */
export const optionSchema = z.object({
  id: optionIdSchema,
  text: text({ error: 'Option text must be a string' })
    .trim()
    .min(1, 'Option text is required')
    .max(1000, 'Option text must be at most 1000 characters'),
});
export type QuestionOption = z.infer<typeof optionSchema>;

/** A list of texts with unique ids. */
export function idList(what: string, min: number, max: number) {
  return z
    .array(optionSchema, { error: `${what} must be a list` })
    .min(min, `Give at least ${min} ${what}`)
    .max(max, `Give at most ${max} ${what}`)
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list.forEach((o, i) => {
        if (seen.has(o.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `Id '${o.id}' is used twice` });
        seen.add(o.id);
      });
    });
}

/** Each id at most once. */
export const distinctIds = (ids: readonly string[]) => new Set(ids).size === ids.length;
