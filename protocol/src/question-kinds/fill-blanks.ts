// Fill in the blanks: the prompt holds gap markers [[id]]; each gap is typed text or a drop-down.
import { z } from 'zod';
import { line } from '../common.ts';
import { distinctIds, idList, optionIdSchema } from './ids.ts';

export const MAX_GAPS = 30;
/** Where a gap sits in the prompt: [[1]], [[city]]. */
export const GAP_MARKER = /\[\[([A-Za-z0-9_-]{1,21})\]\]/g;

/** The gap ids a prompt names, in order. */
export function gapIdsOf(prompt: string): string[] {
  return [...prompt.matchAll(GAP_MARKER)].map((m) => m[1]!);
}

export const fillBlanksContentSchema = z.object({
  gaps: z
    .array(
      z.object({
        id: optionIdSchema,
        /** Present: the student picks from these (a drop-down); absent: the student types. */
        options: idList('options', 2, 20).nullish(),
      }),
      { error: 'gaps must be a list' },
    )
    .min(1, 'Give at least one gap')
    .max(MAX_GAPS, `At most ${MAX_GAPS} gaps`)
    .refine((g) => distinctIds(g.map((x) => x.id)), 'Each gap id may be used only once'),
});
export const fillBlanksKeySchema = z.object({
  gaps: z
    .array(
      z.object({
        gapId: optionIdSchema,
        /** Typed gaps: the answers accepted; drop-down gaps: the one correct option id. */
        accepted: z
          .array(line().trim().min(1, 'An accepted answer cannot be empty').max(200))
          .min(1, 'Each gap needs at least one accepted answer')
          .max(20),
        caseSensitive: z.boolean().default(false),
      }),
      { error: 'gaps must be a list' },
    )
    .min(1)
    .max(MAX_GAPS)
    .refine((g) => distinctIds(g.map((x) => x.gapId)), 'Each gap may be keyed only once'),
});
export const fillBlanksResponseSchema = z.object({
  gaps: z
    .array(z.object({ gapId: optionIdSchema, value: line().max(200, 'A gap answer must be at most 200 characters') }))
    .max(MAX_GAPS)
    .refine((g) => distinctIds(g.map((x) => x.gapId)), 'Each gap may be answered only once'),
});
export type FillBlanksContent = z.infer<typeof fillBlanksContentSchema>;
export type FillBlanksKey = z.infer<typeof fillBlanksKeySchema>;
export type FillBlanksResponse = z.infer<typeof fillBlanksResponseSchema>;
