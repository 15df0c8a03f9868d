import { error } from '@sveltejs/kit';
import { attemptsApi } from '@exam-hall/protocol';
import { call, ApiRequestError } from '#lib/api.ts';
import { forgetAttempt } from '#lib/exam/cache.ts';
import { isFinalStatus } from '#lib/exam/state.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, params }) => {
  // Sent before the request, so the page can place the server's clock inside the round trip.
  const sentAt = performance.now();
  try {
    // Who is signed in (the header) comes from the root layout.
    const answer = await call(attemptsApi.get, { params: { id: params.id }, fetch });
    const initial = { ...answer, sentAt, receivedAt: performance.now() };
    // Not started yet: the lobby (rules, what is monitored, the Start button) comes first.
    const lobby =
      answer.attempt.status === 'not_started'
        ? await call(attemptsApi.lobby, { params: { id: params.id }, fetch })
        : null;
    // Over (time up, submitted elsewhere): what this device still held can no longer be sent.
    const unsent = isFinalStatus(answer.attempt.status) ? forgetAttempt(params.id) : 0;
    return { attemptId: params.id, initial, lobby, unsent };
  } catch (err) {
    // Offline (the service worker served this page): the exam comes from this device's copy.
    if (err instanceof ApiRequestError && err.status === 0) {
      return { attemptId: params.id, initial: null, lobby: null, unsent: 0 };
    }
    if (err instanceof ApiRequestError && (err.status === 401 || err.status === 403 || err.status === 404)) {
      // Neither the attempt cookie nor a session owns it: this browser did not start it.
      error(
        404,
        'This attempt is not open in this browser. Start your exam again with your email and access code, or sign in.',
      );
    }
    if (err instanceof ApiRequestError) error(err.status >= 400 ? err.status : 503, err.message);
    throw err;
  }
};
