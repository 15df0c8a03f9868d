// The live attendance dashboard of a Zoom meeting: who was expected, who is here now
// (in Zoom or in the exam hall), each person's join/leave timeline and status by the
// meeting's rules; plus its CSV export and "sync now". Visible to the session's
// teacher (the linked exam's owner or the linked course's teacher), the meeting's
// host and admins; anyone else gets 404 so meeting ids cannot be probed.
import type { AttendanceDashboard, AttendanceRow, AttendanceStatusName, ZoomMeetingDto } from '@exam-hall/protocol';
import { attendanceStatuses } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import type { ZoomMeeting } from '../../db/schema/index.ts';
import { AppError, conflict } from '../../http/errors.ts';
import type { Actor, Caller } from '../../policy/actor.ts';
import { attendanceMeeting } from '../../policy/access.ts';
import { accessFacts } from '../../policy/access.sql.ts';
import * as audit from '../audit/audit.service.ts';
import { auditContextOf } from '../audit/audit.context.ts';
import type { ZoomClient } from '../zoom/zoom.client.ts';
import { notConfigured } from '../zoom/zoom.errors.ts';
import type { ZoomJobs } from '../zoom/zoom.jobs.ts';
import { computeAttendance, type Segment } from './attendance.rules.ts';
import { attendanceCsv } from './attendance.csv.ts';
import * as repo from './attendance.repository.ts';

