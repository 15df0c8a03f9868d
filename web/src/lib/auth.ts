import { error, redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import { ApiRequestError, isUnauthenticated } from './api.ts';

/** Only same-app paths: `//host` and `/\host` would leave the origin. */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return resolve('/(app)');
  return next;
}

export function signInHref(from?: URL): string {
  const here = from ? from.pathname + from.search : '';
  const signIn = resolve('/sign-in');
  return here && here !== resolve('/(app)') ? `${signIn}?next=${encodeURIComponent(here)}` : signIn;
}

/**
 * For load functions: the API's answer, a redirect to sign-in when the session
 * is gone (after api() already tried a refresh), or an error page that keeps
 * the API's message.
 */
export async function authed<T>(url: URL, request: Promise<T>): Promise<T> {
  try {
    return await request;
  } catch (err) {
    if (isUnauthenticated(err)) redirect(307, signInHref(url));
    // Status 0 means no answer at all.
    if (err instanceof ApiRequestError) error(err.status >= 400 ? err.status : 503, err.message);
    throw err;
  }
}
