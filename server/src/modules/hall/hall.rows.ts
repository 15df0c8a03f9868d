// Pushing roster rows to an exam's proctors: after a proctor's action (hall.service.ts)
// and after a student's join, save, signal or submit (attempts/attempts.live.service.ts).
import type { HallRow } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import type { Attempt } from '../../db/schema/index.ts';
import type { HallPublisher } from './hall.events.ts';
import * as repo from './hall.repository.ts';

export function createRowPusher(deps: { db: Db; publish: HallPublisher }) {
  const { db, publish } = deps;

  async function pushRow(a: Pick<Attempt, 'examId' | 'participantId'>): Promise<HallRow | undefined> {
    const [row] = await repo.hallRows(db, a.examId, a.participantId);
    if (row) publish.row(a.examId, row);
    return row;
  }

  // Progress after saves reaches proctors in batches: the participants whose answers
  // changed are collected per exam and sent once a second with one roster query, so
  // the cost does not grow with the save rate.
  const dirty = new Map<string, Set<string>>();
  function pushRowSoon(a: { examId: string; participantId: string }) {
    const pending = dirty.get(a.examId);
    if (pending) {
      pending.add(a.participantId);
      return;
    }
    dirty.set(a.examId, new Set([a.participantId]));
    const timer = setTimeout(() => {
      const ids = [...(dirty.get(a.examId) ?? [])];
      dirty.delete(a.examId);
      repo
        .hallRows(db, a.examId, ids)
        .then((rows) => publish.rows(a.examId, rows))
        .catch(() => {});
    }, 1000);
    timer.unref();
  }

  return {
    pushRow,
    pushRowSoon,

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
