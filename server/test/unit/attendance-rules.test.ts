import { describe, expect, it } from 'vitest';
import { computeAttendance, unionSeconds } from '../../src/modules/attendance/attendance.rules.ts';

const start = new Date('2026-11-23T09:00:00Z');
const end = new Date('2026-11-23T10:00:00Z'); // 60 minutes
const at = (min: number) => new Date(start.getTime() + min * 60_000);
const rules = { start, end, lateAfterMinutes: 10, partialBelowPercent: 75, now: end };

describe('attendance rules', () => {
  it('unions overlapping segments (two devices count once)', () => {
    expect(
      unionSeconds([
        [0, 10_000],
        [5_000, 20_000],
        [30_000, 40_000],
      ]),
    ).toBe(30);
    expect(
      unionSeconds([
        [0, 10_000],
        [0, 10_000],
      ]),
    ).toBe(10);
    expect(unionSeconds([])).toBe(0);
  });

  it('is absent without segments', () => {
    expect(computeAttendance([], rules)).toMatchObject({ status: 'absent', totalSeconds: 0, firstJoinAt: null });
  });

  it('is present when on time and there long enough', () => {
    const a = computeAttendance([{ joinedAt: at(-5), leftAt: at(60) }], rules);
    // Time before the start does not count.
    expect(a).toMatchObject({ status: 'present', late: false, leftEarly: false, totalSeconds: 3600 });
  });

  it('is late after the grace, partial below the share, and marks leaving early', () => {
    expect(computeAttendance([{ joinedAt: at(11), leftAt: at(60) }], rules)).toMatchObject({
      status: 'late',
      late: true,
    });
    expect(computeAttendance([{ joinedAt: at(10), leftAt: at(60) }], rules)).toMatchObject({ status: 'present' });
    const partial = computeAttendance([{ joinedAt: at(0), leftAt: at(40) }], rules);
    expect(partial).toMatchObject({ status: 'partial', leftEarly: true, totalSeconds: 2400 });
  });

  it('adds up rejoins and counts them as segments', () => {
    const a = computeAttendance(
      [
        { joinedAt: at(0), leftAt: at(20) },
        { joinedAt: at(25), leftAt: at(60) },
        { joinedAt: at(30), leftAt: at(35) }, // a second device meanwhile
      ],
      rules,
    );
    expect(a).toMatchObject({ status: 'present', totalSeconds: 55 * 60, segmentsCount: 3, lastLeaveAt: at(60) });
  });

  it('does not call anyone partial while the meeting runs, and counts an open segment up to now', () => {
    const live = { ...rules, end: null, now: at(30) };
    const a = computeAttendance([{ joinedAt: at(0), leftAt: null }], live);
    expect(a).toMatchObject({ status: 'present', totalSeconds: 1800, lastLeaveAt: null, leftEarly: false });
    expect(computeAttendance([{ joinedAt: at(0), leftAt: at(5) }], live).status).toBe('present');
  });
});
