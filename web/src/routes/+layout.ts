import { type MeResponse, authApi } from '@exam-hall/protocol';
import { call, ApiRequestError } from '#lib/api.ts';
import type { LayoutLoad } from './$types';

// The API is same-origin and cookie-authenticated, so pages render in the browser.
export const ssr = false;
export const prerender = false;

/** Why the session could not be read, for (app) pages to act on; public pages treat any failure as "anonymous". */
export type SessionFailure = { status: number; message: string };

/**
 * Every page, public ones and the error page included, learns here who is signed in, so the
 * header shows the same menu everywhere. Signing in or out invalidates 'app:session'.
 */
export const load: LayoutLoad = async ({ fetch, depends }) => {
  depends('app:session');
  try {
    const me: MeResponse = await call(authApi.me, { fetch });
    return { user: me.user, session: me.session, sessionFailure: null };
  } catch (err) {
    const sessionFailure: SessionFailure =
      err instanceof ApiRequestError
        ? { status: err.status, message: err.message }
        : { status: 0, message: 'The server could not be reached. Try again in a moment.' };
    return { user: undefined, session: undefined, sessionFailure };
  }
};
