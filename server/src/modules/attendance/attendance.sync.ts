// After a meeting ends (and on demand): pull Zoom's participants report page by page
// (300 a page; the client retries 429s), replace the meeting's report segments with it
// (the report wins over the live webhook segments, which stay for the record), and
// compute every expected student's attendance by the meeting's rules.
import type { Db } from '../../db/client.ts';
import type { ZoomMeeting } from '../../db/schema/zoom.ts';
import type { HallPublisher } from '../hall/hall.events.ts';
import type { ZoomClient } from '../zoom/zoom.client.ts';
import type { ZoomReportParticipant } from '../zoom/zoom.types.ts';
import { computeAttendance, type Segment } from './attendance.rules.ts';
import * as repo from './attendance.repository.ts';
import * as audit from '../audit/audit.service.ts';

export const REPORT_PAGE_SIZE = 300;

/** The calendar day of the meeting in its own time zone. */
function sessionDate(start: Date, timezone: string | null): string {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone: timezone ?? 'UTC' }).format(start);
  } catch {
    return start.toISOString().slice(0, 10);
  }
}

export async function fetchReport(zoom: ZoomClient, meeting: ZoomMeeting) {
  const id = meeting.zoomUuid ?? meeting.zoomMeetingId;
  const all: ZoomReportParticipant[] = [];
  let next = '';
  let pages = 0;
  do {
    const page = await zoom.reportParticipants(id, {
      page_size: REPORT_PAGE_SIZE,
      // Zoom returns registrant ids in this report only when asked.
      include_fields: 'registrant_id',
      ...(next ? { next_page_token: next } : {}),
    });
    all.push(...(page.participants ?? []));
    next = page.next_page_token ?? '';
    pages++;
    if (pages > 10_000) throw new Error('the participants report does not end');
  } while (next);
  return { participants: all, pages };
}

export interface SyncResult {
  skipped?: string;
  segments: number;
  pages: number;
  matched: number;
  records: number;
}

export async function syncAttendance(
  db: Db,
  zoom: ZoomClient,
  publish: HallPublisher,
  meetingId: string,
): Promise<SyncResult> {
  const meeting = await repo.zoomMeeting(db, meetingId);
  if (!meeting) return { skipped: 'no such meeting', segments: 0, pages: 0, matched: 0, records: 0 };
  if (meeting.status !== 'ended') {
    return {
      skipped: 'the meeting has not ended: Zoom publishes its report afterwards',
      segments: 0,
      pages: 0,
      matched: 0,
      records: 0,
    };
  }
  const { participants, pages } = await fetchReport(zoom, meeting);

  // Map people in two queries: registrant ids, then emails.
  const regIds = [...new Set(participants.map((p) => p.registrant_id).filter((v): v is string => !!v))];
  const byRegistrant = await repo.usersByRegistrant(db, meeting.id, regIds);
  const emails = [
    ...new Set(participants.map((p) => p.user_email?.trim().toLowerCase()).filter((v): v is string => !!v)),
  ];
  const byEmail = await repo.usersByEmail(db, emails);
  const rows = participants.map((p) => {
    const email = p.user_email?.trim().toLowerCase() || null;
    const joinedAt = new Date(p.join_time);
    const leftAt = p.leave_time ? new Date(p.leave_time) : null;
    return {
      meetingId: meeting.id,
      userId: (p.registrant_id && byRegistrant.get(p.registrant_id)) || (email && byEmail.get(email)) || null,
      zoomParticipantUuid: p.participant_user_id || p.id || p.user_id || email || `guest:${p.name ?? ''}`,
      zoomUserId: p.user_id ?? null,
      registrantId: p.registrant_id || null,
      name: p.name ?? null,
      email,
      joinedAt,
      leftAt: leftAt && leftAt >= joinedAt ? leftAt : joinedAt,
      durationSeconds: p.duration ?? null,
      source: 'report' as const,
    };
  });

  const start = meeting.startedAt ?? new Date(Math.min(...rows.map((r) => r.joinedAt.getTime()), Date.now()));
  const end =
    meeting.endedAt ?? new Date(Math.max(...rows.map((r) => (r.leftAt ?? r.joinedAt).getTime()), start.getTime()));
  // The same roster the dashboard shows (one definition: attendance.repository.ts).
  const expected = new Set((await repo.expectedRoster(db, meeting)).map((p) => p.userId));
  const segmentsByUser = new Map<string, Segment[]>();
  for (const id of expected) segmentsByUser.set(id, []);
  for (const r of rows) {
    if (!r.userId) continue;
    const list = segmentsByUser.get(r.userId) ?? [];
    list.push({ joinedAt: r.joinedAt, leftAt: r.leftAt });
    segmentsByUser.set(r.userId, list);
  }
  const now = new Date();
  const date = sessionDate(start, meeting.timezone);
  const records = [...segmentsByUser].map(([userId, segs]) => {
    const a = computeAttendance(segs, {
      start,
      end,
      lateAfterMinutes: meeting.lateAfterMinutes,
      partialBelowPercent: meeting.partialBelowPercent,
      now,
    });
    return {
      meetingId: meeting.id,
      userId,
      courseId: meeting.courseId,
      sessionDate: date,
      status: a.status,
      firstJoinAt: a.firstJoinAt,
      lastLeaveAt: a.lastLeaveAt,
      totalSeconds: a.totalSeconds,
      segmentsCount: a.segmentsCount,
      computedAt: now,
      source: 'report' as const,
    };
  });

  await db.transaction(async (tx) => {
    await repo.replaceReport(tx, meeting.id, rows, records, now);
    // The job acts for nobody in particular: no actor, counts only.
    await audit.record(
      tx,
      {},
      {
        action: 'attendance.sync',
        targetType: 'zoom_meeting',
        targetId: meeting.id,
        details: {
          segments: rows.length,
          pages,
          matched: rows.filter((r) => r.userId).length,
          records: records.length,
        },
      },
    );
  });
  publish.attendanceChanged(meeting.id);
  return { segments: rows.length, pages, matched: rows.filter((r) => r.userId).length, records: records.length };
}
