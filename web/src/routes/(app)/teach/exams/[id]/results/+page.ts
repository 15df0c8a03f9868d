import {
  examResultsSchema,
  questionStatsResponseSchema,
  questionStatsSchema,
  resultRowSchema,
} from '@exam-hall/protocol';
import { apiList } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, params, depends }) => {
  depends('app:results');
  const base = `/api/exams/${encodeURIComponent(params.id)}/results`;
  const [results, stats] = await authed(
    url,
    Promise.all([
      apiList(base, { fetch, key: 'rows', item: resultRowSchema, envelope: examResultsSchema }),
      apiList(`${base}/questions`, {
        fetch,
        key: 'questions',
        item: questionStatsSchema,
        envelope: questionStatsResponseSchema,
      }),
    ]),
  );
  return {
    results: { ...results.envelope, rows: results.items },
    stats: { ...stats.envelope, questions: stats.items },
    rowProblems: results.problems,
    statProblems: stats.problems,
  };
};
