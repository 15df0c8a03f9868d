import { examsApi } from '@exam-hall/protocol';
import { call } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { LayoutLoad } from './$types';

export const load: LayoutLoad = async ({ fetch, url, params, depends }) => {
  depends('app:exam');
  const exam = await authed(url, call(examsApi.get, { params: { id: params.id }, fetch }));
  return { exam };
};
