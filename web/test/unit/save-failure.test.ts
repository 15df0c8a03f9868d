import { describe, expect, it } from 'vitest';
import { errorCodes } from '@exam-hall/protocol';
import { nextRetryMs, Outbox, retryJitter, saveFailure } from '../../src/lib/exam/outbox.ts';
import type { KeyValueStore } from '../../src/lib/exam/storage.ts';

class FakeStorage implements KeyValueStore {
  data = new Map<string, string>();
  getItem(key: string) {
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.data.set(key, value);
  }
  removeItem(key: string) {
    this.data.delete(key);
  }
}

const A = '6f1e2d3c-0000-4000-8000-000000000001';
const Q1 = '6f1e2d3c-0000-4000-8000-0000000000a1';

describe('a save the server did not acknowledge', () => {
  it('is retried, and kept meanwhile, when the database is unavailable', () => {
    expect(saveFailure('unavailable')).toBe('retry');
    // As the page does it: only an acknowledgement settles an entry; a retry leaves it waiting.
    const box = new Outbox(new FakeStorage(), A);
    const entry = box.put(Q1, { optionId: 'b' }, false);
    if (saveFailure('unavailable') !== 'retry') box.settle(Q1, entry.seq);
    expect(box.entries()).toEqual([entry]);
    expect(box.settle(Q1, entry.seq)).toBe(true); // the retry is acknowledged
    expect(box.size).toBe(0);
  });

  it('is dropped only when it can never be saved as it is; every other server code keeps it', () => {
    const drop = errorCodes.filter((c) => saveFailure(c) === 'drop');
    expect(drop.sort()).toEqual(['not_found', 'validation_failed']);
    expect(saveFailure('invalid_transition')).toBe('hold');
    for (const c of ['internal', 'rate_limited', 'timeout', 'some_future_code']) expect(saveFailure(c)).toBe('retry');
    expect(saveFailure('disconnected')).toBe('replay');
  });

  it('backs off from 1 s, doubling, never more than 4 s apart: a save lands within ~5 s of the database returning', () => {
    const waits = [1000];
    while (waits.length < 6) waits.push(nextRetryMs(waits.at(-1)!));
    expect(waits).toEqual([1000, 2000, 4000, 4000, 4000, 4000]);
  });

  it('retries a little early, never late, and not all at once', () => {
    expect(retryJitter(4000, 0)).toBe(3200);
    expect(retryJitter(4000, 0.999)).toBeLessThanOrEqual(4000);
    expect(new Set([0.1, 0.5, 0.9].map((r) => retryJitter(4000, r))).size).toBe(3);
  });
});
