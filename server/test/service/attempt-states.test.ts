// The attempt state machine through the services that move it: entering (lobby), begin,
// the proctor's pause / resume / terminate, the student's submit and expiry at the
// deadline; what each refuses from which state, read back from the attempts table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { attempts } from '../../src/db/schema/index.ts';
import { expireIfDue } from '../../src/modules/attempts/attempts.expiry.ts';
import { startServiceWorld, type Person, type ServiceWorld } from '../support/service-world.ts';

let w: ServiceWorld;
let teacher: Person;
let examId: string;

beforeAll(async () => {
  w = await startServiceWorld();
  teacher = await w.person('teacher');
  examId = (await w.publishedExam(teacher)).id;
});
afterAll(() => w?.close());

/** Pushes go nowhere: these tests read the rows. */
const silent = new Proxy({}, { get: () => () => {} }) as Parameters<typeof expireIfDue>[2];

async function status(attemptId: string) {
  const [a] = await w.db.select().from(attempts).where(eq(attempts.id, attemptId));
  return a!;
}

const entered = () => w.entered(teacher, examId);

async function running() {
  const a = await entered();
  expect((await w.begin(a)).began).toBe(true);
  return a;
}

const act = (attemptId: string, action: 'pause' | 'resume' | 'terminate') =>
  w.services.hall.act(
    teacher.caller,
    action === 'terminate' ? { attemptId, action, reason: 'test' } : { attemptId, action },
  );

const submit = (attemptId: string) => w.submit(attemptId);

const refused = { status: 409, code: 'invalid_transition' };

describe('the attempt state machine', () => {
  it('entering leaves the attempt in the lobby; begin starts the clock once', async () => {
    const a = await entered();
    expect((await status(a.id)).status).toBe('not_started');
    expect((await status(a.id)).deadlineAt).toBeNull();
    // A lobby attempt cannot be paused: only a running one can.
    await expect(act(a.id, 'pause')).rejects.toMatchObject(refused);
    const first = await w.begin(a);
    expect(first.began).toBe(true);
    const row = await status(a.id);
    expect(row.status).toBe('in_progress');
    expect(row.startedAt).not.toBeNull();
    const again = await w.begin(a);
    expect(again.began).toBe(false);
    expect((await status(a.id)).deadlineAt).toEqual(row.deadlineAt);
  });

  it('pause and resume: the deadline moves by the time spent paused; pausing twice is refused', async () => {
    const a = await running();
    await act(a.id, 'pause');
    const paused = await status(a.id);
    expect(paused.status).toBe('paused');
    expect(paused.pausedAt).not.toBeNull();
    await expect(act(a.id, 'pause')).rejects.toMatchObject(refused);
    // Ten minutes in the pause, as if the proctor resumed later.
    await w.db
      .update(attempts)
      .set({ pausedAt: sql`${attempts.pausedAt} - interval '10 minutes'` })
      .where(eq(attempts.id, a.id));
    await act(a.id, 'resume');
    const resumed = await status(a.id);
    expect(resumed.status).toBe('in_progress');
    expect(resumed.pausedAt).toBeNull();
    expect(resumed.pausedTotalSeconds).toBeGreaterThanOrEqual(600);
    expect(resumed.deadlineAt!.getTime() - paused.deadlineAt!.getTime()).toBeGreaterThanOrEqual(600_000);
    await expect(act(a.id, 'resume')).rejects.toMatchObject(refused);
  });

  it('submit ends a running or paused attempt once; nothing moves it afterwards but termination', async () => {
    const a = await running();
    await act(a.id, 'pause');
    expect((await submit(a.id)).status).toBe('submitted');
    const row = await status(a.id);
    expect(row.status).toBe('submitted');
    expect(row.submittedAt).not.toBeNull();
    await expect(submit(a.id)).rejects.toMatchObject(refused);
    await expect(act(a.id, 'resume')).rejects.toMatchObject(refused);
    await expect(act(a.id, 'pause')).rejects.toMatchObject(refused);
    await act(a.id, 'terminate');
    expect((await status(a.id)).status).toBe('invalidated');
    await expect(act(a.id, 'terminate')).rejects.toMatchObject(refused);
  });

  it('a lobby attempt cannot be submitted', async () => {
    const a = await entered();
    await expect(submit(a.id)).rejects.toMatchObject(refused);
    expect((await status(a.id)).status).toBe('not_started');
  });

  it('expiry ends a running attempt past its deadline and grace, never a paused one or one still in time', async () => {
    const a = await running();
    expect(await expireIfDue(w.db, a.id, silent)).toBe(false);
    expect((await status(a.id)).status).toBe('in_progress');
    await w.db
      .update(attempts)
      .set({ deadlineAt: sql`now() - interval '5 minutes'` })
      .where(eq(attempts.id, a.id));
    await act(a.id, 'pause');
    // A paused attempt's clock is stopped.
    expect(await expireIfDue(w.db, a.id, silent)).toBe(false);
    expect((await status(a.id)).status).toBe('paused');
    await w.db.update(attempts).set({ status: 'in_progress', pausedAt: null }).where(eq(attempts.id, a.id));
    expect(await expireIfDue(w.db, a.id, silent)).toBe(true);
    const row = await status(a.id);
    expect(row.status).toBe('expired');
    expect(row.endedReason).toBe('time_up');
    expect(await expireIfDue(w.db, a.id, silent)).toBe(false);
    await expect(submit(a.id)).rejects.toMatchObject(refused);
  });
});
