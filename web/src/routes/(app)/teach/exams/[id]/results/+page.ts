import {
  examResultsSchema,
  questionStatsResponseSchema,
  questionStatsSchema,
  resultRowSchema,
  resultsApi,
} from '@exam-hall/protocol';
import { listFrom } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, params, depends }) => {
  depends('app:results');
  const [results, stats] = await authed(
    url,
    Promise.all([
      listFrom(resultsApi.table, {
        params: { examId: params.id },
        fetch,
        key: 'rows',
        item: resultRowSchema,
        envelope: examResultsSchema,
      }),
      listFrom(resultsApi.questionStats, {
        params: { examId: params.id },
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
