// The arithmetic and the words of accommodations: seconds from minutes and percent, the
// exam as one participant sees it, the latest deadline, and what the student reads.
import { describe, expect, it } from 'vitest';
import {
  accommodationChangeMessage,
  accommodationInputSchema,
  accommodationSeconds,
  describeDuration,
  extraTimeLabel,
} from '@exam-hall/protocol';
import { clockAtStart, examForParticipant, summaryOf } from '../../src/modules/attempts/attempts.accommodation.ts';

const none = { extraTimeMinutes: 0, extraTimePercent: 0, windowStartsAt: null, windowEndsAt: null, extraAttempts: 0 };
const exam = {
  availableAnytime: false,
  startsAt: new Date('2026-12-01T09:00:00Z'),
  endsAt: new Date('2026-12-01T11:00:00Z'),
  maxAttempts: 1,
  durationMinutes: 60,
};

describe('extra seconds', () => {
  it('adds the minutes and the percent of the duration, rounded to whole seconds', () => {
    expect(accommodationSeconds(60, { extraTimeMinutes: 0, extraTimePercent: 25 })).toBe(900);
    expect(accommodationSeconds(60, { extraTimeMinutes: 10, extraTimePercent: 25 })).toBe(1500);
    expect(accommodationSeconds(7, { extraTimeMinutes: 0, extraTimePercent: 33 })).toBe(139);
    expect(accommodationSeconds(1, { extraTimeMinutes: 0, extraTimePercent: 1 })).toBe(1); // 0.6 s
    expect(accommodationSeconds(1440, { extraTimeMinutes: 1440, extraTimePercent: 300 })).toBe(86_400 * 4);
  });
});

describe('the exam as one participant sees it', () => {
  it('keeps the exam when there is no accommodation, and adds extra attempts', () => {
    expect(examForParticipant(exam, null)).toBe(exam);
    expect(examForParticipant(exam, { ...none, extraAttempts: 2 })).toMatchObject({ maxAttempts: 3 });
  });

  it('replaces the window with the own one, even for an exam available anytime', () => {
    const own = {
      ...none,
      windowStartsAt: new Date('2026-12-02T09:00:00Z'),
      windowEndsAt: new Date('2026-12-02T12:00:00Z'),
    };
    expect(examForParticipant({ ...exam, availableAnytime: true }, own)).toMatchObject({
      availableAnytime: false,
      startsAt: own.windowStartsAt,
      endsAt: own.windowEndsAt,
    });
  });

  it('lets the deadline run past the window’s end by the extra time only', () => {
    const c = clockAtStart(exam, { ...none, extraTimePercent: 50 });
    expect(c).toEqual({
      accommodationSeconds: 1800,
      durationSeconds: 5400,
      notAfter: new Date('2026-12-01T11:30:00Z'),
    });
    expect(clockAtStart({ ...exam, availableAnytime: true }, none).notAfter).toBeNull();
  });

  it('summarises only a real accommodation', () => {
    expect(summaryOf(exam, none)).toBeNull();
    expect(summaryOf(exam, { ...none, extraTimeMinutes: 5 })).toMatchObject({ extraSeconds: 300 });
  });
});

describe('what people read', () => {
  it('labels and messages', () => {
    expect(extraTimeLabel({ extraTimeMinutes: 10, extraTimePercent: 25 })).toBe('25% + 10 min');
    expect(describeDuration(4500)).toBe('1 hour 15 minutes');
    expect(describeDuration(61)).toBe('1 minute 1 second');
    expect(accommodationChangeMessage({ extraTimeMinutes: 0, extraTimePercent: 25 }, 900)).toBe(
      'Your extra time (25%) was applied: +15 minutes.',
    );
    expect(accommodationChangeMessage({ extraTimeMinutes: 0, extraTimePercent: 0 }, -900)).toBe(
      'Your extra time was removed: −15 minutes.',
    );
  });
});

describe('the input schema', () => {
  it('names the field of each problem', () => {
    const paths = (v: unknown) => {
      const r = accommodationInputSchema.safeParse(v);
      return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
    };
    expect(paths({})).toEqual([]);
    expect(paths({ extraTimePercent: 301 })).toEqual(['extraTimePercent']);
    expect(paths({ windowEndsAt: '2026-12-01T09:00:00Z' })).toEqual(['windowStartsAt']);
    expect(paths({ windowStartsAt: '2026-12-01T09:00:00Z', windowEndsAt: '2026-12-01T09:00:00Z' })).toEqual([
      'windowEndsAt',
    ]);
    expect(paths({ windowStartsAt: 'tomorrow', windowEndsAt: null })).toContain('windowStartsAt');
  });
});
