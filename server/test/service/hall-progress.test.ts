// The proctor's side off the save path: progress deltas (hall.rows.ts progressSoon) are
// coalesced per exam and sent in chunks with the event loop free between them, and a
// signal reaches the proctors after one round trip to PostgreSQL (proctoring.service.ts).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { HallProgressItem } from '@exam-hall/protocol';
import { answers, attempts, presence, proctoringEvents, questions } from '../../src/db/schema/index.ts';
import { silentPublisher, type HallPublisher } from '../../src/modules/hall/hall.events.ts';
import { createRowPusher, PROGRESS_CHUNK } from '../../src/modules/hall/hall.rows.ts';
import { hallRows } from '../../src/modules/hall/hall.repository.ts';
import { reapPresence } from '../../src/modules/hall/hall.presence-reaper.ts';
import { createProctoringService, riskOf } from '../../src/modules/proctoring/proctoring.service.ts';
import * as proctoringRepo from '../../src/modules/proctoring/proctoring.repository.ts';
import { startServiceWorld, type Person, type ServiceWorld } from '../support/service-world.ts';

let w: ServiceWorld;
let teacher: Person;
let examId: string;

beforeAll(async () => {
  w = await startServiceWorld();
  teacher = await w.person('teacher');
  examId = (await w.publishedExam(teacher, { proctoring: { enabled: true } })).id;
});
afterAll(() => w?.close());

async function runningAttempt() {
  const a = await w.entered(teacher, examId);
  expect((await w.begin(a)).began).toBe(true);
  const [row] = await w.db.select().from(attempts).where(eq(attempts.id, a.id));
  return { id: row!.id, examId: row!.examId, userId: row!.userId, participantId: row!.participantId };
}

/** Counts the statements sent to PostgreSQL through the world's pool from now on. */
function countQueries() {
  const pool = w.db.$client;
  const original = pool.query.bind(pool);
  const counter = { n: 0, restore: () => void (pool.query = original) };
  pool.query = ((...args: Parameters<typeof original>) => {
    counter.n++;
    return original(...args);
  }) as typeof pool.query;
  return counter;
}

describe('progress deltas', () => {
  it('sends a large delta once per exam, in chunks of at most 500, yielding to other work between chunks', async () => {
    const emits: { size: number; yieldedBefore: boolean }[] = [];
    let yielded = true;
    const total = 2 * PROGRESS_CHUNK + 200;
    const all: HallProgressItem[] = [];
    const done = new Promise<void>((resolve) => {
      const publish: HallPublisher = {
        ...silentPublisher,
        progress: (id, items) => {
          expect(id).toBe(examId);
          emits.push({ size: items.length, yieldedBefore: yielded });
          all.push(...items);
          // Set again only if the event loop turns before the next chunk.
          yielded = false;
          setImmediate(() => (yielded = true));
          if (all.length >= total) resolve();
        },
      };
      const rows = createRowPusher({ db: w.db, publish });
      // Attempts without answers count 0; each attempt once however often it saved.
      const ids = Array.from({ length: total }, () => ({ attemptId: randomUUID(), participantId: randomUUID() }));
      for (const id of ids) rows.progressSoon({ examId, ...id });
      for (const id of ids.slice(0, 50)) rows.progressSoon({ examId, ...id });
    });
    await done;
    expect(emits.map((e) => e.size)).toEqual([PROGRESS_CHUNK, PROGRESS_CHUNK, 200]);
    expect(emits.every((e) => e.yieldedBefore)).toBe(true);
    expect(new Set(all.map((i) => i.attemptId)).size).toBe(total);
    expect(all.every((i) => i.answered === 0)).toBe(true);
  });
});

