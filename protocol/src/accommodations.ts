// Accommodations ([assessment] item 4): per participant extra time (minutes and/or a
// percent of the exam's duration), an own window replacing the exam's, and extra attempts
// beyond the exam's maximum. Set by the exam's teachers and admins; proctors may read.
// No free-text reason is stored: why a student is entitled to it is not ours to keep.
import { z } from 'zod';

export const EXTRA_TIME_MINUTES_MAX = 1440;
export const EXTRA_TIME_PERCENT_MAX = 300;
export const EXTRA_ATTEMPTS_MAX = 20;
/** The `attempt:clock` reason when a changed accommodation moved a running attempt's deadline. */
export const ACCOMMODATION_CLOCK_REASON = 'accommodation';

const whole = (field: string, max: number) =>
  z
    .number(`${field} must be a whole number`)
    .int(`${field} must be a whole number`)
    .min(0, `${field} must be 0 or more`)
    .max(max, `${field} must be at most ${max}`);
const dateTime = z.iso.datetime({ offset: true, message: 'must be an ISO date-time, e.g. 2026-12-01T09:00:00Z' });

/** The whole accommodation of one participant (PUT replaces it; omitted fields mean none). */
export const accommodationInputSchema = z
  .object({
    extraTimeMinutes: whole('extraTimeMinutes', EXTRA_TIME_MINUTES_MAX).default(0),
    extraTimePercent: whole('extraTimePercent', EXTRA_TIME_PERCENT_MAX).default(0),
    /** The student's own window: both or neither; it replaces the exam's window for them. */
    windowStartsAt: dateTime.nullable().default(null),
    windowEndsAt: dateTime.nullable().default(null),
    extraAttempts: whole('extraAttempts', EXTRA_ATTEMPTS_MAX).default(0),
  })
  .superRefine((v, ctx) => {
    if ((v.windowStartsAt === null) !== (v.windowEndsAt === null)) {
      const path = v.windowStartsAt === null ? 'windowStartsAt' : 'windowEndsAt';
      ctx.addIssue({ code: 'custom', path: [path], message: 'Give both the start and the end of the own window' });
    } else if (v.windowStartsAt && v.windowEndsAt && Date.parse(v.windowEndsAt) <= Date.parse(v.windowStartsAt)) {
      ctx.addIssue({ code: 'custom', path: ['windowEndsAt'], message: 'The own window must end after it starts' });
    }
  });
export type AccommodationInput = z.input<typeof accommodationInputSchema>;
export type AccommodationValues = z.output<typeof accommodationInputSchema>;

export const accommodationSchema = z.object({
  participantId: z.uuid(),
  extraTimeMinutes: z.number().int(),
  extraTimePercent: z.number().int(),
  windowStartsAt: z.iso.datetime().nullable(),
  windowEndsAt: z.iso.datetime().nullable(),
  extraAttempts: z.number().int(),
  updatedAt: z.iso.datetime().nullable(),
});
export type Accommodation = z.infer<typeof accommodationSchema>;

/** What a change did to the participant's running (or paused) attempt, if there was one. */
export const accommodationSavedSchema = z.object({
  accommodation: accommodationSchema,
  applied: z
    .object({ attemptId: z.uuid(), deltaSeconds: z.number().int(), deadlineAt: z.iso.datetime().nullable() })
    .nullable(),
});
export type AccommodationSaved = z.infer<typeof accommodationSavedSchema>;

export const accommodationListSchema = z.object({ accommodations: z.array(accommodationSchema) });
export type AccommodationList = z.infer<typeof accommodationListSchema>;

/** What the student and the hall are shown: the extra time and whether a window or attempts were added. */
export const accommodationSummarySchema = z.object({
  extraTimeMinutes: z.number().int(),
  extraTimePercent: z.number().int(),
  /** The extra time in seconds for this exam's duration. */
  extraSeconds: z.number().int(),
  windowStartsAt: z.iso.datetime().nullable(),
  windowEndsAt: z.iso.datetime().nullable(),
  extraAttempts: z.number().int(),
});
export type AccommodationSummary = z.infer<typeof accommodationSummarySchema>;

type Amounts = { extraTimeMinutes: number; extraTimePercent: number };

/** Seconds of extra time: the minutes, plus the percent of the duration rounded to a whole second. */
export function accommodationSeconds(durationMinutes: number, a: Amounts): number {
  return a.extraTimeMinutes * 60 + Math.round((durationMinutes * 60 * a.extraTimePercent) / 100);
}

export function hasAccommodation(
  a: Amounts & { windowStartsAt: string | Date | null; extraAttempts: number },
): boolean {
  return a.extraTimeMinutes > 0 || a.extraTimePercent > 0 || a.windowStartsAt !== null || a.extraAttempts > 0;
}

/** "1 hour 5 minutes", "15 minutes", "30 seconds". */
export function describeDuration(seconds: number): string {
  const s = Math.abs(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  const part = (n: number, unit: string) => (n ? `${n} ${unit}${n === 1 ? '' : 's'}` : '');
  return [part(h, 'hour'), part(m, 'minute'), h ? '' : part(rest, 'second')].filter(Boolean).join(' ') || '0 minutes';
}

/** The extra time as a short label: "25%", "10 min", "25% + 10 min"; empty when none. */
export function extraTimeLabel(a: Amounts): string {
  return [a.extraTimePercent ? `${a.extraTimePercent}%` : '', a.extraTimeMinutes ? `${a.extraTimeMinutes} min` : '']
    .filter(Boolean)
    .join(' + ');
}

/** What the student reads when a change reaches their running attempt. */
export function accommodationChangeMessage(a: Amounts, deltaSeconds: number): string {
  const label = extraTimeLabel(a);
  if (deltaSeconds === 0) return label ? `Your extra time (${label}) is unchanged.` : 'Your time is unchanged.';
  const sign = deltaSeconds > 0 ? '+' : '−';
  return label
    ? `Your extra time (${label}) was applied: ${sign}${describeDuration(deltaSeconds)}.`
    : `Your extra time was removed: ${sign}${describeDuration(deltaSeconds)}.`;
}
