// Webhook events, processed in a worker: meeting state and the live join..leave
// segments (source 'webhook'). Zoom does not promise delivery order and several workers
// take a meeting's events at once, so a join/leave is stored as an event
// (zoom_participant_events, unique: a redelivery is a no-op) and the participant's
// segments are derived again from all of their events (zoom.segments.ts), under a lock
// on the meeting row: the same events give the same segments whatever the order.
import type { Db, Tx } from '../../db/client.ts';
import type { ZoomMeeting, ZoomParticipantEvent } from '../../db/schema/zoom.ts';
import type { HallPublisher } from '../hall/hall.events.ts';
import * as repo from './zoom.meetings.repository.ts';
import { deriveSegments } from './zoom.segments.ts';
import type { ZoomEvent } from './zoom.types.ts';

type Participant = NonNullable<NonNullable<NonNullable<ZoomEvent['payload']>['object']>['participant']>;

/** Registrant id first (Zoom's own link to the person), then email. */
export async function userFor(
  db: Db | Tx,
  meetingId: string,
  p: { registrantId?: string | null | undefined; email?: string | null | undefined },
): Promise<string | null> {
  if (p.registrantId) {
    const userId = await repo.registrantUser(db, meetingId, p.registrantId);
    if (userId) return userId;
  }
  if (p.email) {
    const userId = await repo.userIdByEmail(db, p.email.trim().toLowerCase());
    if (userId) return userId;
  }
  return null;
}

/** Zoom's participant_uuid identifies one person's presence; older payloads only have id/user_id. */
const participantKey = (p: Participant) =>
  p.participant_uuid || p.id || p.user_id || p.email || p.user_name || 'unknown';

export interface EventOutcome {
  handled: boolean;
  meetingId?: string;
  note?: string;
  /** meeting.ended: the report should be pulled. */
  syncNeeded?: boolean;
}

export async function processZoomEvent(db: Db, publish: HallPublisher, body: ZoomEvent): Promise<EventOutcome> {
  const object = body.payload?.object;
  if (!object?.id) return { handled: false, note: 'no meeting in the payload' };
  const outcome = await db.transaction(async (tx) => {
    // Every event of a meeting waits for the one before it to commit: two workers never
    // derive the same participant's segments from different sets of events at once.
    const meeting = await repo.lockByZoomId(tx, String(object.id));
    if (!meeting) return { handled: false, note: `meeting ${object.id} is not linked here` } as EventOutcome;
    return apply(tx, meeting, body);
  });
  if (outcome.handled && outcome.meetingId) publish.attendanceChanged(outcome.meetingId);
  return outcome;
}

