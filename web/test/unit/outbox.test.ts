import { describe, expect, it } from 'vitest';
import { mergeAnswers, Outbox, outboxKey, seqKey } from '../../src/lib/exam/outbox.ts';
import { SafeStore, type KeyValueStore } from '../../src/lib/exam/storage.ts';

/** localStorage as a Map: survives "reloads" (new Outbox instances on the same store). */
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
const Q2 = '6f1e2d3c-0000-4000-8000-0000000000a2';
const Q3 = '6f1e2d3c-0000-4000-8000-0000000000a3';

describe('outbox', () => {
  it('numbers saves strictly increasing, across reloads', () => {
    const storage = new FakeStorage();
    const first = new Outbox(storage, A);
    expect([first.put(Q1, { optionId: 'a' }, false).seq, first.put(Q2, null, true).seq]).toEqual([1, 2]);

    const afterReload = new Outbox(storage, A);
    expect(afterReload.seq).toBe(2);
    expect(afterReload.put(Q3, { value: true }, false).seq).toBe(3);
    expect(storage.getItem(seqKey(A))).toBe('3');
  });

  it('numbers the next save above what the server has applied after a join, never below', () => {
    const box = new Outbox(new FakeStorage(), A);
    box.put(Q1, null, false);
    box.observe(41); // another device got further
    expect(box.put(Q2, null, false).seq).toBe(42);
    box.observe(5); // an older number changes nothing
    expect(box.put(Q3, null, false).seq).toBe(43);
  });

  it('keeps only the newest save per question', () => {
    const storage = new FakeStorage();
    const box = new Outbox(storage, A);
    box.put(Q1, { optionId: 'a' }, false);
    box.put(Q1, { optionId: 'b' }, false);
    box.put(Q1, { optionId: 'c' }, true);
    expect(box.size).toBe(1);
    expect(new Outbox(storage, A).get(Q1)).toEqual({
      seq: 3,
      questionId: Q1,
      response: { optionId: 'c' },
      flagged: true,
    });
  });

  it('removes an entry on acknowledgement only when the seq matches', () => {
    const storage = new FakeStorage();
    const box = new Outbox(storage, A);
    const sent = box.put(Q1, { optionId: 'a' }, false);
    const newer = box.put(Q1, { optionId: 'b' }, false); // changed while the first was on the wire
    expect(box.settle(Q1, sent.seq)).toBe(false);
    expect(box.get(Q1)?.seq).toBe(newer.seq);
    expect(box.settle(Q2, newer.seq)).toBe(false);
    expect(box.settle(Q1, newer.seq)).toBe(true);
    expect(box.size).toBe(0);
    expect(storage.getItem(outboxKey(A))).toBeNull();
    // The counter survives an empty outbox: numbers are never reused.
    expect(box.put(Q1, null, false).seq).toBe(3);
  });

  it('replays in the order the saves were made, after a reload too', () => {
    const storage = new FakeStorage();
    const box = new Outbox(storage, A);
    box.put(Q2, { optionId: 'a' }, false); // 1
    box.put(Q1, { optionId: 'a' }, false); // 2
    box.put(Q3, { value: false }, false); // 3
    box.put(Q2, { optionId: 'b' }, false); // 4 replaces 1
    const replay = new Outbox(storage, A).entries();
    expect(replay.map((e) => [e.questionId, e.seq])).toEqual([
      [Q1, 2],
      [Q3, 3],
      [Q2, 4],
    ]);
  });

  it('drops saves the server already holds, or holds something newer than', () => {
    const box = new Outbox(new FakeStorage(), A);
    box.put(Q1, { optionId: 'a' }, false); // 1: applied, the ack was lost
    box.put(Q2, { optionId: 'a' }, false); // 2: another device saved 7 since
    box.put(Q3, { value: true }, false); // 3: never arrived
    expect(
      box.prune([
        { questionId: Q1, seq: 1 },
        { questionId: Q2, seq: 7 },
      ]),
    ).toBe(2);
    expect(box.entries().map((e) => e.questionId)).toEqual([Q3]);
  });

  it('shows the outbox answer where it is newer than the server’s', () => {
    const shown = mergeAnswers(
      [
        { questionId: Q1, response: { optionId: 'a' }, flagged: false, seq: 5 },
        { questionId: Q2, response: { optionId: 'a' }, flagged: false, seq: 9 },
      ],
      [
        { questionId: Q1, response: { optionId: 'b' }, flagged: true, seq: 6 },
        { questionId: Q2, response: { optionId: 'c' }, flagged: false, seq: 8 },
        { questionId: Q3, response: { value: true }, flagged: false, seq: 7 },
      ],
    );
    expect(shown.get(Q1)).toEqual({ response: { optionId: 'b' }, flagged: true, seq: 6, pending: true });
    expect(shown.get(Q2)).toEqual({ response: { optionId: 'a' }, flagged: false, seq: 9, pending: false });
    expect(shown.get(Q3)?.pending).toBe(true);
  });

  it('ignores damaged storage instead of failing', () => {
    const storage = new FakeStorage();
    storage.setItem(outboxKey(A), '{not json');
    storage.setItem(seqKey(A), 'NaN');
    const box = new Outbox(storage, A);
    expect(box.entries()).toEqual([]);
    expect(box.put(Q1, null, false).seq).toBe(1);
    storage.setItem(outboxKey(A), JSON.stringify([{ seq: -1, questionId: Q2 }, { nonsense: true }]));
    expect(box.entries()).toEqual([]);
  });

  it('keeps working in memory when the browser refuses storage, and says so', () => {
    const refusing: KeyValueStore = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException('quota', 'QuotaExceededError');
      },
      removeItem: () => {},
    };
    const store = new SafeStore(refusing);
    const box = new Outbox(store, A);
    expect(box.put(Q1, { optionId: 'a' }, false).seq).toBe(1);
    expect(box.put(Q2, null, false).seq).toBe(2);
    expect(box.size).toBe(2);
    expect(store.persistent).toBe(false);
  });
});
