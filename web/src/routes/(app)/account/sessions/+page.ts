import { sessionsResponseSchema } from '@exam-hall/protocol';
import { api } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, depends }) => {
  depends('app:sessions');
  const { sessions } = await authed(url, api('/api/auth/sessions', { fetch, schema: sessionsResponseSchema }));
  // Current first, then most recently used.
  sessions.sort((a, b) => Number(b.current) - Number(a.current) || b.lastUsedAt.localeCompare(a.lastUsedAt));
  return { sessions };
};