async function apply(tx: Tx, meeting: ZoomMeeting, body: ZoomEvent): Promise<EventOutcome> {
  const object = body.payload!.object!;
  // The event's own times; its event_ts only when the payload has none.
  const at = (iso: string | undefined) =>
    iso ? new Date(iso) : new Date(Number.isFinite(body.event_ts) ? body.event_ts! : Date.now());
  const done: EventOutcome = { handled: true, meetingId: meeting.id };
  // A time that does not parse would fail the job on every retry: say so once instead.
  for (const [field, value] of Object.entries({
    start_time: object.start_time,
    end_time: object.end_time,
    'participant.join_time': object.participant?.join_time,
    'participant.leave_time': object.participant?.leave_time,
  })) {
    if (value !== undefined && value !== '' && (typeof value !== 'string' || Number.isNaN(Date.parse(value)))) {
      return { handled: false, meetingId: meeting.id, note: `${field} is not a time: ${String(value)}` };
    }
  }

  switch (body.event) {
    case 'meeting.started': {
      // The meeting's own start time wins over a join's (which may have been processed first).
      await repo.markStarted(tx, meeting.id, {
        startedAt: object.start_time ? new Date(object.start_time) : null,
        fallback: at(undefined),
        zoomUuid: object.uuid ?? meeting.zoomUuid,
      });
      return done;
    }
    case 'meeting.ended': {
      const endedAt = at(object.end_time);
      await repo.markEnded(tx, meeting.id, {
        endedAt,
        startedAt: object.start_time ? new Date(object.start_time) : null,
        zoomUuid: object.uuid ?? meeting.zoomUuid,
      });
      // Whoever Zoom did not report leaving left when the meeting ended.
      await rederive(tx, meeting.id, endedAt, null);
      return { ...done, syncNeeded: true };
    }
    case 'meeting.participant_joined':
    case 'meeting.participant_left': {
      const p = object.participant;
      if (!p) return { handled: false, note: 'no participant' };
      const left = body.event === 'meeting.participant_left';
      const key = participantKey(p);
      const userId = await userFor(tx, meeting.id, { registrantId: p.registrant_id, email: p.email });
      const who = {
        meetingId: meeting.id,
        participantKey: key,
        stayId: p.user_id || null,
        userId,
        registrantId: p.registrant_id || null,
        name: p.user_name ?? null,
        email: p.email ? p.email.toLowerCase() : null,
      };
      if (left) {
        await repo.insertParticipantEvent(tx, {
          ...who,
          kind: 'left',
          at: at(p.leave_time),
          leaveReason: p.leave_reason ?? null,
        });
      }
      const joinTime = p.join_time;
      if (!left || joinTime) {
        // A leave that says when its stay began implies that join; the join's own payload,
        // whenever it comes, is the one kept (so the result does not depend on which came first).
        await repo.insertParticipantEvent(tx, { ...who, kind: 'joined', at: at(joinTime) }, !left);
      }
      await rederive(tx, meeting.id, meeting.endedAt, key);
      if (!left && meeting.status === 'scheduled') {
        await repo.startIfScheduled(tx, meeting.id, at(joinTime));
      }
      return done;
    }
    default:
      return { handled: false, meetingId: meeting.id, note: `event ${body.event} is not used` };
  }
}

/**
 * Brings the stored webhook segments of one participant (or of everyone with events in
 * the meeting) in line with what their events say: rows keep their id when their join
 * time stays; only what differs is written.
 */
async function rederive(tx: Tx, meetingId: string, endedAt: Date | null, key: string | null) {
  // One after the other: a transaction is one connection.
  const events = await repo.participantEvents(tx, meetingId, key);
  const rows = await repo.webhookSegments(tx, meetingId, key);
  const eventsBy = new Map<string, ZoomParticipantEvent[]>();
  for (const e of events) eventsBy.set(e.participantKey, [...(eventsBy.get(e.participantKey) ?? []), e]);
  const rowsBy = new Map<string, (typeof rows)[number][]>();
  for (const r of rows) rowsBy.set(r.zoomParticipantUuid, [...(rowsBy.get(r.zoomParticipantUuid) ?? []), r]);

  for (const [participant, list] of eventsBy) {
    const existing = new Map((rowsBy.get(participant) ?? []).map((r) => [r.joinedAt.getTime(), r]));
    for (const s of deriveSegments(list, endedAt)) {
      const row = existing.get(s.joinedAt.getTime());
      existing.delete(s.joinedAt.getTime());
      if (!row) {
        await repo.insertSegment(tx, { meetingId, zoomParticipantUuid: participant, source: 'webhook', ...s });
        continue;
      }
      const same =
        (row.leftAt?.getTime() ?? null) === (s.leftAt?.getTime() ?? null) &&
        row.durationSeconds === s.durationSeconds &&
        row.leaveReason === s.leaveReason &&
        row.userId === s.userId &&
        row.zoomUserId === s.zoomUserId &&
        row.registrantId === s.registrantId &&
        row.name === s.name &&
        row.email === s.email;
      if (!same) await repo.updateSegment(tx, row.id, s);
    }
    // A segment the events no longer support (e.g. a leave's stand-in, now that its join came).
    for (const stale of existing.values()) await repo.deleteSegment(tx, stale.id);
  }
}
