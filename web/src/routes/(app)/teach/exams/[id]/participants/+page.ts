import { participantListSchema, participantSchema } from '@exam-hall/protocol';
import { apiList } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

const PAGE_SIZE = 25;

export const load: PageLoad = async ({ fetch, url, params, depends }) => {
  depends('app:participants');
  const page = Math.max(1, Number.parseInt(url.searchParams.get('page') ?? '1', 10) || 1);
  const search = url.searchParams.get('search')?.trim() ?? '';
  const query = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String((page - 1) * PAGE_SIZE) });
  if (search) query.set('search', search);
  const list = await authed(
    url,
    apiList(`/api/exams/${encodeURIComponent(params.id)}/participants?${query}`, {
      fetch,
      key: 'participants',
      item: participantSchema,
      envelope: participantListSchema,
    }),
  );
  return {
    participants: list.items,
    problems: list.problems,
    total: list.envelope.total,
    page,
    search,
    pageSize: PAGE_SIZE,
  };
};
