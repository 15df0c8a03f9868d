// The join's grouped ownership check (attempts.owner-batcher.ts): checks arriving together or
// while a read is in flight share one statement; each caller gets its own attempt's owner.
import { describe, expect, it, vi } from 'vitest';
import { createOwnerBatcher, type AttemptOwner } from '../../src/modules/attempts/attempts.owner-batcher.ts';

const ownerOf = (id: string): AttemptOwner => ({ id, userId: `user-${id}`, attemptTokenHash: null });

/** A loader whose reads stay in flight until released, recording the ids of each. */
function heldLoader(known: (id: string) => boolean = () => true) {
  const calls: string[][] = [];
  const releases: Array<(fail?: Error) => void> = [];
  const load = (ids: string[]) =>
    new Promise<AttemptOwner[]>((resolve, reject) => {
      calls.push(ids);
      releases.push((fail) => (fail ? reject(fail) : resolve(ids.filter(known).map(ownerOf))));
    });
  return { load, calls, release: (i: number, fail?: Error) => releases[i]!(fail) };
}

describe('grouped ownership checks', () => {
  it('reads checks of the same turn in one statement, and those arriving during a read in the next', async () => {
    const l = heldLoader();
    const b = createOwnerBatcher(l.load, { maxInFlight: 1 });
    const first = [b.owner('a1'), b.owner('a2'), b.owner('a3')];
    await vi.waitFor(() => expect(l.calls).toEqual([['a1', 'a2', 'a3']]));
    const during = ['b1', 'b2', 'b3', 'b4'].map((id) => b.owner(id));
    l.release(0);
    expect((await Promise.all(first)).map((o) => o?.userId)).toEqual(['user-a1', 'user-a2', 'user-a3']);
    await vi.waitFor(() => expect(l.calls).toHaveLength(2));
    expect(l.calls[1]).toEqual(['b1', 'b2', 'b3', 'b4']);
    l.release(1);
    expect((await Promise.all(during)).map((o) => o?.id)).toEqual(['b1', 'b2', 'b3', 'b4']);
    expect(b.stats()).toEqual({ batches: 2, checks: 7, largest: 4 });
  });

  it('reads an attempt asked twice once, answers both, and undefined for an unknown attempt', async () => {
    const l = heldLoader((id) => id !== 'gone');
    const b = createOwnerBatcher(l.load);
    const asked = [b.owner('x'), b.owner('x'), b.owner('gone')];
    await vi.waitFor(() => expect(l.calls).toEqual([['x', 'gone']]));
    l.release(0);
    const [one, two, gone] = await Promise.all(asked);
    expect(one).toEqual(ownerOf('x'));
    expect(two).toEqual(ownerOf('x'));
    expect(gone).toBeUndefined();
  });

  it('fails every check of a failed read, and reads the next ones afresh', async () => {
    const l = heldLoader();
    const b = createOwnerBatcher(l.load, { maxInFlight: 1 });
    const failing = [b.owner('f1'), b.owner('f2')];
    await vi.waitFor(() => expect(l.calls).toHaveLength(1));
    const later = b.owner('ok');
    l.release(0, new Error('PostgreSQL is away'));
    for (const p of failing) await expect(p).rejects.toThrow('PostgreSQL is away');
    await vi.waitFor(() => expect(l.calls).toHaveLength(2));
    l.release(1);
    expect(await later).toEqual(ownerOf('ok'));
  });

  it('splits a crowd into statements of at most maxBatch attempts', async () => {
    const l = heldLoader();
    const b = createOwnerBatcher(l.load, { maxBatch: 2, maxInFlight: 2 });
    const asked = ['c1', 'c2', 'c3'].map((id) => b.owner(id));
    await vi.waitFor(() => expect(l.calls).toEqual([['c1', 'c2'], ['c3']]));
    l.release(0);
    l.release(1);
    expect((await Promise.all(asked)).map((o) => o?.id)).toEqual(['c1', 'c2', 'c3']);
  });
});
