import { questionSchema } from '@exam-hall/protocol';
import { api, listOf } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, params, depends }) => {
  depends('app:questions');
  const { questions } = await authed(
    url,
    api(`/api/exams/${encodeURIComponent(params.id)}/questions`, {
      fetch,
      schema: listOf('questions', questionSchema),
    }),
  );
  return { questions };
};
