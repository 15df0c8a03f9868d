import { accommodationsApi, participantListSchema, participantSchema, participantsApi } from '@exam-hall/protocol';
import { call, listFrom } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

const PAGE_SIZE = 25;

export const load: PageLoad = async ({ fetch, url, params, depends }) => {
  depends('app:participants');
  // Who has extra time, an own window or extra attempts: a badge in the list (one small request).
  const accommodations = call(accommodationsApi.list, { params: { examId: params.id }, fetch }).then(
    (r) => r.accommodations,
    () => [],
  );
  const page = Math.max(1, Number.parseInt(url.searchParams.get('page') ?? '1', 10) || 1);
  const search = url.searchParams.get('search')?.trim() ?? '';
  const list = await authed(
    url,
    listFrom(participantsApi.list, {
      params: { examId: params.id },
      query: { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE, search: search || undefined },
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
    accommodations: await accommodations,
  };
};
