// The exam page's logic (web/src/lib/exam/core.ts and its modules) driven without a
// server: a fake socket plays the hall, answering each event as the test says.
import { afterEach, describe, expect, it } from 'vitest';
import type { AckReply, AttemptSnapshot, Clock } from '@exam-hall/protocol';
import { RESYNC_CLOCK_REASON } from '@exam-hall/protocol';
import { ExamCore } from '../../src/lib/exam/core.ts';
import { outboxKey } from '../../src/lib/exam/outbox.ts';
import { canAnswer, createExamState, remainingOf } from '../../src/lib/exam/state.ts';
import { SafeStore, type KeyValueStore } from '../../src/lib/exam/storage.ts';
import type { AppSocket } from '../../src/lib/socket-request.ts';

const A = '6f1e2d3c-0000-4000-8000-000000000001';
const Q1 = '6f1e2d3c-0000-4000-8000-0000000000a1';
const Q2 = '6f1e2d3c-0000-4000-8000-0000000000a2';
const Q3 = '6f1e2d3c-0000-4000-8000-0000000000a3';

class MapStorage implements KeyValueStore {
  data = new Map<string, string>();
  getItem = (k: string) => this.data.get(k) ?? null;
  setItem = (k: string, v: string) => void this.data.set(k, v);
  removeItem = (k: string) => void this.data.delete(k);
}

type Reply = AckReply<unknown>;
type Handler = (payload: unknown) => Reply | Promise<Reply> | undefined;
type Listener = (...args: unknown[]) => void;

/** The part of a socket.io client the exam uses; `server` answers each event (undefined: never). */
class FakeSocket {
  connected = false;
  active = true;
  sendBuffer: unknown[] = [];
  sent: { event: string; payload: unknown }[] = [];
  server: Record<string, Handler> = {};
  #listeners = new Map<string, Set<Listener>>();

