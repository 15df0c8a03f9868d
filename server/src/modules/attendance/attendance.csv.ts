// The attendance export: one row per person, the same facts as the dashboard's table.
// Names and emails come from people (guests name themselves in Zoom), so every cell
// goes through csvCell's formula-injection escaping.
import type { AttendanceRow } from '@exam-hall/protocol';
import { toCsv } from '../../lib/csv.ts';

export const ATTENDANCE_CSV_HEADER = [
  'name',
  'email',
  'expected',
  'status',
  'late',
  'left early',
  'first join',
  'last leave',
  'total minutes',
  'segments',
  'in zoom now',
  'in hall now',
] as const;

const yesNo = (b: boolean) => (b ? 'yes' : 'no');

/** Minutes with one decimal, as the dashboard shows them. */
export const totalMinutes = (seconds: number) => Math.round(seconds / 6) / 10;

export function attendanceCsv(rows: readonly AttendanceRow[]): string {
  return toCsv(
    ATTENDANCE_CSV_HEADER,
    rows.map((r) => [
      r.name,
      r.email ?? '',
      yesNo(r.expected),
      r.status ?? '',
      yesNo(r.late),
      yesNo(r.leftEarly),
      r.firstJoinAt ?? '',
      r.lastLeaveAt ?? '',
      totalMinutes(r.totalSeconds),
      r.segments.filter((s) => s.source !== 'hall').length,
      yesNo(r.inZoomNow),
      yesNo(r.inHallNow),
    ]),
  );
}
