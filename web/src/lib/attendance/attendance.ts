// How the attendance dashboard reads: plain-text statuses (never colour alone),
// filters, durations, and the sentences announced when people come and go.
import type { AttendanceDashboard, AttendanceRow, AttendanceStatusName } from '@exam-hall/protocol';

export type AttendanceFilter = 'all' | 'present-now' | 'absent' | 'late';

export const attendanceFilters: { value: AttendanceFilter; label: string }[] = [
  { value: 'all', label: 'Everyone' },
  { value: 'present-now', label: 'Present now' },
  { value: 'absent', label: 'Absent' },
  { value: 'late', label: 'Late' },
];

export function matchesFilter(row: AttendanceRow, filter: AttendanceFilter): boolean {
  if (filter === 'present-now') return row.inZoomNow || row.inHallNow;
  if (filter === 'absent') return row.status === 'absent';
  if (filter === 'late') return row.late;
  return true;
}

export const statusLabels: Record<AttendanceStatusName, string> = {
  present: 'Present',
  late: 'Late',
  partial: 'Partial',
  absent: 'Absent',
};

export const statusText = (status: AttendanceStatusName | null) => (status ? statusLabels[status] : 'Not started');

/** "45 s", "20 min", "1 h 5 min". */
export function formatSeconds(total: number): string {
  const s = Math.max(0, Math.round(total));
  if (s === 0) return '0 min';
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
}

export const formatRate = (rate: number) => `${Math.round(rate * 100)}%`;

const clockTime = new Intl.DateTimeFormat('en', { timeStyle: 'short' });
const clockTimeSeconds = new Intl.DateTimeFormat('en', { timeStyle: 'medium' });
export const timeOfDay = (iso: string | null, seconds = false) =>
  iso ? (seconds ? clockTimeSeconds : clockTime).format(new Date(iso)) : '—';

/**
 * A stable key per row: the account, or for guests their email or name. Duplicate
 * guest names get a counter so the table's keyed list stays valid.
 */
export function keyRows(rows: AttendanceRow[]): { key: string; row: AttendanceRow }[] {
  const seen = new Map<string, number>();
  return rows.map((row) => {
    const base = row.userId ?? `guest:${row.email ?? ''}:${row.name}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return { key: n === 1 ? base : `${base}#${n}`, row };
  });
}

/** "Ana Lima joined Zoom", "Bo Berg left the exam hall": what changed between two fetches. */
export function describeChanges(before: AttendanceDashboard, after: AttendanceDashboard): string[] {
  const old = new Map(keyRows(before.rows).map(({ key, row }) => [key, row]));
  const out: string[] = [];
  for (const { key, row } of keyRows(after.rows)) {
    const was = old.get(key);
    const who = row.expected ? row.name : `${row.name} (not on the roster)`;
    if (row.inZoomNow !== (was?.inZoomNow ?? false)) out.push(`${who} ${row.inZoomNow ? 'joined' : 'left'} Zoom`);
    if (row.inHallNow !== (was?.inHallNow ?? false)) {
      out.push(`${who} ${row.inHallNow ? 'entered' : 'left'} the exam hall`);
    }
  }
  if (before.meeting.status !== after.meeting.status) {
    if (after.meeting.status === 'started') out.push('The meeting started');
    if (after.meeting.status === 'ended') out.push('The meeting ended');
  }
  if (before.meeting.lastSyncedAt !== after.meeting.lastSyncedAt && after.basis === 'report') {
    out.push('Attendance was synced from Zoom’s participants report');
  }
  return out;
}

/** One announcement for a burst: the first few changes, then how many more. */
export function announcement(changes: string[], max = 3): string {
  if (changes.length <= max) return changes.join('. ');
  return `${changes.slice(0, max).join('. ')}, and ${changes.length - max} more changes`;
}
