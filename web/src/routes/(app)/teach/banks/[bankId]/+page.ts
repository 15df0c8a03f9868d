import { bankQuestionStatsSchema, banksApi, questionSchema } from '@exam-hall/protocol';
import { call, listFrom } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, params, depends }) => {
  depends('app:bank');
  const [bank, questions, stats] = await authed(
    url,
    Promise.all([
      call(banksApi.get, { params: { bankId: params.bankId }, fetch }),
      listFrom(banksApi.questions, {
        params: { bankId: params.bankId },
        fetch,
        key: 'questions',
        item: questionSchema,
      }),
      listFrom(banksApi.stats, {
        params: { bankId: params.bankId },
        fetch,
        key: 'questions',
        item: bankQuestionStatsSchema,
      }),
    ]),
  );
  return {
    bank,
    questions: questions.items,
    problems: questions.problems,
    stats: stats.items,
    statProblems: stats.problems,
  };
};
