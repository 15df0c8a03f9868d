// Webhook events, processed in a worker: meeting state and the live join..leave
// segments (source 'webhook'). Every write is idempotent (unique segment key, guarded
// updates), so a redelivered or replayed job changes nothing.
import { and, desc, eq, isNull, lte, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { meetingParticipation, meetingRegistrants, users, zoomMeetings } from '../../db/schema/index.ts';
import type { HallPublisher } from '../hall/hall.events.ts';
import type { ZoomEvent } from './zoom.types.ts';

type Participant = NonNullable<NonNullable<NonNullable<ZoomEvent['payload']>['object']>['participant']>;

/** Registrant id first (Zoom's own link to the person), then email. */
export async function userFor(
  db: Db,
  meetingId: string,
  p: { registrantId?: string | null | undefined; email?: string | null | undefined },
): Promise<string | null> {
  if (p.registrantId) {
    const [r] = await db
      .select({ userId: meetingRegistrants.userId })
      .from(meetingRegistrants)
      .where(and(eq(meetingRegistrants.meetingId, meetingId), eq(meetingRegistrants.zoomRegistrantId, p.registrantId)));
    if (r) return r.userId;
  }
  if (p.email) {
    const [u] = await db.select({ id: users.id }).from(users).where(eq(users.email, p.email.trim().toLowerCase()));
    if (u) return u.id;
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
  const [meeting] = await db
    .select()
    .from(zoomMeetings)
    .where(eq(zoomMeetings.zoomMeetingId, String(object.id)));
  if (!meeting) return { handled: false, note: `meeting ${object.id} is not linked here` };
  const at = (iso: string | undefined) => (iso ? new Date(iso) : new Date((body.event_ts ?? Date.now()) as number));

  switch (body.event) {
    case 'meeting.started': {
      await db
        .update(zoomMeetings)
        .set({
          status: 'started',
          startedAt: sql`coalesce(${zoomMeetings.startedAt}, ${at(object.start_time)})`,
          zoomUuid: object.uuid ?? meeting.zoomUuid,
          updatedAt: new Date(),
        })
        .where(and(eq(zoomMeetings.id, meeting.id), sql`${zoomMeetings.status} <> 'ended'`));
      break;
    }
    case 'meeting.ended': {
      const endedAt = at(object.end_time);
      await db
        .update(zoomMeetings)
        .set({
          status: 'ended',
          endedAt,
          startedAt: sql`coalesce(${zoomMeetings.startedAt}, ${object.start_time ? new Date(object.start_time) : endedAt})`,
          zoomUuid: object.uuid ?? meeting.zoomUuid,
          updatedAt: new Date(),
        })
        .where(eq(zoomMeetings.id, meeting.id));
      // Whoever Zoom did not report leaving left when the meeting ended.
      await db
        .update(meetingParticipation)
        .set({
          leftAt: sql`greatest(${meetingParticipation.joinedAt}, ${endedAt})`,
          durationSeconds: sql`greatest(0, extract(epoch from ${endedAt}::timestamptz - ${meetingParticipation.joinedAt}))::int`,
          leaveReason: 'meeting ended',
          updatedAt: new Date(),
        })
        .where(
          and(
            eq(meetingParticipation.meetingId, meeting.id),
            eq(meetingParticipation.source, 'webhook'),
            isNull(meetingParticipation.leftAt),
          ),
        );
      publish.attendanceChanged(meeting.id);
      return { handled: true, meetingId: meeting.id, syncNeeded: true };
    }
    case 'meeting.participant_joined': {
      const p = object.participant;
      if (!p) return { handled: false, note: 'no participant' };
      const joinedAt = at(p.join_time);
      const userId = await userFor(db, meeting.id, { registrantId: p.registrant_id, email: p.email });
      await db
        .insert(meetingParticipation)
        .values({
          meetingId: meeting.id,
          userId,
          zoomParticipantUuid: participantKey(p),
          zoomUserId: p.user_id ?? null,
          registrantId: p.registrant_id || null,
          name: p.user_name ?? null,
          email: p.email ? p.email.toLowerCase() : null,
          joinedAt,
          source: 'webhook',
        })
        .onConflictDoNothing();
      if (meeting.status === 'scheduled') {
        await db
          .update(zoomMeetings)
          .set({ status: 'started', startedAt: sql`coalesce(${zoomMeetings.startedAt}, ${joinedAt})` })
          .where(and(eq(zoomMeetings.id, meeting.id), eq(zoomMeetings.status, 'scheduled')));
      }
      break;
    }
    case 'meeting.participant_left': {
      const p = object.participant;
      if (!p) return { handled: false, note: 'no participant' };
      const leftAt = at(p.leave_time);
      const key = participantKey(p);
      // The newest open segment of this participant that began before this leave.
      const [open] = await db
        .select({ id: meetingParticipation.id, joinedAt: meetingParticipation.joinedAt })
        .from(meetingParticipation)
        .where(
          and(
            eq(meetingParticipation.meetingId, meeting.id),
            eq(meetingParticipation.zoomParticipantUuid, key),
            eq(meetingParticipation.source, 'webhook'),
            isNull(meetingParticipation.leftAt),
            lte(meetingParticipation.joinedAt, leftAt),
          ),
        )
        .orderBy(desc(meetingParticipation.joinedAt))
        .limit(1);
      if (open) {
        await db
          .update(meetingParticipation)
          .set({
            leftAt,
            durationSeconds: Math.max(0, Math.round((leftAt.getTime() - open.joinedAt.getTime()) / 1000)),
            leaveReason: p.leave_reason ?? null,
            updatedAt: new Date(),
          })
          .where(and(eq(meetingParticipation.id, open.id), isNull(meetingParticipation.leftAt)));
      } else {
        // The join never reached us (or came after): keep what we know, a segment that ends here.
        const userId = await userFor(db, meeting.id, { registrantId: p.registrant_id, email: p.email });
        const joinedAt = p.join_time ? new Date(p.join_time) : leftAt;
        await db
          .insert(meetingParticipation)
          .values({
            meetingId: meeting.id,
            userId,
            zoomParticipantUuid: key,
            zoomUserId: p.user_id ?? null,
            registrantId: p.registrant_id || null,
            name: p.user_name ?? null,
            email: p.email ? p.email.toLowerCase() : null,
            joinedAt,
            leftAt,
            durationSeconds: Math.max(0, Math.round((leftAt.getTime() - joinedAt.getTime()) / 1000)),
            leaveReason: p.leave_reason ?? null,
            source: 'webhook',
          })
          .onConflictDoNothing();
      }
      break;
    }
    default:
      return { handled: false, meetingId: meeting.id, note: `event ${body.event} is not used` };
  }
  publish.attendanceChanged(meeting.id);
  return { handled: true, meetingId: meeting.id };
}
