import { sessionInfoSchema, authApi } from '@exam-hall/protocol';
import { listFrom } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, depends }) => {
  depends('app:sessions');
  const { items: sessions, problems } = await authed(
    url,
    listFrom(authApi.sessions, { fetch, key: 'sessions', item: sessionInfoSchema }),
  );
  // Current first, then most recently used.
  sessions.sort((a, b) => Number(b.current) - Number(a.current) || b.lastUsedAt.localeCompare(a.lastUsedAt));
  return { sessions, problems };
};
