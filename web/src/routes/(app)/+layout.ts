import { error, redirect } from '@sveltejs/kit';
import { signInHref } from '#lib/auth.ts';
import type { LayoutLoad } from './$types';

/** The root layout read the session; signed-in pages need one. */
export const load: LayoutLoad = async ({ parent, url }) => {
  const { user, session, sessionFailure } = await parent();
  if (user && session) return { user, session };
  // 401: nobody is signed in (api() already tried a refresh).
  if (!sessionFailure || sessionFailure.status === 401) redirect(307, signInHref(url));
  // Status 0 means no answer at all.
  error(sessionFailure.status >= 400 ? sessionFailure.status : 503, sessionFailure.message);
};
