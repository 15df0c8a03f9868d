import { requireSession } from '#lib/auth.ts';
import type { LayoutLoad } from './$types';

export const load: LayoutLoad = async ({ fetch, url, depends }) => {
  depends('app:session');
  const { user, session } = await requireSession(fetch, url);
  return { user, session };
};
