// Group commit for autosaves. Saves that arrive while a batch is being written (or in
// the same turn of the event loop) go to PostgreSQL together, as one multi-row statement
// and one commit (attempts.save.repository.ts saveAnswers); each save's promise settles
// only after that commit. At low load a save is written at once, alone (no added wait);
// under load the batches grow by themselves, so the commits per second stay about
// constant while saves per second rise: each save no longer waits for a WAL flush of its
// own.
//
// Written by hand rather than with a batching library (DataLoader and the like batch per
// tick and cache by key): a batch here takes at most one save per attempt, so an
// attempt's saves apply in the order they arrived (the time budget is per attempt), and
// at most `maxInFlight` batches run at once.
import type { Db } from '../../db/client.ts';
import { unavailableErrorOf } from '../../db/unavailable.ts';
import { saveAnswers, type SaveOutcome, type SaveRow } from './attempts.save.repository.ts';

interface Waiting {
  row: SaveRow;
  resolve: (outcome: SaveOutcome) => void;
  reject: (err: unknown) => void;
}

export interface SaveBatcherOptions {
  /** Most saves in one statement. */
  maxBatch?: number;
  /** Batches being written at once (each holds one pooled connection). */
  maxInFlight?: number;
}

export function createSaveBatcher(db: Db, opts: SaveBatcherOptions = {}) {
  const maxBatch = opts.maxBatch ?? 500;
  const maxInFlight = opts.maxInFlight ?? 2;
  let queue: Waiting[] = [];
  let inFlight = 0;
  let scheduled = false;
  /** Attempts with a save in a batch being written: their next save waits for it. */
  const busy = new Set<string>();
  const stats = { batches: 0, saves: 0, largest: 0 };

  function schedule() {
    if (scheduled || inFlight >= maxInFlight || queue.length === 0) return;
    scheduled = true;
    // Saves that arrived in the same turn (one socket read can carry many) join this batch.
    setImmediate(flush);
  }

  /**
   * The oldest waiting saves, one per attempt and none of an attempt that has a save in a
   * batch being written (so an attempt's saves commit one after another, in order); the
   * rest keep their place in the queue.
   */
  function take(): Waiting[] {
    const batch: Waiting[] = [];
    const rest: Waiting[] = [];
    for (const w of queue) {
      if (batch.length < maxBatch && !busy.has(w.row.attemptId)) {
        busy.add(w.row.attemptId);
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
      if (!batch.length) return; // every waiting save's attempt is in a batch being written
      inFlight++;
      stats.batches++;
      stats.saves += batch.length;
      stats.largest = Math.max(stats.largest, batch.length);
      void write(batch).finally(() => {
        for (const w of batch) busy.delete(w.row.attemptId);
        inFlight--;
        schedule();
      });
    }
  }

  async function write(batch: Waiting[]) {
    try {
      const outcomes = await saveAnswers(
        db,
        batch.map((w) => w.row),
      );
      batch.forEach((w, i) => w.resolve(outcomes[i]!));
    } catch (err) {
      // PostgreSQL away: every save of the batch fails alike (the pages retry).
      if (batch.length === 1 || unavailableErrorOf(err)) return batch.forEach((w) => w.reject(err));
      // Anything else may be one save's fault: each is tried alone, so it fails only itself.
      await Promise.all(
        batch.map((w) =>
          saveAnswers(db, [w.row]).then(
            ([outcome]) => w.resolve(outcome!),
            (e: unknown) => w.reject(e),
          ),
        ),
      );
    }
  }

  return {
    /** Settles after the commit that wrote (or refused) this save. */
    save(row: SaveRow): Promise<SaveOutcome> {
      return new Promise<SaveOutcome>((resolve, reject) => {
        queue.push({ row, resolve, reject });
        schedule();
      });
    },
    /** Batches and saves written so far, and the largest batch (benchmarks, tests). */
    stats: () => ({ ...stats, waiting: queue.length, inFlight }),
  };
}
export type SaveBatcher = ReturnType<typeof createSaveBatcher>;
