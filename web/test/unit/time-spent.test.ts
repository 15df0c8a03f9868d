// Time on each question (web/src/lib/exam/time-spent.ts) with a hand-driven clock.
import { describe, expect, it } from 'vitest';
import { Outbox } from '../../src/lib/exam/outbox.ts';
import { TimeOnQuestions } from '../../src/lib/exam/time-spent.ts';

function clocked() {
  let now = 0;
  const time = new TimeOnQuestions(() => now);
  return { time, advance: (ms: number) => (now += ms) };
}

describe('time on questions', () => {
  it('counts the shown question only, and each save takes its seconds once', () => {
    const { time, advance } = clocked();
    time.show('q1');
    advance(12_400);
    time.show('q2');
    advance(3_000);
    expect(time.take('q1')).toBe(12);
    expect(time.take('q1')).toBe(0);
    expect(time.take('q2')).toBe(3);
  });

  it('keeps the part of a second left over for the next save', () => {
    const { time, advance } = clocked();
    time.show('q1');
    advance(1_700);
    expect(time.take('q1')).toBe(1);
    advance(400);
    expect(time.take('q1')).toBe(1);
  });

  it('counts nothing while the page is hidden or no question is shown', () => {
    const { time, advance } = clocked();
    time.show('q1');
    advance(2_000);
    time.visible(false);
    advance(60_000);
    time.visible(true);
    advance(1_000);
    time.show(undefined);
    advance(30_000);
    expect(time.take('q1')).toBe(3);
  });

  it('goes on counting the question still shown after a save', () => {
    const { time, advance } = clocked();
    time.show('q1');
    advance(5_000);
    expect(time.take('q1')).toBe(5);
    advance(4_000);
    expect(time.take('q1')).toBe(4);
  });

  it('never hands out more than one save may carry', () => {
    const { time, advance } = clocked();
    time.show('q1');
    advance(200_000_000);
    expect(time.take('q1')).toBe(86_400);
  });
});

describe('time in the outbox', () => {
  it('survives a reload with the save that carries it', () => {
    const data = new Map<string, string>();
    const store = {
      getItem: (k: string) => data.get(k) ?? null,
      setItem: (k: string, v: string) => void data.set(k, v),
      removeItem: (k: string) => void data.delete(k),
    };
    const A = '6f1e2d3c-0000-4000-8000-000000000001';
    const Q = '6f1e2d3c-0000-4000-8000-0000000000a1';
    new Outbox(store, A).put(Q, { optionId: 'a' }, false, 7);
    expect(new Outbox(store, A).get(Q)).toMatchObject({ seq: 1, timeSpentSeconds: 7 });
  });
});
