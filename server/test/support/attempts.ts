// Entering an exam now leaves the attempt in the lobby (not_started); the clock starts with
// POST /api/attempts/{id}/begin. Tests about what happens once an exam runs go through both
// steps here, as a student clicking Start in the lobby does.
import { expect } from 'vitest';
import type { Client, Reply } from './http-client.ts';

/** Begins a lobby attempt; answers the running attempt's reply (200). */
export async function begin(c: Client, attemptId: string): Promise<Reply> {
  const begun = await c.post(`/api/attempts/${attemptId}/begin`);
  expect(begun.status, JSON.stringify(begun.body)).toBe(200);
  return begun;
}

/**
 * Enters with email and access code, then begins. Answers the entry's status (201, or the
 * refusal) with, when it was let in, the running attempt as its body.
 */
export async function enterAndBegin(c: Client, body: { email: string; code: string }): Promise<Reply> {
  const entered = await c.post('/api/attempts/start', body);
  if (entered.status !== 201) return entered;
  return { ...entered, body: (await begin(c, entered.body.attempt.id)).body };
}

/** The same for a signed-in student entering from My exams. */
export async function enterSignedInAndBegin(c: Client, examId: string): Promise<Reply> {
  const entered = await c.post(`/api/exams/${examId}/attempts`);
  if (entered.status !== 201) return entered;
  return { ...entered, body: (await begin(c, entered.body.attempt.id)).body };
}