  on(event: string, fn: Listener) {
    if (!this.#listeners.has(event)) this.#listeners.set(event, new Set());
    this.#listeners.get(event)!.add(fn);
    return this;
  }
  off(event: string, fn: Listener) {
    this.#listeners.get(event)?.delete(fn);
    return this;
  }
  removeAllListeners() {
    this.#listeners.clear();
    return this;
  }
  emit(event: string, ...args: unknown[]) {
    const ack = args.pop() as (r: Reply) => void;
    this.sent.push({ event, payload: args[0] });
    const answer = this.server[event]?.(args[0]);
    if (answer) void Promise.resolve(answer).then(ack);
    return this;
  }
  fire(event: string, ...args: unknown[]) {
    for (const fn of [...(this.#listeners.get(event) ?? [])]) fn(...args);
  }
  connect() {
    this.connected = true;
    this.fire('connect');
    return this;
  }
  disconnect() {
    this.drop('io client disconnect');
    return this;
  }
  drop(reason = 'transport close') {
    if (!this.connected) return;
    this.connected = false;
    this.fire('disconnect', reason);
  }
  saves() {
    return this.sent
      .filter((s) => s.event === 'answer:save')
      .map((s) => s.payload as { questionId: string; seq: number });
  }
}

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

function snapshot(over: Partial<AttemptSnapshot> = {}, clock: Partial<Clock> = {}): AttemptSnapshot {
  return {
    attempt: {
      id: A,
      examId: A,
      examTitle: 'Exam',
      instructions: null,
      status: 'in_progress',
      blockCopyPaste: false,
      requireFullscreen: false,
      proctored: false,
    },
    clock: {
      attemptId: A,
      status: 'in_progress',
      deadlineAt: inAnHour(),
      pausedAt: null,
      serverTime: new Date().toISOString(),
      ...clock,
    },
    questions: [Q1, Q2, Q3].map((id) => ({ id, type: 'essay', prompt: 'Why?', points: 1, content: {} })),
    answers: [],
    lastSeq: 0,
    ...over,
  } as AttemptSnapshot;
}

const ok = (data: unknown): Reply => ({ ok: true, data });
const fail = (code: string, message = code): Reply => ({ ok: false, error: { code, message } });
const until = async (check: () => boolean) => {
  for (let i = 0; i < 600 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

const stops: (() => void)[] = [];
afterEach(() => stops.splice(0).forEach((stop) => stop()));

/** A core on a fake socket whose hall accepts the join with `snap` and applies every save. */
function setup(snap = snapshot(), storage = new MapStorage()) {
  const socket = new FakeSocket();
  socket.server['attempt:join'] = () => ok(snap);
  socket.server['time:sync'] = () => ok({ serverTime: new Date().toISOString() });
  socket.server['answer:save'] = (p) => ok({ seq: (p as { seq: number }).seq, applied: true, savedAt: '' });
  const core = new ExamCore(A, createExamState(), null, new SafeStore(storage));
  const start = () => stops.push(core.attach(socket as unknown as AppSocket));
  return { socket, core, state: core.state, storage, start };
}

describe('the outbox over the socket', () => {
  it('queues answers while offline and replays them in the order made, once joined', async () => {
    const t = setup();
    t.start();
    await until(() => t.state.joined);
    t.socket.drop();
    t.core.answers.answer(Q2, 'second first');
    t.core.answers.answer(Q1, 'then this');
    t.core.answers.answer(Q2, 'newest for Q2'); // replaces the waiting save, keeps a new seq
    expect(t.state.pending.map((e) => [e.questionId, e.seq])).toEqual([
      [Q1, 2],
      [Q2, 3],
    ]);
    expect(t.socket.saves()).toEqual([]);

    t.socket.connect();
    await until(() => t.state.pending.length === 0);
    expect(t.socket.saves().map((s) => [s.questionId, s.seq])).toEqual([
      [Q1, 2],
      [Q2, 3],
    ]);
    expect(t.state.saved.find((s) => s.questionId === Q2)?.response).toBe('newest for Q2');
  });

  it('settles on any ok ack: applied or not, the server holds that save or a newer one', async () => {
    const t = setup();
    t.socket.server['answer:save'] = (p) => ok({ seq: (p as { seq: number }).seq, applied: false, savedAt: '' });
    t.start();
    await until(() => t.state.joined);
    t.core.answers.answer(Q1, 'x');
    await until(() => t.state.pending.length === 0);
    expect(t.storage.getItem(outboxKey(A))).toBeNull();
  });

  it('keeps a save the hall holds back (paused), drops one it can never take, and says which', async () => {
    const t = setup();
    t.start();
    await until(() => t.state.joined);
    t.socket.server['answer:save'] = () => fail('invalid_transition', 'The exam is paused.');
    t.core.answers.answer(Q1, 'held');
    await until(() => t.state.saveProblem === 'The exam is paused.');
    expect(t.state.pending).toHaveLength(1);

    t.socket.server['answer:save'] = (p) =>
      (p as { questionId: string }).questionId === Q3 ? fail('validation_failed', 'Too long.') : undefined;
    t.core.answers.answer(Q3, 'refused');
    await until(() => t.state.saveProblem.startsWith('Your answer to question 3'));
    expect(t.state.pending.map((e) => e.questionId)).toEqual([Q1]);
  });

  it('drops what the server already holds when it joins, and skips malformed stored entries', async () => {
    const storage = new MapStorage();
    storage.setItem(
      outboxKey(A),
      JSON.stringify([
        { seq: 4, questionId: Q1, response: 'old', flagged: false },
        { seq: 6, questionId: Q2, response: 'new', flagged: true },
        { seq: 'seven', questionId: Q3, response: 'broken', flagged: false },
        { seq: 8, questionId: 'not-a-uuid', response: 'broken', flagged: false },
      ]),
    );
    const held = [{ questionId: Q1, response: 'newer elsewhere', flagged: false, seq: 5 }];
    const t = setup(snapshot({ answers: held, lastSeq: 5 }), storage);
    expect(t.state.pending.map((e) => e.questionId)).toEqual([Q1, Q2]);
    t.start();
    await until(() => t.state.pending.length === 0);
    expect(t.socket.saves().map((s) => [s.questionId, s.seq])).toEqual([[Q2, 6]]);
  });

  it('answers nothing once the attempt is paused or over', async () => {
    const t = setup(snapshot({}, { status: 'paused', pausedAt: new Date().toISOString() }));
    t.start();
    await until(() => t.state.joined);
    expect(canAnswer(t.state)).toBe(false);
    t.core.answers.answer(Q1, 'ignored');
    expect(t.state.pending).toEqual([]);
  });
});

describe('the clock', () => {
  it('counts against server time, whatever the device clock says', async () => {
    const serverAhead = 3_600_000;
    const t = setup(snapshot({}, { serverTime: new Date(Date.now() + serverAhead).toISOString() }));
    t.socket.server['time:sync'] = () => ok({ serverTime: new Date(Date.now() + serverAhead).toISOString() });
    t.start();
    await until(() => t.state.joined && t.state.now - Date.now() > serverAhead - 1000);
    expect(Math.abs(t.state.now - Date.now() - serverAhead)).toBeLessThan(1000);
  });

  it('freezes while paused and says so; an extension moves the deadline and is announced', async () => {
    const t = setup();
    t.start();
    await until(() => t.state.joined);
    const deadline = Date.parse(t.state.clock!.deadlineAt!);
    const pausedAt = new Date(deadline - 600_000).toISOString();
    const base = { attemptId: A, deadlineAt: new Date(deadline).toISOString() };
    t.core.clock.onClock({
      ...base,
      status: 'paused',
      pausedAt,
      serverTime: new Date().toISOString(),
      reason: 'paused',
    });
    expect(remainingOf(t.state)).toBe(600_000);
    expect(t.state.pauseReason).toBe('');

    const later = new Date(deadline + 300_000).toISOString();
    t.core.clock.onClock({
      attemptId: A,
      status: 'in_progress',
      deadlineAt: later,
      pausedAt: null,
      serverTime: new Date(Date.now() + 1).toISOString(),
      reason: 'extended',
      deltaSeconds: 300,
    });
    expect(t.state.clockNotice).toBe('Your time was extended by 5 minutes.');
    await until(() => t.state.alertText === 'Your time was extended by 5 minutes.');

    // An older clock arriving late changes nothing.
    t.core.clock.onClock({ ...base, status: 'paused', pausedAt, serverTime: new Date(0).toISOString() });
    expect(t.state.clock?.deadlineAt).toBe(later);
  });

  it('works out what changed from a clock read again after a Redis outage (its own push was lost)', async () => {
    const t = setup();
    let resumed = 0;
    t.start();
    await until(() => t.state.joined);
    t.core.clock.onresume = () => resumed++;
    const deadline = Date.parse(t.state.clock!.deadlineAt!);
    let at = Date.now();
    const resync = (over: Partial<Clock>) =>
      t.core.clock.onClock({
        attemptId: A,
        status: 'in_progress',
        deadlineAt: new Date(deadline).toISOString(),
        pausedAt: null,
        serverTime: new Date(++at).toISOString(),
        reason: RESYNC_CLOCK_REASON,
        ...over,
      });

    // Nothing changed: nothing said.
    resync({});
    expect(t.state.clockNotice).toBe('');
    // Extended meanwhile by 7 minutes.
    resync({ deadlineAt: new Date(deadline + 420_000).toISOString(), extraSeconds: 420 });
    expect(t.state.clockNotice).toBe('Your time was extended by 7 minutes.');
    expect(Date.parse(t.state.clock!.deadlineAt!)).toBe(deadline + 420_000);
    // Paused meanwhile: the clock stops.
    const pausedAt = new Date(deadline - 60_000).toISOString();
    resync({ status: 'paused', pausedAt, deadlineAt: new Date(deadline + 420_000).toISOString() });
    expect(t.state.clockNotice).toBe('');
    expect(remainingOf(t.state)).toBe(480_000);
    await until(() => t.state.alertText.startsWith('Paused by the proctor.'));
    // Resumed meanwhile: the waiting saves may go.
    resync({ deadlineAt: new Date(deadline + 900_000).toISOString() });
    expect(resumed).toBe(1);
    expect(t.state.clockNotice).toBe('The proctor resumed your exam. The clock is running again.');
  });
});

describe('submit', () => {
  it('sends the waiting saves first, then submits, and ends the attempt', async () => {
    const t = setup();
    let release: (r: Reply) => void = () => {};
    t.socket.server['answer:save'] = () => new Promise<Reply>((r) => (release = r));
    t.socket.server['attempt:submit'] = () => ok({ status: 'submitted', submittedAt: new Date().toISOString() });
    t.start();
    await until(() => t.state.joined);
    t.core.answers.answer(Q1, 'last words');
    const submitting = t.core.submit();
    expect(t.state.submitStage).toBe('draining');
    await new Promise((r) => setTimeout(r, 200));
    expect(t.socket.sent.some((s) => s.event === 'attempt:submit')).toBe(false);

    release(ok({ seq: 1, applied: true, savedAt: '' }));
    await submitting;
    expect(t.socket.sent.map((s) => s.event).filter((e) => e !== 'time:sync')).toEqual([
      'attempt:join',
      'answer:save',
      'attempt:submit',
    ]);
    expect(t.state.ending).toMatchObject({ status: 'submitted', reason: 'submitted', unsent: 0 });
  });

  it('stops with the reason when a save is held back, and says when the submit itself failed', async () => {
    const t = setup();
    t.start();
    await until(() => t.state.joined);
    t.socket.server['answer:save'] = () => fail('invalid_transition', 'Time is up.');
    t.core.answers.answer(Q1, 'late');
    await t.core.submit();
    expect(t.state.submitProblem).toBe('Not submitted yet: Time is up.');
    expect(t.state.submitStage).toBe('idle');

    const u = setup();
    u.socket.server['attempt:submit'] = () => fail('invalid_transition', 'Already submitted elsewhere.');
    u.start();
    await until(() => u.state.joined);
    await u.core.submit();
    expect(u.state.submitProblem).toBe('Your exam was not submitted: Already submitted elsewhere.');
    expect(u.state.ending).toBeNull();

    u.socket.server['attempt:submit'] = () => undefined;
    const waiting = u.core.submit();
    await until(() => u.state.submitStage === 'sending');
    u.socket.drop();
    await waiting;
    expect(u.state.submitProblem).toMatch(/the connection dropped/);
  });
});

describe('the connection', () => {
  it('says when this browser may not carry on: refused join, revoked session, moved to another device', async () => {
    const t = setup();
    t.socket.server['attempt:join'] = () => fail('not_found');
    t.start();
    await until(() => t.state.fatal.startsWith('This attempt is not open in this browser.'));
    expect(t.socket.connected).toBe(false);

    const u = setup();
    u.socket.active = false;
    u.start();
    u.socket.fire('connect_error', new Error('session_revoked'));
    await until(() => u.state.fatal.startsWith('This browser is no longer signed in to this attempt.'));

    const v = setup();
    v.start();
    await until(() => v.state.joined);
    v.socket.drop();
    v.core.answers.answer(Q1, 'made here');
    v.socket.fire('attempt:moved', { attemptId: A });
    expect(v.state.movedAway).toBe(true);
    expect(v.state.fatal).toContain('(1 answer made here had not reached the server; enter it again');
  });

  it('joins again after the server closed the socket, and replays what waits', async () => {
    const t = setup();
    t.start();
    await until(() => t.state.joined);
    t.socket.server['answer:save'] = () => undefined;
    t.core.answers.answer(Q1, 'on the wire');
    t.socket.sendBuffer.push('stale');
    t.socket.drop('io server disconnect'); // socket.io does not reconnect by itself after this one
    expect(t.socket.sendBuffer).toEqual([]);
    t.socket.server['answer:save'] = (p) => ok({ seq: (p as { seq: number }).seq, applied: true, savedAt: '' });
    await until(() => t.state.joined && t.state.pending.length === 0);
    expect(t.socket.sent.filter((s) => s.event === 'attempt:join')).toHaveLength(2);
  });
});
