// Pushing roster rows to an exam's proctors: after a proctor's action (hall.service.ts)
// and after a student's join, save, signal or submit (attempts/attempts.live.service.ts).
import { setImmediate as nextTick } from 'node:timers/promises';
import type { HallProgressItem, HallRow } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import type { Attempt } from '../../db/schema/index.ts';
import type { HallPublisher } from './hall.events.ts';
import * as repo from './hall.repository.ts';

/** How long changes are collected per exam before one query and one push. */
export const BATCH_MS = 1000;
/** Progress items per emit: a delta of 10,000 goes out in 20 emits, with other work between them. */
export const PROGRESS_CHUNK = 500;

export function createRowPusher(deps: { db: Db; publish: HallPublisher }) {
  const { db, publish } = deps;

  async function pushRow(a: Pick<Attempt, 'examId' | 'participantId'>): Promise<HallRow | undefined> {
    const [row] = await repo.hallRows(db, a.examId, a.participantId);
    if (row) publish.row(a.examId, row);
    return row;
  }

  /**
   * Collects keys per exam and hands each exam's set to `flush` once, BATCH_MS after the
   * first: the cost follows the number of exams and seconds, not the rate of changes.
   */
  function batcher<V>(flush: (examId: string, pending: Map<string, V>) => Promise<void>) {
    const dirty = new Map<string, Map<string, V>>();
    return (examId: string, key: string, value: V) => {
      const pending = dirty.get(examId);
      if (pending) {
        pending.set(key, value);
        return;
      }
      dirty.set(examId, new Map([[key, value]]));
      const timer = setTimeout(() => {
        const batch = dirty.get(examId)!;
        dirty.delete(examId);
        // Best effort: the next snapshot (a proctor's reconnect) has the rows anyway.
        flush(examId, batch).catch(() => {});
      }, BATCH_MS);
      timer.unref();
    };
  }

  // Full rows (a join or a leave changed presence): one roster query per exam per second.
  const rowBatch = batcher<string>(async (examId, pending) => {
    publish.rows(examId, await repo.hallRows(db, examId, [...pending.keys()]));
  });

  // Progress after saves: only the answered count moved, so one cheap count per attempt
  // and a compact event, in chunks with the event loop free in between.
  const progressBatch = batcher<string>(async (examId, pending) => {
    const counts = await repo.answeredCounts(db, [...pending.keys()]);
    const items: HallProgressItem[] = [];
    for (const [attemptId, participantId] of pending) {
      const answered = counts.get(attemptId);
      if (answered !== undefined) items.push({ participantId, attemptId, answered });
    }
    for (let i = 0; i < items.length; i += PROGRESS_CHUNK) {
      if (i > 0) await nextTick();
      publish.progress(examId, items.slice(i, i + PROGRESS_CHUNK));
    }
  });

  return {
    pushRow,

    /** This participant's row changed (joined, left): the full row reaches the proctors within a second. */
    pushRowSoon(a: { examId: string; participantId: string }) {
      rowBatch(a.examId, a.participantId, a.participantId);
    },

    /** This attempt's answers changed: its answered count reaches the proctors within a second. */
    progressSoon(a: { examId: string; participantId: string; attemptId: string }) {
      progressBatch(a.examId, a.attemptId, a.participantId);
    },

    /** Pushes an attempt's current row to its proctors (after an alert review, say). */
    async refreshRow(attemptId: string) {
      const a = await repo.attemptById(db, attemptId);
      if (a) await pushRow(a);
    },

    /** Pushes several attempts' rows in one message per exam (after a bulk alert review). */
    async refreshRows(attemptIds: string[]) {
      if (!attemptIds.length) return;
      const list = await repo.examsAndParticipantsOf(db, attemptIds);
      for (const examId of new Set(list.map((a) => a.examId))) {
        const ids = list.filter((a) => a.examId === examId).map((a) => a.participantId);
        publish.rows(examId, await repo.hallRows(db, examId, ids));
      }
    },

    /** Pushes these participants' rows of one exam in one message. */
    async pushRows(examId: string, participantIds: string[]) {
      publish.rows(examId, await repo.hallRows(db, examId, participantIds));
    },
  };
}
export type RowPusher = ReturnType<typeof createRowPusher>;
