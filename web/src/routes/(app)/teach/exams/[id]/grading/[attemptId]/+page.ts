import { gradingApi } from '@exam-hall/protocol';
import { call } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, params, depends }) => {
  depends('app:grading-sheet');
  const sheet = await authed(
    url,
    call(gradingApi.sheet, { params: { examId: params.id, attemptId: params.attemptId }, fetch }),
  );
  return { sheet };
};
