// Pushes travel between server processes through Redis and are best effort: while Redis is
// away, a proctor's extension, pause or end made on one process never reaches a student
// connected to another, whose socket stays up meanwhile and so never joins again. When a
// process's Redis connection comes back, it reads the attempts its own sockets have joined
// (one statement) and tells each of them its clock as it is now, or that it ended; and it
// sends the proctors watching a hall on this process the hall's whole roster again.
import { inArray } from 'drizzle-orm';
import { RESYNC_CLOCK_REASON, type AttemptStatus, type Clock, type HallRow } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import { attempts } from '../../db/schema/index.ts';
import { toClock } from './hall.events.ts';
import { hallRows } from './hall.repository.ts';

const ENDED: readonly AttemptStatus[] = ['submitted', 'expired', 'abandoned', 'invalidated'];

/** The attempts' clocks as stored now. */
export function clocksOf(db: Db, attemptIds: readonly string[]) {
  return db
    .select({
      id: attempts.id,
      status: attempts.status,
      deadlineAt: attempts.deadlineAt,
      pausedAt: attempts.pausedAt,
      extraSeconds: attempts.extraSeconds,
    })
    .from(attempts)
    .where(inArray(attempts.id, [...attemptIds]));
}

/** This process's sockets only (socket/hub.ts localSockets): each process resyncs its own when its Redis returns. */
export interface LocalSockets {
  /** The attempt ids the process's sockets have joined. */
  joinedAttempts(): Iterable<string>;
  clock(attemptId: string, clock: Clock): void;
  ended(attemptId: string, status: AttemptStatus): void;
  /** The exams whose hall a socket of this process watches. */
  watchedExams(): Iterable<string>;
  rows(examId: string, rows: HallRow[]): void;
}

/** Answers how many attempts and halls were told. */
export async function resyncLocal(db: Db, local: LocalSockets): Promise<{ attempts: number; halls: number }> {
  const ids = [...new Set(local.joinedAttempts())];
  if (ids.length) {
    for (const row of await clocksOf(db, ids)) {
      if (ENDED.includes(row.status)) local.ended(row.id, row.status);
      else local.clock(row.id, toClock(row, RESYNC_CLOCK_REASON));
    }
  }
  const exams = [...new Set(local.watchedExams())];
  // One hall after another: each roster is one statement, and an outage's end is no time for a burst.
  for (const examId of exams) local.rows(examId, await hallRows(db, examId));
  return { attempts: ids.length, halls: exams.length };
}
