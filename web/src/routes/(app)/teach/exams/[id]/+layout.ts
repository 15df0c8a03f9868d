import { examSchema } from '@exam-hall/protocol';
import { api } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { LayoutLoad } from './$types';

export const load: LayoutLoad = async ({ fetch, url, params, depends }) => {
  depends('app:exam');
  const exam = await authed(url, api(`/api/exams/${encodeURIComponent(params.id)}`, { fetch, schema: examSchema }));
  return { exam };
};
