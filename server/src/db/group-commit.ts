// Group commit: writes that arrive while a batch is being written (or in the same turn of
// the event loop) go to PostgreSQL together, as one multi-row statement and one commit;
// each write's promise settles only after that commit. At low load a write goes at once,
// alone (no added wait); under load the batches grow by themselves, so the commits per
// second stay about constant while writes per second rise: each write no longer waits for
// a WAL flush of its own, and the server sends one statement where it sent many.
//
// Used by autosaves (attempts.save-batcher.ts) and joins (attempts.join-batcher.ts).
// Written by hand rather than with a batching library (DataLoader and the like batch per
// tick and cache by key): a batch here takes at most one write per key (an attempt), so a
// key's writes apply in the order they arrived and each sees the one before it committed,
// and at most `maxInFlight` batches run at once.
import { unavailableErrorOf } from './unavailable.ts';

export interface GroupCommitOptions {
  /** Most writes in one statement. */
  maxBatch?: number;
  /** Batches being written at once (each holds one pooled connection). */
  maxInFlight?: number;
}

interface Waiting<In, Out> {
  input: In;
  resolve: (out: Out) => void;
  reject: (err: unknown) => void;
}

/**
 * `write` runs one statement for a batch and answers one outcome per input, in order.
 * When it throws for a batch of several for a reason other than PostgreSQL being away,
 * each input is written alone, so a write that is at fault fails only itself.
 */
export function createGroupCommit<In, Out>(
  keyOf: (input: In) => string,
  write: (batch: In[]) => Promise<Out[]>,
  opts: GroupCommitOptions = {},
) {
  const maxBatch = opts.maxBatch ?? 500;
  const maxInFlight = opts.maxInFlight ?? 2;
  let queue: Waiting<In, Out>[] = [];
  let inFlight = 0;
  let scheduled = false;
  /** Keys with a write in a batch being written: their next write waits for it. */
  const busy = new Set<string>();
  const stats = { batches: 0, writes: 0, largest: 0 };

  function schedule() {
    if (scheduled || inFlight >= maxInFlight || queue.length === 0) return;
    scheduled = true;
    // Writes that arrived in the same turn (one socket read can carry many) join this batch.
    setImmediate(flush);
  }

  /**
   * The oldest waiting writes, one per key and none of a key that has a write in a batch
   * being written (so a key's writes commit one after another, in order); the rest keep
   * their place in the queue.
   */
  function take(): Waiting<In, Out>[] {
    const batch: Waiting<In, Out>[] = [];
    const rest: Waiting<In, Out>[] = [];
    for (const w of queue) {
      const key = keyOf(w.input);
      if (batch.length < maxBatch && !busy.has(key)) {
        busy.add(key);
        batch.push(w);
      } else rest.push(w);
    }
    queue = rest;
    return batch;
  }

  function flush() {
    scheduled = false;
    while (inFlight < maxInFlight && queue.length) {
      const batch = take();
      if (!batch.length) return; // every waiting write's key is in a batch being written
      inFlight++;
      stats.batches++;
      stats.writes += batch.length;
      stats.largest = Math.max(stats.largest, batch.length);
      void run(batch).finally(() => {
        for (const w of batch) busy.delete(keyOf(w.input));
        inFlight--;
        schedule();
      });
    }
  }

  async function run(batch: Waiting<In, Out>[]) {
    try {
      const outcomes = await write(batch.map((w) => w.input));
      batch.forEach((w, i) => w.resolve(outcomes[i]!));
    } catch (err) {
      // PostgreSQL away: every write of the batch fails alike (the callers retry).
      if (batch.length === 1 || unavailableErrorOf(err)) return batch.forEach((w) => w.reject(err));
      // Anything else may be one write's fault: each is tried alone, so it fails only itself.
      await Promise.all(
        batch.map((w) =>
          write([w.input]).then(
            ([out]) => w.resolve(out!),
            (e: unknown) => w.reject(e),
          ),
        ),
      );
    }
  }

  return {
    /** Settles after the commit that wrote (or refused) this input. */
    submit(input: In): Promise<Out> {
      return new Promise<Out>((resolve, reject) => {
        queue.push({ input, resolve, reject });
        schedule();
      });
    },
    /** Batches and writes so far, the largest batch, and what is waiting or in flight (benchmarks, tests). */
    stats: () => ({ ...stats, waiting: queue.length, inFlight }),
  };
}