/** The meeting if this actor may see its attendance (policy/access.ts attendanceMeeting); 403 or 404 otherwise. */
export function loadAttendanceMeeting(db: Db, actor: Actor | null, meetingId: string): Promise<ZoomMeeting> {
  return attendanceMeeting(actor, () => repo.findMeeting(db, meetingId), accessFacts(db));
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function toMeetingDto(m: ZoomMeeting): ZoomMeetingDto {
  return {
    id: m.id,
    zoomMeetingId: m.zoomMeetingId,
    topic: m.topic,
    startTime: iso(m.startTime),
    durationMinutes: m.durationMinutes,
    timezone: m.timezone,
    joinUrl: m.joinUrl,
    registrationRequired: m.registrationRequired,
    courseId: m.courseId,
    examId: m.examId,
    status: m.status,
    lateAfterMinutes: m.lateAfterMinutes,
    partialBelowPercent: m.partialBelowPercent,
    startedAt: iso(m.startedAt),
    endedAt: iso(m.endedAt),
    lastSyncedAt: iso(m.lastSyncedAt),
  };
}

interface Person {
  userId: string | null;
  name: string;
  email: string | null;
  expected: boolean;
  zoom: Segment[];
  hall: Segment[];
  inZoomNow: boolean;
}

/** Guests (no matched account) are one person per email, else per Zoom participant. */
function keyOf(s: repo.ZoomSegmentRow): string {
  if (s.userId) return s.userId;
  const email = s.email?.trim().toLowerCase();
  return email ? `guest:${email}` : `guest:${s.participantUuid}`;
}

/** The period the rules measure against; null while the meeting has not started. */
function periodOf(m: ZoomMeeting, zoomSegs: { joinedAt: Date; leftAt: Date | null }[], now: Date) {
  const earliest = zoomSegs.length ? zoomSegs[0]!.joinedAt : null;
  if (m.status === 'scheduled' && !earliest) return null;
  const start = m.startedAt ?? earliest ?? m.startTime ?? now;
  const ended = m.status === 'ended';
  const lastLeave = zoomSegs.reduce<Date | null>(
    (acc, s) => (s.leftAt && (!acc || s.leftAt > acc) ? s.leftAt : acc),
    null,
  );
  const end = ended ? (m.endedAt ?? lastLeave ?? now) : null;
  return { start, end: end && end < start ? start : end };
}

export async function buildDashboard(db: Db, m: ZoomMeeting, now = new Date()): Promise<AttendanceDashboard> {
  // The post-meeting report is authoritative once a sync stored it (the sync sets
  // last_synced_at in the transaction that writes the report rows).
  const basis: AttendanceDashboard['basis'] = m.lastSyncedAt ? 'report' : 'live';
  const live = m.status !== 'ended';
  const [roster, zoomSegs, webhookSegs, stored] = await Promise.all([
    repo.expectedRoster(db, m),
    repo.zoomSegments(db, m.id, basis === 'report' ? 'report' : 'webhook'),
    // "In Zoom now" is only ever known from webhooks, and only while the meeting runs.
    basis === 'live' || !live ? Promise.resolve(null) : repo.zoomSegments(db, m.id, 'webhook'),
    basis === 'report' ? repo.attendanceOf(db, m.id) : Promise.resolve([]),
  ]);
  const period = periodOf(m, zoomSegs, now);
  const hallSegs = m.examId
    ? await repo.hallSegments(db, m.examId, { from: period?.start ?? null, to: period?.end ?? null })
    : [];

  const people = new Map<string, Person>();
  const add = (key: string, p: Omit<Person, 'zoom' | 'hall' | 'inZoomNow'>) => {
    let person = people.get(key);
    if (!person) people.set(key, (person = { ...p, zoom: [], hall: [], inZoomNow: false }));
    return person;
  };
  for (const r of roster) add(r.userId, { userId: r.userId, name: r.name, email: r.email, expected: true });
  // A stored record means the sync counted the person as expected (e.g. a student who has since dropped the course).
  for (const s of stored) {
    if (!people.has(s.userId)) add(s.userId, { userId: s.userId, name: s.name, email: s.email, expected: true });
  }
  for (const s of zoomSegs) {
    const person = add(keyOf(s), {
      userId: s.userId,
      name: s.userName ?? (s.name?.trim() || 'Guest'),
      email: s.userEmail ?? (s.email?.trim().toLowerCase() || null),
      expected: false,
    });
    person.zoom.push({ joinedAt: s.joinedAt, leftAt: s.leftAt });
  }
  if (live) {
    for (const s of webhookSegs ?? zoomSegs) {
      const person = people.get(keyOf(s));
      if (person && s.leftAt === null) person.inZoomNow = true;
    }
  }
  for (const s of hallSegs) people.get(s.userId)?.hall.push({ joinedAt: s.joinedAt, leftAt: s.leftAt });

  const storedBy = new Map(stored.map((s) => [s.userId, s]));
  const rows: AttendanceRow[] = [...people.values()].map((p) => {
    const a = period
      ? computeAttendance(p.zoom, {
          start: period.start,
          end: period.end,
          lateAfterMinutes: m.lateAfterMinutes,
          partialBelowPercent: m.partialBelowPercent,
          now,
        })
      : null;
    const record = p.userId ? storedBy.get(p.userId) : undefined;
    const segments = [
      ...p.zoom.map((s) => ({ ...s, source: basis === 'report' ? ('report' as const) : ('webhook' as const) })),
      ...p.hall.map((s) => ({ ...s, source: 'hall' as const })),
    ].sort((x, y) => x.joinedAt.getTime() - y.joinedAt.getTime());
    return {
      userId: p.userId,
      name: p.name,
      email: p.email,
      expected: p.expected,
      inZoomNow: p.inZoomNow,
      inHallNow: p.hall.some((s) => s.leftAt === null),
      // A stored record carries a teacher's manual status, which the rules must not undo.
      status: record?.status ?? a?.status ?? null,
      late: (a?.late ?? false) || record?.status === 'late',
      leftEarly: a?.leftEarly ?? false,
      firstJoinAt: iso(record ? record.firstJoinAt : a?.firstJoinAt),
      lastLeaveAt: iso(record ? record.lastLeaveAt : a?.lastLeaveAt),
      totalSeconds: record?.totalSeconds ?? a?.totalSeconds ?? 0,
      segments: segments.map((s) => ({ joinedAt: s.joinedAt.toISOString(), leftAt: iso(s.leftAt), source: s.source })),
    };
  });
  rows.sort((x, y) => Number(y.expected) - Number(x.expected) || x.name.localeCompare(y.name));
  return { meeting: toMeetingDto(m), summary: summarize(rows), rows, basis };
}

/**
 * Counts by status and the attendance rate are over the expected people; "present now"
 * and the durations count everyone in the meeting, guests included.
 */
export function summarize(rows: AttendanceRow[]): AttendanceDashboard['summary'] {
  const expected = rows.filter((r) => r.expected);
  const attendedStatus = (s: AttendanceStatusName | null) => s !== null && s !== 'absent';
  const attended = expected.filter((r) => attendedStatus(r.status)).length;
  const byStatus = Object.fromEntries(attendanceStatuses.map((s) => [s, 0])) as Record<AttendanceStatusName, number>;
  for (const r of expected) if (r.status) byStatus[r.status]++;
  const totalSeconds = rows.reduce((n, r) => n + r.totalSeconds, 0);
  const withTime = rows.filter((r) => r.totalSeconds > 0).length;
  return {
    expected: expected.length,
    presentNow: rows.filter((r) => r.inZoomNow || r.inHallNow).length,
    attended,
    attendanceRate: expected.length ? attended / expected.length : 0,
    totalSeconds,
    averageSeconds: withTime ? Math.round(totalSeconds / withTime) : 0,
    byStatus,
  };
}

export function createAttendanceService(deps: { db: Db; secret: string; zoom: ZoomClient | null; zoomJobs: ZoomJobs }) {
  const { db, secret } = deps;
  return {
    async dashboard(actor: Actor, meetingId: string): Promise<AttendanceDashboard> {
      return buildDashboard(db, await loadAttendanceMeeting(db, actor, meetingId));
    },

    /** Live updates of the dashboard ('attendance:changed'): `subscribe` runs once the actor may see it. */
    async watch(actor: Actor, meetingId: string, subscribe: () => Promise<void>) {
      await loadAttendanceMeeting(db, actor, meetingId);
      await subscribe();
      return { watching: true as const };
    },

    /** The dashboard as CSV, one row per person; the export is audited with counts only. */
    async exportCsv(caller: Caller, meetingId: string) {
      const d = await buildDashboard(db, await loadAttendanceMeeting(db, caller.actor, meetingId));
      await audit.record(db, auditContextOf(secret, caller), {
        action: 'attendance.export',
        targetType: 'zoom_meeting',
        targetId: meetingId,
        details: { rows: d.rows.length, expected: d.summary.expected, basis: d.basis },
      });
      return { csv: attendanceCsv(d.rows), topic: d.meeting.topic };
    },

    /** Queues a sync from Zoom's participants report now (deduplicated per meeting by the queue). */
    async requestSync(caller: Caller, meetingId: string) {
      const m = await loadAttendanceMeeting(db, caller.actor, meetingId);
      if (!deps.zoom) throw new AppError(503, 'zoom_not_configured', notConfigured().message);
      if (m.status !== 'ended') {
        throw conflict(
          'Zoom publishes the participants report only after the meeting has ended; until then the dashboard shows live data.',
        );
      }
      await deps.zoomJobs.sync(meetingId);
      await audit.record(db, auditContextOf(secret, caller), {
        action: 'attendance.sync_requested',
        targetType: 'zoom_meeting',
        targetId: meetingId,
      });
      return { queued: true as const, meetingId };
    },
  };
}
export type AttendanceService = ReturnType<typeof createAttendanceService>;
