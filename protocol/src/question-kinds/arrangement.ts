// Matching (pair each stem with a choice; extra choices are distractors) and ordering (put items in order).
import { z } from 'zod';
import { distinctIds, idList, optionIdSchema } from './ids.ts';

const pairSchema = z.object({ stemId: optionIdSchema, choiceId: optionIdSchema });

export const matchingContentSchema = z
  .object({ stems: idList('stems', 2, 20), choices: idList('choices', 2, 30) })
  .refine((c) => c.choices.length >= c.stems.length, 'Give at least as many choices as stems');
export const matchingKeySchema = z.object({
  pairs: z
    .array(pairSchema, { error: 'pairs must be a list of { stemId, choiceId }' })
    .min(1)
    .max(20)
    .refine((p) => distinctIds(p.map((x) => x.stemId)), 'Each stem may be paired only once'),
});
export const matchingResponseSchema = z.object({
  pairs: z
    .array(pairSchema, { error: 'pairs must be a list of { stemId, choiceId }' })
    .max(20)
    .refine((p) => distinctIds(p.map((x) => x.stemId)), 'Each stem may be answered only once'),
});
export type MatchingContent = z.infer<typeof matchingContentSchema>;
export type MatchingKey = z.infer<typeof matchingKeySchema>;
export type MatchingResponse = z.infer<typeof matchingResponseSchema>;

/** Items as authored; a student always sees them shuffled. */
export const orderingContentSchema = z.object({ items: idList('items', 2, 20) });
export const orderingKeySchema = z.object({
  order: z
    .array(optionIdSchema, { error: 'order must be a list of item ids' })
    .min(2)
    .max(20)
    .refine(distinctIds, 'Each item may appear only once in the order'),
});
export const orderingResponseSchema = z.object({
  order: z.array(optionIdSchema).max(20).refine(distinctIds, 'Each item may appear only once'),
});
export type OrderingContent = z.infer<typeof orderingContentSchema>;
export type OrderingKey = z.infer<typeof orderingKeySchema>;
export type OrderingResponse = z.infer<typeof orderingResponseSchema>;
