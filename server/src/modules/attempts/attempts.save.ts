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

export function createSaveService(deps: { db: Db; rows: Pick<RowPusher, 'pushRowSoon'> }) {
  const { db, rows } = deps;
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
      const saved = await repo.saveAnswer(db, { ...input, response, attemptId: joined.attemptId });
      if (saved) {
        rows.pushRowSoon(joined);
        return { seq: input.seq, applied: true, savedAt: new Date().toISOString() };
      }
      const state = await repo.attemptWriteState(db, joined.attemptId);
      if (!state?.writable) {
        const message =
          state?.status === 'paused'
            ? 'Your exam is paused by the proctor; answers are kept and can be saved when it resumes.'
            : 'Time is up for this attempt: answers can no longer be changed.';
        throw new AppError(409, 'invalid_transition', message);
      }
      // Writable but nothing written: this seq (or a newer one) was already applied.
      return { seq: input.seq, applied: false, savedAt: new Date().toISOString() };
    },
  };
}
export type SaveService = ReturnType<typeof createSaveService>;
