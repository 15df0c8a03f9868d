// The join's ownership check, grouped: checks that arrive while one is being read (or in the
// same turn of the event loop) are read together, one statement for all their attempts
// (attempts.live.repository.ts attemptOwners). At a storm of joins each round trip costs the
// server a loopback write of its own; grouped, the storm costs a few. At low load a check is
// read at once, alone (no added wait).
//
// Written by hand, like the save batcher next to it (attempts.save-batcher.ts): DataLoader
// batches per tick only and caches by key; here a batch grows while another is in flight,
// and nothing is cached (an attempt's cookie can be replaced at any time).

export interface AttemptOwner {
  id: string;
  userId: string;
  attemptTokenHash: string | null;
}

interface Waiting {
  resolve: (owner: AttemptOwner | undefined) => void;
  reject: (err: unknown) => void;
}

export function createOwnerBatcher(
  load: (attemptIds: string[]) => Promise<AttemptOwner[]>,
  opts: { maxBatch?: number; maxInFlight?: number } = {},
) {
  const maxBatch = opts.maxBatch ?? 500;
  const maxInFlight = opts.maxInFlight ?? 2;
  /** Waiting checks by attempt id (two sockets of one attempt share its row). */
  let waiting = new Map<string, Waiting[]>();
  let inFlight = 0;
  let scheduled = false;
  const stats = { batches: 0, checks: 0, largest: 0 };

  function schedule() {
    if (scheduled || inFlight >= maxInFlight || waiting.size === 0) return;
    scheduled = true;
    setImmediate(flush);
  }

  async function flush() {
    scheduled = false;
    if (inFlight >= maxInFlight || waiting.size === 0) return;
    const ids = [...waiting.keys()].slice(0, maxBatch);
    const batch = new Map(ids.map((id) => [id, waiting.get(id)!]));
    for (const id of ids) waiting.delete(id);
    if (waiting.size === 0) waiting = new Map();
    inFlight++;
    stats.batches++;
    stats.checks += ids.length;
    stats.largest = Math.max(stats.largest, ids.length);
    // More than a batch waiting: the next one may start beside this one.
    schedule();
    try {
      const rows = await load(ids);
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const [id, ws] of batch) for (const w of ws) w.resolve(byId.get(id));
    } catch (err) {
      // One statement for all: PostgreSQL failing it fails each of its checks (each join
      // answers its caller, as it would have alone).
      for (const ws of batch.values()) for (const w of ws) w.reject(err);
    } finally {
      inFlight--;
      schedule();
    }
  }

  return {
    /** The attempt's owner (undefined when there is no such attempt). */
    owner(attemptId: string): Promise<AttemptOwner | undefined> {
      return new Promise((resolve, reject) => {
        const list = waiting.get(attemptId);
        if (list) list.push({ resolve, reject });
        else waiting.set(attemptId, [{ resolve, reject }]);
        schedule();
      });
    },
    /** Batches read, checks served, largest batch: for the benchmark and tests. */
    stats: () => ({ ...stats }),
  };
}
