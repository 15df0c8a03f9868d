// How one participant's joins and leaves pair up into segments (zoom.segments.ts), for
// the cases the order of arrival cannot decide: same-second reconnects, zero-length stays,
// Zoom's per-stay ids, a lost join or leave, and the meeting's end.
import { describe, expect, it } from 'vitest';
import { deriveSegments, type ParticipantEventIn } from '../../src/modules/zoom/zoom.segments.ts';

const t0 = Date.UTC(2026, 0, 12, 9, 0, 0);
const d = (s: number) => new Date(t0 + s * 1000);
const ev = (kind: 'joined' | 'left', s: number, more: Partial<ParticipantEventIn> = {}): ParticipantEventIn => ({
  kind,
  at: d(s),
  stayId: null,
  userId: null,
  registrantId: null,
  name: 'P',
  email: null,
  leaveReason: kind === 'left' ? `left@${s}` : null,
  ...more,
});
const spans = (events: ParticipantEventIn[], ended: number | null = null) =>
  deriveSegments(events, ended === null ? null : d(ended)).map((s) => [
    (s.joinedAt.getTime() - t0) / 1000,
    s.leftAt ? (s.leftAt.getTime() - t0) / 1000 : null,
    s.leaveReason,
  ]);

/** Every order of the list (small lists only). */
function permutations<T>(list: T[]): T[][] {
  if (list.length <= 1) return [list];
  return list.flatMap((x, i) => permutations([...list.slice(0, i), ...list.slice(i + 1)]).map((p) => [x, ...p]));
}

describe('deriveSegments', () => {
  it('a leave and a rejoin in the same second: the leave ends the earlier stay', () => {
    const events = [ev('joined', 10), ev('left', 50), ev('joined', 50), ev('left', 90)];
    for (const order of permutations(events)) {
      expect(spans(order)).toEqual([
        [10, 50, 'left@50'],
        [50, 90, 'left@90'],
      ]);
    }
  });

  it('a join and a leave in the same second with nothing open: a zero-length stay', () => {
    expect(spans([ev('left', 30), ev('joined', 30)])).toEqual([[30, 30, 'left@30']]);
  });

  it("pairs by Zoom's per-stay user_id when both sides carry it, even where times alone would not", () => {
    // Two devices under one participant_uuid, overlapping: by time alone the leave at 30
    // would end the newer stay.
    const events = [
      ev('joined', 10, { stayId: 'a' }),
      ev('joined', 20, { stayId: 'b' }),
      ev('left', 30, { stayId: 'a' }),
      ev('left', 40, { stayId: 'b' }),
    ];
    expect(spans(events)).toEqual([
      [10, 30, 'left@30'],
      [20, 40, 'left@40'],
    ]);
    expect(spans(events.map((e) => ({ ...e, stayId: null })))).toEqual([
      [10, 40, 'left@40'],
      [20, 30, 'left@30'],
    ]);
    // Different stay ids never pair: that leave's join has not reached us.
    expect(spans([ev('joined', 10, { stayId: 'a' }), ev('left', 40, { stayId: 'z' })])).toEqual([
      [10, null, null],
      [40, 40, 'left@40'],
    ]);
  });

  it('a leave whose join never came is a zero-length segment at the leave; the join, once here, completes it', () => {
    expect(spans([ev('left', 70)])).toEqual([[70, 70, 'left@70']]);
    expect(spans([ev('left', 70), ev('joined', 20)])).toEqual([[20, 70, 'left@70']]);
  });

  it('whoever has no leave left when the meeting ended (not before they joined)', () => {
    expect(spans([ev('joined', 10), ev('joined', 200), ev('left', 100)], 150)).toEqual([
      [10, 100, 'left@100'],
      [200, 200, 'meeting ended'],
    ]);
  });

  it("takes the join's details, the leave's where the join has none", () => {
    const [s] = deriveSegments(
      [
        ev('joined', 10, { name: 'Ana', email: null, userId: null, stayId: '7' }),
        ev('left', 20, { name: 'Ana (phone)', email: 'ana@example.org', userId: 'u-1', stayId: '7' }),
      ],
      null,
    );
    expect(s).toMatchObject({
      name: 'Ana',
      email: 'ana@example.org',
      userId: 'u-1',
      zoomUserId: '7',
      durationSeconds: 10,
    });
  });
});
