import { examResultsSchema, questionStatsResponseSchema } from '@exam-hall/protocol';
import { api } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, params, depends }) => {
  depends('app:results');
  const base = `/api/exams/${encodeURIComponent(params.id)}/results`;
  const [results, stats] = await authed(
    url,
    Promise.all([
      api(base, { fetch, schema: examResultsSchema }),
      api(`${base}/questions`, { fetch, schema: questionStatsResponseSchema }),
    ]),
  );
  return { results, stats };
};
