// Joins (and leaves) arriving together share one state statement and one commit (group commit,
// db/group-commit.ts; attempts.live.repository.ts joinStates), and each still gets its own
// snapshot and presence segment. Two devices of ONE attempt never share a group: the second
// waits for the first's commit, so it sees the first's open segment (second-device alert).
// Counts, not timings: the figures (joins per second) come from scripts/bench-hall.ts.
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attempts, presence, proctoringEvents, zoomMeetings } from '../../src/db/schema/index.ts';
import { waitFor } from '../support/certificates.ts';
import { leaveSegments } from '../../src/modules/attempts/attempts.live.repository.ts';
import { startServiceWorld, type Entered, type Person, type ServiceWorld } from '../support/service-world.ts';

let w: ServiceWorld;
let teacher: Person;
let examId: string;
const query = pg.Client.prototype.query;
/** Statement names sent while counting (null: not counting). */
let sent: string[] | null = null;
/** The participant ids of every roster query for a few rows (hall_rows_some). */
const rosterQueries: string[][] = [];

beforeAll(async () => {
  w = await startServiceWorld({ DATABASE_POOL_MAX: '8' });
  teacher = await w.person('teacher');
  examId = (await w.publishedExam(teacher)).id;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0] as string | { text?: string; name?: string; values?: unknown[] };
    // Named for a few rows, unnamed (planned per call) for a batch: hall.repository.ts.
    const roster =
      typeof first === 'object' && /where p\.exam_id = \$1 and p\.id = any\(\$2::uuid\[\]\)/.test(first.text ?? '');
    if (roster) rosterQueries.push(first.values![1] as string[]);
    sent?.push(typeof first === 'string' ? first : (first?.name ?? first?.text ?? '?'));
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
});
afterAll(async () => {
  pg.Client.prototype.query = query;
  await w?.close();
});

const join = (a: Entered, deviceId: string, socketId: string, live: () => Promise<string[]> = async () => []) =>
  w.services.attemptLive.join(a.who, { attemptId: a.id, deviceId }, { socketId, ip: '127.0.0.1' }, undefined, live);

