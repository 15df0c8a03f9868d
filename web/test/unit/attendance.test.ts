import { describe, expect, it } from 'vitest';
import type { AttendanceDashboard, AttendanceRow } from '@exam-hall/protocol';
import {
  announcement,
  describeChanges,
  formatSeconds,
  keyRows,
  matchesFilter,
} from '../../src/lib/attendance/attendance.ts';

const row = (over: Partial<AttendanceRow>): AttendanceRow => ({
  userId: null,
  name: 'Someone',
  email: null,
  expected: true,
  inZoomNow: false,
  inHallNow: false,
  status: 'absent',
  late: false,
  leftEarly: false,
  firstJoinAt: null,
  lastLeaveAt: null,
  totalSeconds: 0,
  segments: [],
  ...over,
});

const dashboard = (rows: AttendanceRow[], meeting: Partial<AttendanceDashboard['meeting']> = {}): AttendanceDashboard =>
  ({
    meeting: { status: 'started', lastSyncedAt: null, ...meeting },
    rows,
    basis: 'live',
    summary: {},
  }) as AttendanceDashboard;

describe('attendance dashboard helpers', () => {
  it('says who came and went, guests marked as such', () => {
    const ana = row({ userId: '11111111-1111-4111-8111-111111111111', name: 'Ana' });
    const bo = row({ userId: '22222222-2222-4222-8222-222222222222', name: 'Bo', inHallNow: true });
    const before = dashboard([ana, bo]);
    const after = dashboard([
      { ...ana, inZoomNow: true },
      { ...bo, inHallNow: false },
      row({ name: 'Visitor', expected: false, inZoomNow: true }),
    ]);
    expect(describeChanges(before, after)).toEqual([
      'Ana joined Zoom',
      'Bo left the exam hall',
      'Visitor (not on the roster) joined Zoom',
    ]);
    expect(describeChanges(after, { ...after, meeting: { ...after.meeting, status: 'ended' } })).toEqual([
      'The meeting ended',
    ]);
  });

  it('keeps one announcement short for a burst', () => {
    expect(announcement(['a', 'b'])).toBe('a. b');
    expect(announcement(['a', 'b', 'c', 'd', 'e'])).toBe('a. b. c, and 2 more changes');
  });

  it('keys guests with the same name apart', () => {
    const keys = keyRows([row({ name: 'Guest' }), row({ name: 'Guest' })]).map((k) => k.key);
    expect(new Set(keys).size).toBe(2);
  });

  it('filters and formats', () => {
    expect(matchesFilter(row({ inHallNow: true }), 'present-now')).toBe(true);
    expect(matchesFilter(row({ status: 'late', late: true }), 'absent')).toBe(false);
    expect(matchesFilter(row({ status: 'late', late: true }), 'late')).toBe(true);
    expect([0, 45, 1200, 3900].map(formatSeconds)).toEqual(['0 min', '45 s', '20 min', '1 h 5 min']);
  });
});
