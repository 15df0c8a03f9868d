import { questionSchema, questionsApi } from '@exam-hall/protocol';
import { listFrom } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, params, depends }) => {
  depends('app:questions');
  const { items: questions, problems } = await authed(
    url,
    listFrom(questionsApi.list, { params: { examId: params.id }, fetch, key: 'questions', item: questionSchema }),
  );
  return { questions, problems };
};
