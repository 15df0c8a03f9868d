import { error } from '@sveltejs/kit';
import { attemptResponseSchema } from '@exam-hall/protocol';
import { api, ApiRequestError } from '#lib/api.ts';
import { optionalUser } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, params }) => {
  // Sent before the request, so the page can place the server's clock inside the round trip.
  const sentAt = performance.now();
  try {
    const [answer, user] = await Promise.all([
      api(`/api/attempts/${encodeURIComponent(params.id)}`, { fetch, schema: attemptResponseSchema }),
      optionalUser(fetch),
    ]);
    return { ...answer, sentAt, user };
  } catch (err) {
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
