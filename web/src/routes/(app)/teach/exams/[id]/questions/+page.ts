import { questionSchema } from '@exam-hall/protocol';
import { apiList } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, params, depends }) => {
  depends('app:questions');
  const { items: questions, problems } = await authed(
    url,
    apiList(`/api/exams/${encodeURIComponent(params.id)}/questions`, { fetch, key: 'questions', item: questionSchema }),
  );
  return { questions, problems };
};
