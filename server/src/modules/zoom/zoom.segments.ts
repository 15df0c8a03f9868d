// One participant's join..leave segments, derived from every participant_joined and
// participant_left received for them so far (and the meeting's end). A pure function of
// that set: whatever order the events were processed in, the same set gives the same
// segments, and a redelivered event (already in the set) changes nothing.

export interface ParticipantEventIn {
  kind: 'joined' | 'left';
  /** The event's own join_time / leave_time. */
  at: Date;
  /** Zoom's user_id, new for each stay: pairs a leave with its join when both carry it. */
  stayId: string | null;
  userId: string | null;
  registrantId: string | null;
  name: string | null;
  email: string | null;
  leaveReason: string | null;
}

export interface DerivedSegment {
  joinedAt: Date;
  leftAt: Date | null;
  durationSeconds: number | null;
  leaveReason: string | null;
  userId: string | null;
  zoomUserId: string | null;
  registrantId: string | null;
  name: string | null;
  email: string | null;
}

export const MEETING_ENDED_REASON = 'meeting ended';

const byTime = (a: ParticipantEventIn, b: ParticipantEventIn) =>
  a.at.getTime() - b.at.getTime() || (a.stayId ?? '').localeCompare(b.stayId ?? '');

/** Different stay ids on both sides: not the same stay. */
const sameStayPossible = (j: ParticipantEventIn, l: ParticipantEventIn) =>
  j.stayId === null || l.stayId === null || j.stayId === l.stayId;

export function deriveSegments(events: ParticipantEventIn[], meetingEndedAt: Date | null): DerivedSegment[] {
  const joins = events.filter((e) => e.kind === 'joined').sort(byTime);
  const leaves = events.filter((e) => e.kind === 'left').sort(byTime);
  const pairs: [ParticipantEventIn | null, ParticipantEventIn | null][] = [];
  const paired = new Set<ParticipantEventIn>();

  // 1. A leave and a join of the same stay (Zoom's per-stay user_id) belong together.
  for (const l of leaves) {
    if (!l.stayId) continue;
    const j = joins.find((x) => !paired.has(x) && x.stayId === l.stayId && x.at <= l.at);
    if (!j) continue;
    paired.add(j).add(l);
    pairs.push([j, l]);
  }

  // 2. The rest in time order: a leave closes the newest join still open before it.
  // Within one second, a leave first closes a stay that began earlier (leave and rejoin
  // in the same second: a reconnect); only then may it close a join of that same second.
  const rest = [...joins, ...leaves].filter((e) => !paired.has(e)).sort(byTime);
  const open: ParticipantEventIn[] = [];
  const close = (l: ParticipantEventIn, before: number | null) => {
    for (let i = open.length - 1; i >= 0; i--) {
      const j = open[i]!;
      if (before !== null && j.at.getTime() >= before) continue;
      if (!sameStayPossible(j, l)) continue;
      open.splice(i, 1);
      pairs.push([j, l]);
      return true;
    }
    return false;
  };
  for (let i = 0; i < rest.length;) {
    const t = rest[i]!.at.getTime();
    let k = i;
    while (k < rest.length && rest[k]!.at.getTime() === t) k++;
    const now = rest.slice(i, k);
    i = k;
    const pending = now.filter((e) => e.kind === 'left' && !close(e, t));
    open.push(...now.filter((e) => e.kind === 'joined'));
    for (const l of pending) if (!close(l, null)) pairs.push([null, l]); // its join never reached us
  }
  for (const j of open) pairs.push([j, null]);

  const segments = pairs.map(([j, l]) => segmentOf(j, l, meetingEndedAt));
  segments.sort((a, b) => a.joinedAt.getTime() - b.joinedAt.getTime());
  // One row per (participant, join time): should two ever coincide, the first stands.
  return segments.filter((s, i) => i === 0 || s.joinedAt.getTime() !== segments[i - 1]!.joinedAt.getTime());
}

function segmentOf(
  j: ParticipantEventIn | null,
  l: ParticipantEventIn | null,
  meetingEndedAt: Date | null,
): DerivedSegment {
  const joinedAt = (j ?? l)!.at;
  let leftAt: Date | null = l ? l.at : null;
  let leaveReason = l ? l.leaveReason : null;
  if (!l && meetingEndedAt) {
    // Whoever Zoom did not report leaving left when the meeting ended.
    leftAt = meetingEndedAt > joinedAt ? meetingEndedAt : joinedAt;
    leaveReason = MEETING_ENDED_REASON;
  }
  const pick = <K extends 'userId' | 'registrantId' | 'name' | 'email' | 'stayId'>(key: K) =>
    j?.[key] ?? l?.[key] ?? null;
  return {
    joinedAt,
    leftAt,
    durationSeconds: leftAt ? Math.max(0, Math.round((leftAt.getTime() - joinedAt.getTime()) / 1000)) : null,
    leaveReason,
    userId: pick('userId'),
    zoomUserId: pick('stayId'),
    registrantId: pick('registrantId'),
    name: pick('name'),
    email: pick('email'),
  };
}