describe('joins arriving together', () => {
  it('read their states and open their presence segments in one statement', async () => {
    const students: Entered[] = [];
    for (let i = 0; i < 12; i++) {
      const a = await w.entered(teacher, examId);
      expect((await w.begin(a)).began).toBe(true);
      students.push(a);
    }
    sent = [];
    const joined = await Promise.all(students.map((a, i) => join(a, `laptop-${i}-0000`, `sock-group-${i}`)));
    // By its text: the state statement is unnamed (planned per call, attempts.live.repository.ts).
    const states = sent.filter((s) => s.startsWith('with "joining"'));
    sent = null;
    // One group (two at most: a group may leave while the rest are still being checked).
    expect(states.length).toBeGreaterThanOrEqual(1);
    expect(states.length).toBeLessThanOrEqual(2);
    joined.forEach((j, i) => {
      expect(j.snapshot.attempt.id).toBe(students[i]!.id);
      expect(j.snapshot.attempt.status).toBe('in_progress');
      expect(j.snapshot.questions).toHaveLength(3);
    });
    const open = await w.db
      .select({ attemptId: presence.attemptId, connectionId: presence.connectionId })
      .from(presence)
      .where(
        and(
          inArray(
            presence.attemptId,
            students.map((a) => a.id),
          ),
          isNull(presence.leftAt),
        ),
      );
    expect(open.map((p) => `${p.attemptId} ${p.connectionId}`).sort()).toEqual(
      students.map((a, i) => `${a.id} sock-group-${i}`).sort(),
    );
  });

  it('of two devices of one attempt: the second sees the first and raises the second-device alert', async () => {
    const a = await w.entered(teacher, examId);
    expect((await w.begin(a)).began).toBe(true);
    const live = async () => ['sock-laptop', 'sock-phone'];
    // At the same moment: were both in one group, neither would see the other's segment.
    await Promise.all([
      join(a, 'laptop-00000001', 'sock-laptop', live),
      join(a, 'phone-000000001', 'sock-phone', live),
    ]);
    const alerts = await w.db
      .select({ type: proctoringEvents.type })
      .from(proctoringEvents)
      .where(eq(proctoringEvents.attemptId, a.id));
    expect(alerts).toEqual([{ type: 'second_device' }]);
    const open = await w.db
      .select()
      .from(presence)
      .where(and(eq(presence.attemptId, a.id), isNull(presence.leftAt)));
    expect(open).toHaveLength(2);
  });

  it("read only their own attempt's open segments, however many the exam has open", async () => {
    const a = await w.entered(teacher, examId);
    // 3,000 open segments in the exam, inserted at once as an exam's start does (the planner's
    // statistics do not know them yet).
    await w.db.execute(sql`
      insert into ${presence} (user_id, exam_id, connection_id, source)
      select ${teacher.id}::uuid, ${examId}::uuid, 'crowd-' || g, 'hall' from generate_series(1, 3000) g`);
    await join(a, 'laptop-00000042', 'sock-alone');
    // The join's subquery for this attempt's open segments, as the state statement has it.
    const [plan] = (
      await w.db.execute<{ 'QUERY PLAN': unknown }>(
        sql`explain (analyze, format json) select count(*) from ${presence} p where p.attempt_id = ${a.id} and p.left_at is null`,
      )
    ).rows.map((r) => JSON.stringify(r['QUERY PLAN']));
    const rowsRead = [...plan!.matchAll(/"Actual Rows":(\d+)/g)].map((m) => Number(m[1]));
    // Without presence_attempt_open_idx the plan ANDs in the exam's open segments: 3,000 rows read.
    expect(Math.max(...rowsRead), plan).toBeLessThanOrEqual(1);
    expect(plan).toContain('presence_attempt_open_idx');
  });

  it('share the roster query of their exam with claims of the same second (one pusher per process)', async () => {
    const participantOf = async (attemptId: string) =>
      (await w.db.select({ p: attempts.participantId }).from(attempts).where(eq(attempts.id, attemptId)))[0]!.p;
    const joining = await w.entered(teacher, examId);
    expect((await w.begin(joining)).began).toBe(true);
    const joiningParticipant = await participantOf(joining.id);
    // The claim's and begin's row went out first (their batch is done).
    await waitFor('the begin to reach the roster', async () =>
      rosterQueries.some((ids) => ids.includes(joiningParticipant)),
    );
    const before = rosterQueries.length;
    const [claimed] = await Promise.all([w.entered(teacher, examId), join(joining, 'laptop-00000077', 'sock-shared')]);
    const both = [await participantOf(claimed.id), joiningParticipant];
    // One batch holds both rows: with a pusher per service each would have its own query.
    await waitFor(
      'one roster query with the claim and the join',
      async () => rosterQueries.slice(before).some((ids) => both.every((id) => ids.includes(id))),
      5000,
    );
  });
});

describe('leaves arriving together', () => {
  it("close their presence segments in one statement, each told its exam's running meetings", async () => {
    const otherExam = (await w.publishedExam(teacher)).id;
    const [meeting] = await w.db
      .insert(zoomMeetings)
      .values({ zoomMeetingId: `leave-${Date.now()}`, topic: 'Hall call', examId: otherExam, status: 'started' })
      .returning();
    const students: Entered[] = [];
    for (let i = 0; i < 10; i++) {
      const a = await w.entered(teacher, i < 5 ? examId : otherExam);
      expect((await w.begin(a)).began).toBe(true);
      students.push(a);
    }
    const joined = await Promise.all(students.map((a, i) => join(a, `leaver-${i}-0000`, `sock-leave-${i}`)));
    sent = [];
    await Promise.all(joined.map((j, i) => w.services.attemptLive.leave(j.joined, `sock-leave-${i}`)));
    const statements = sent.filter((q) => q === 'attempt_leave_segments');
    sent = null;
    expect(statements.length).toBeGreaterThanOrEqual(1);
    expect(statements.length).toBeLessThanOrEqual(2);
    const open = await w.db
      .select({ id: presence.id })
      .from(presence)
      .where(
        and(
          inArray(
            presence.attemptId,
            students.map((a) => a.id),
          ),
          isNull(presence.leftAt),
        ),
      );
    expect(open).toEqual([]);
    // What each leave is told: its own exam's running meetings (the attendance dashboards to refresh).
    const told = await leaveSegments(
      w.db,
      students.map((a, i) => ({
        attemptId: a.id,
        examId: i < 5 ? examId : otherExam,
        connectionId: `sock-leave-${i}`,
      })),
    );
    expect(told).toEqual(students.map((_, i) => (i < 5 ? [] : [meeting!.id])));
  });
});
