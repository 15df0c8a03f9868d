// Attendance from join..leave segments, by the session's rules. Pure: the sync job,
// the live dashboard and the tests all use this one function.
import type { AttendanceStatusName } from '@exam-hall/protocol';

export interface Segment {
  joinedAt: Date;
  /** Null: still in the meeting. */
  leftAt: Date | null;
}

export interface AttendanceRules {
  /** The meeting's actual start (or its scheduled start before it started). */
  start: Date;
  /** The meeting's end; null while it runs (then `now` is used). */
  end: Date | null;
  lateAfterMinutes: number;
  partialBelowPercent: number;
  now: Date;
}

export interface Attendance {
  status: AttendanceStatusName;
  late: boolean;
  leftEarly: boolean;
  firstJoinAt: Date | null;
  lastLeaveAt: Date | null;
  /** Union of the segments within [start, end]: two devices at once count once. */
  totalSeconds: number;
  segmentsCount: number;
}

/** Total covered time of intervals, overlaps counted once. */
export function unionSeconds(intervals: [number, number][]): number {
  const sorted = intervals.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let curStart = -Infinity;
  let curEnd = -Infinity;
  for (const [a, b] of sorted) {
    if (a > curEnd) {
      if (curEnd > curStart) total += curEnd - curStart;
      curStart = a;
      curEnd = b;
    } else if (b > curEnd) {
      curEnd = b;
    }
  }
  if (curEnd > curStart) total += curEnd - curStart;
  return Math.round(total / 1000);
}

export function computeAttendance(segments: Segment[], rules: AttendanceRules): Attendance {
  const end = rules.end ?? rules.now;
  const startMs = rules.start.getTime();
  const endMs = Math.max(startMs, end.getTime());
  if (segments.length === 0) {
    return {
      status: 'absent',
      late: false,
      leftEarly: false,
      firstJoinAt: null,
      lastLeaveAt: null,
      totalSeconds: 0,
      segmentsCount: 0,
    };
  }
  const clipped = segments.map((s): [number, number] => [
    Math.max(startMs, s.joinedAt.getTime()),
    Math.min(endMs, (s.leftAt ?? end).getTime()),
  ]);
  const totalSeconds = unionSeconds(clipped);
  const firstJoin = new Date(Math.min(...segments.map((s) => s.joinedAt.getTime())));
  const stillIn = segments.some((s) => s.leftAt === null);
  const lastLeave = stillIn ? null : new Date(Math.max(...segments.map((s) => s.leftAt!.getTime())));
  const graceMs = rules.lateAfterMinutes * 60_000;
  const late = firstJoin.getTime() > startMs + graceMs;
  // Left early: gone for good more than the same grace before the end (only once the meeting ended).
  const leftEarly = rules.end !== null && lastLeave !== null && lastLeave.getTime() < endMs - graceMs;
  const meetingSeconds = Math.max(1, (endMs - startMs) / 1000);
  const partial = (totalSeconds / meetingSeconds) * 100 < rules.partialBelowPercent;
  const status: AttendanceStatusName =
    totalSeconds === 0 && !stillIn ? 'absent' : partial && rules.end !== null ? 'partial' : late ? 'late' : 'present';
  return {
    status,
    late,
    leftEarly,
    firstJoinAt: firstJoin,
    lastLeaveAt: lastLeave,
    totalSeconds,
    segmentsCount: segments.length,
  };
}
