// Group commit for autosaves (db/group-commit.ts): saves that arrive while a batch is being
// written go to PostgreSQL together, as one multi-row statement and one commit
// (attempts.save.repository.ts saveAnswers); each save's promise settles only after that
// commit. A batch takes at most one save per attempt, so an attempt's saves apply in the
// order they arrived (the time budget is per attempt).
import type { Db } from '../../db/client.ts';
import { createGroupCommit, type GroupCommitOptions } from '../../db/group-commit.ts';
import { saveAnswers, type SaveOutcome, type SaveRow } from './attempts.save.repository.ts';

export type SaveBatcherOptions = GroupCommitOptions;

export function createSaveBatcher(db: Db, opts: SaveBatcherOptions = {}) {
  const group = createGroupCommit<SaveRow, SaveOutcome>(
    (row) => row.attemptId,
    (rows) => saveAnswers(db, rows),
    opts,
  );
  return {
    /** Settles after the commit that wrote (or refused) this save. */
    save: group.submit,
    /** Batches and saves written so far, and the largest batch (benchmarks, tests). */
    stats: () => {
      const { writes, ...rest } = group.stats();
      return { ...rest, saves: writes };
    },
  };
}
export type SaveBatcher = ReturnType<typeof createSaveBatcher>;
