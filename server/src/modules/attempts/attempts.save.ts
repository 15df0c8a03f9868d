// Autosave: a student's answer is checked against its question, written under the
// sequence rule (attempts.save.repository.ts) and acknowledged only after PostgreSQL
// committed it. The proctors' progress follows in the hall's batch (hall.rows.ts).
import type { SaveAck, SaveAnswer } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import { AppError, badRequest } from '../../http/errors.ts';
import { checkResponse } from '../questions/types/index.ts';
import type { RowPusher } from '../hall/hall.rows.ts';
import type { JoinedAttempt } from './attempts.live.service.ts';
import * as repo from './attempts.save.repository.ts';
import { createSaveBatcher } from './attempts.save-batcher.ts';

export function createSaveService(deps: { db: Db; rows: Pick<RowPusher, 'progressSoon'> }) {
  const { db, rows } = deps;
  const batcher = createSaveBatcher(db);
  return {
    /** Acknowledged only after PostgreSQL committed it. */
    async save(joined: JoinedAttempt, input: SaveAnswer): Promise<SaveAck> {
      const q = joined.questions.get(input.questionId);
      if (!q)
        throw badRequest('This question is not part of the attempt.', [
          { path: 'questionId', message: 'is not in this attempt' },
        ]);
      let response = input.response;
      if (response !== null) {
        const check = checkResponse(q, response);
        if (!check.ok) {
          const fields = check.problems.map((p) => ({ path: ['response', ...p.path].join('.'), message: p.message }));
          // Socket acks carry no field list, so the message names them too.
          throw badRequest(
            `This answer does not fit the question: ${fields.map((f) => `${f.path} (${f.message})`).join('; ')}`,
            fields,
          );
        }
        // As the type stores it (an essay's HTML sanitised).
        response = check.value;
      }
      // Group commit: written with the saves that arrived alongside, in one commit.
      const outcome = await batcher.save({ ...input, response, attemptId: joined.attemptId });
      if (outcome === 'written') {
        rows.progressSoon(joined);
        return { seq: input.seq, applied: true, savedAt: new Date().toISOString() };
      }
      if (outcome === 'stale') return { seq: input.seq, applied: false, savedAt: new Date().toISOString() };
      // Not writable when the batch ran: say why (paused, or time is up) as it is now.
      const state = await repo.attemptWriteState(db, joined.attemptId);
      if (!state?.writable) {
        const message =
          state?.status === 'paused'
            ? 'Your exam is paused by the proctor; answers are kept and can be saved when it resumes.'
            : 'Time is up for this attempt: answers can no longer be changed.';
        throw new AppError(409, 'invalid_transition', message);
      }
      // Writable again by now (a resume raced the batch): nothing was written, so the page retries it.
      throw new AppError(409, 'conflict', 'The attempt changed while saving; the answer will be sent again.');
    },
    stats: batcher.stats,
  };
}
export type SaveService = ReturnType<typeof createSaveService>;
