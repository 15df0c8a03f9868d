// Builds a finished meeting instance directly in state (no webhooks): N people, some rejoining
// several times, a mix of registered guests, signed-in users and anonymous guests; returns the
// ground truth a sync can be checked against.
import { newMeetingUuid, newZoomId, seededRng, zoomTime, type Rng } from './ids.ts';
import { register } from './registrants.ts';
import { liveInstance, newInstance, openSegment, type Meeting, type Person, type Segment } from './state.ts';

export interface GenerateOptions {
  participants: number;
  /** Chance, after each stay, that the person comes back once more (at most 6 stays). */
  rejoinRate: number;
  seed: number;
  /** Meeting start; defaults to two hours and a half ago, whole seconds. */
  start?: Date;
  durationMinutes?: number;
  /** Force the instance UUID (e.g. one starting with '/' to exercise double encoding). */
  uuid?: string;
}

export interface GeneratedPerson {
  name: string;
  email: string | null;
  registrantId: string | null;
  userId: string | null;
  /** [join, leave] per stay, ISO 8601 with whole seconds, in order. */
  segments: Array<[string, string]>;
}

export interface GeneratedMeeting {
  meetingId: number;
  uuid: string;
  startTime: string;
  endTime: string;
  totalSegments: number;
  people: GeneratedPerson[];
}

const FIRST = ['Ana', 'Ben', 'Chen', 'Dara', 'Eli', 'Fatima', 'Goran', 'Hana', 'Ivan', 'Jun', 'Kofi', 'Lea'];
const LAST = ['Lima', 'Okafor', 'Wei', 'Singh', 'Novak', 'Zahra', 'Petrov', 'Sato', 'Mensah', 'Rossi', 'Kim'];

function int(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** Stays as [join, leave] in seconds: 2k distinct, sorted instants from `first` to at most `end`. */
function stays(rng: Rng, first: number, end: number, rejoinRate: number): Array<[number, number]> {
  let k = 1;
  while (k < 6 && rng() < rejoinRate) k++;
  const points = new Set<number>();
  while (points.size < 2 * k - 1) points.add(int(rng, first + 1, end));
  const sorted = [...points].sort((a, b) => a - b);
  if (rng() < 0.6) sorted[sorted.length - 1] = end; // stayed until the host ended the meeting
  const all = [first, ...sorted];
  const out: Array<[number, number]> = [];
  for (let i = 0; i < all.length; i += 2) out.push([all[i]!, all[i + 1]!]);
  return out;
}

export function generateMeeting(m: Meeting, origin: string, opts: GenerateOptions): GeneratedMeeting {
  if (liveInstance(m)) throw new Error(`meeting ${m.id} is in progress; end it before generating`);
  const rng = seededRng(opts.seed);
  const durationS = Math.max(10, Math.round((opts.durationMinutes ?? 120) * 60));
  const t0 = Math.floor((opts.start?.getTime() ?? Date.now() - 150 * 60_000) / 1000);
  const t1 = t0 + durationS;
  const inst = newInstance(opts.uuid ?? newMeetingUuid(rng), new Date(t0 * 1000));

  const usedNames = new Set<string>();
  const people: Array<{ person: Person; truth: GeneratedPerson; stays: Array<[number, number]> }> = [];
  for (let i = 0; i < opts.participants; i++) {
    let name = `${FIRST[int(rng, 0, FIRST.length - 1)]} ${LAST[int(rng, 0, LAST.length - 1)]}`;
    if (usedNames.has(name)) name = `${name} ${i + 1}`;
    usedNames.add(name);
    const kind = rng();
    const email = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@example.test`;
    const person: Person = { name };
    if (kind < 0.55) {
      person.email = email;
      const [first, ...rest] = name.split(' ');
      const { registrant } = register(
        m,
        origin,
        { email, first_name: first!, last_name: rest.join(' ') },
        true,
        new Date((t0 - 86_400) * 1000),
        rng,
      );
      person.registrantId = registrant.id;
      if (kind < 0.1) person.userId = newZoomId(rng);
    } else if (kind < 0.8) {
      person.email = email;
      person.userId = newZoomId(rng);
    }
    const firstJoin = t0 + int(rng, 0, Math.min(600, Math.floor(durationS / 4)));
    const s = stays(rng, firstJoin, t1, opts.rejoinRate);
    const truth: GeneratedPerson = {
      name,
      email: person.email ?? null,
      registrantId: person.registrantId ?? null,
      userId: person.userId ?? null,
      segments: s.map(([a, b]) => [zoomTime(new Date(a * 1000)), zoomTime(new Date(b * 1000))]),
    };
    people.push({ person, truth, stays: s });
  }

  // Zoom hands out user_id in join order, so open the segments chronologically.
  const joins = people.flatMap((p) => p.stays.map((st) => ({ p, st })));
  joins.sort((a, b) => a.st[0] - b.st[0]);
  for (const { p, st } of joins) {
    const seg: Segment = openSegment(inst, p.person, p.person.email ?? '', new Date(st[0] * 1000), rng);
    seg.leaveTime = new Date(st[1] * 1000);
    seg.leaveReason =
      st[1] === t1
        ? 'left the meeting. Reason : Host ended the meeting.'
        : 'left the meeting. Reason : left the meeting';
  }
  inst.endedAt = new Date(t1 * 1000);
  m.instances.push(inst);
  m.uuid = inst.uuid;

  return {
    meetingId: m.id,
    uuid: inst.uuid,
    startTime: zoomTime(inst.startedAt),
    endTime: zoomTime(inst.endedAt),
    totalSegments: inst.segments.length,
    people: people.map((p) => p.truth),
  };
}