describe('alerts', () => {
  it('reach the proctors after one statement, with the risk; the attempt’s score is stored before the signal returns', async () => {
    const a = await runningAttempt();
    let before: number | undefined;
    let heard: Parameters<HallPublisher['alert']> | undefined;
    const proctoring = createProctoringService({
      db: w.db,
      secret: 'service-test-secret',
      publish: { ...silentPublisher, alert: (...args) => ((before = counter.n), (heard = args)) },
    });
    const counter = countQueries();
    try {
      const dto = await proctoring.recordEvent(a, 'tab_hidden', { durationMs: 3000 }, 'svc-evt-1');
      expect(before).toBe(1);
      expect(heard![1]).toEqual(dto);
      expect(dto).toMatchObject({ type: 'tab_hidden', severity: 'medium', reviewStatus: 'open', confidence: null });
      expect(heard![2]).toEqual({ score: 10, items: [{ type: 'tab_hidden', count: 1, weight: 10, points: 10 }] });
    } finally {
      counter.restore();
    }
    const [stored] = await w.db.select().from(attempts).where(eq(attempts.id, a.id));
    expect(stored!.riskScore).toBe(10);
    // A replay is stored once and tells nobody.
    heard = undefined;
    expect(await proctoring.recordEvent(a, 'tab_hidden', {}, 'svc-evt-1')).toBeNull();
    expect(heard).toBeUndefined();
  });

  it('are raised one step in strict mode, read in the same statement', async () => {
    const strictExam = (await w.publishedExam(teacher, { proctoring: { enabled: true, strictMode: true } })).id;
    const e = await w.entered(teacher, strictExam);
    await w.begin(e);
    const [row] = await w.db.select().from(attempts).where(eq(attempts.id, e.id));
    const proctoring = createProctoringService({ db: w.db, secret: 's', publish: silentPublisher });
    const dto = await proctoring.recordEvent(row!, 'tab_hidden', {}, 'svc-strict-1');
    expect(dto!.severity).toBe('high');
  });

  it('store a score counted afresh when another alert landed between the count and the write', async () => {
    const a = await runningAttempt();
    const counted = await proctoringRepo.insertEventCounted(w.db, {
      attemptId: a.id,
      examId: a.examId,
      userId: a.userId,
      type: 'copy',
      normal: 'high',
      raised: 'critical',
      details: {},
      confidence: null,
      clientEventId: 'svc-race-1',
    });
    expect(counted!.counts).toEqual([{ type: 'copy', count: 1, weighted: 1, confidence: null }]);
    // Another signal commits before this one's score is written: the write is refused.
    await w.db
      .insert(proctoringEvents)
      .values({ ...a, id: undefined, attemptId: a.id, type: 'paste', severity: 'high' });
    expect(await proctoringRepo.setRiskScoreIfUnchanged(w.db, a.id, 1, counted!.counted)).toBe(false);
    // Through the service, many at once: the stored score is the full count's.
    const proctoring = createProctoringService({ db: w.db, secret: 's', publish: silentPublisher });
    await Promise.all(
      ['tab_hidden', 'window_blur', 'fullscreen_exit', 'copy', 'paste'].map((type, i) =>
        proctoring.recordEvent(a, type as 'copy', {}, `svc-race-${i + 2}`),
      ),
    );
    const [stored] = await w.db.select().from(attempts).where(eq(attempts.id, a.id));
    expect(stored!.riskScore).toBe((await riskOf(w.db, a.id)).score);
  });
});

describe('the roster', () => {
  it('is the same from the whole-exam snapshot (grouped counts) as row by row (probes)', async () => {
    const [a, b] = [await runningAttempt(), await runningAttempt()];
    const qs = await w.db.select().from(questions).where(eq(questions.examId, examId));
    await w.db.insert(answers).values([
      { attemptId: a.id, questionId: qs[0]!.id, response: { optionId: 'a' }, seq: 1 },
      { attemptId: a.id, questionId: qs[1]!.id, response: null, seq: 2 },
      { attemptId: b.id, questionId: qs[0]!.id, response: { optionId: 'b' }, seq: 1 },
      { attemptId: b.id, questionId: qs[2]!.id, response: { optionId: 'a' }, seq: 2 },
    ]);
    const segment = (x: typeof a, device: string, leftAt: Date | null) => ({
      attemptId: x.id,
      userId: x.userId,
      examId: x.examId,
      connectionId: randomUUID(),
      deviceId: device,
      joinedAt: new Date(Date.now() - 60_000),
      leftAt,
    });
    await w.db
      .insert(presence)
      .values([
        segment(a, 'd1', null),
        segment(a, 'd2', null),
        segment(a, 'd2', new Date()),
        segment(b, 'd3', new Date()),
      ]);
    const whole = await hallRows(w.db, examId);
    const byProbe = await hallRows(
      w.db,
      examId,
      whole.map((r) => r.participantId),
    );
    expect(whole).toEqual(byProbe);
    expect(whole.find((r) => r.attemptId === a.id)).toMatchObject({ answered: 1, connections: 2, devices: 2 });
    expect(whole.find((r) => r.attemptId === b.id)).toMatchObject({ answered: 2, connections: 0 });
    expect(whole.find((r) => r.attemptId === b.id)!.disconnectedSince).not.toBeNull();
    expect(whole.some((r) => r.openAlerts > 0)).toBe(true);
  });
});

describe('the presence reaper', () => {
  it('closes only the segments of sockets missing from 10,000 live ones, sent as one array', async () => {
    const a = await runningAttempt();
    const live = Array.from({ length: 10_000 }, (_, i) => `live-${i}-"quoted,\\`);
    const old = new Date(Date.now() - 120_000);
    const base = { attemptId: a.id, userId: a.userId, examId: a.examId, joinedAt: old };
    const [gone] = await w.db
      .insert(presence)
      .values({ ...base, connectionId: 'vanished-socket' })
      .returning();
    await w.db.insert(presence).values({ ...base, connectionId: live[9_999]! });
    // Open segments of earlier tests (other attempts) may be closed too: this attempt's are checked.
    expect(await reapPresence(w.db, live)).toBeGreaterThanOrEqual(1);
    const rows = await w.db.select().from(presence).where(eq(presence.attemptId, a.id));
    expect(rows.filter((r) => r.leftAt !== null).map((r) => r.id)).toEqual([gone!.id]);
  });
});
