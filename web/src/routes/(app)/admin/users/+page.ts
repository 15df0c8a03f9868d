import { accountStatusSchema, adminUserListSchema, adminUserSchema, roleSchema } from '@exam-hall/protocol';
import { apiList } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

const PAGE_SIZE = 25;

export const load: PageLoad = async ({ fetch, url, depends }) => {
  depends('app:admin-users');
  const page = Math.max(1, Number.parseInt(url.searchParams.get('page') ?? '1', 10) || 1);
  const search = url.searchParams.get('search')?.trim() ?? '';
  // Unknown values in a hand-edited address are dropped, not sent to be refused.
  const role = roleSchema.safeParse(url.searchParams.get('role')).data ?? '';
  const status = accountStatusSchema.safeParse(url.searchParams.get('status')).data ?? '';
  const query = new URLSearchParams({ page: String(page), limit: String(PAGE_SIZE) });
  if (search) query.set('search', search);
  if (role) query.set('role', role);
  if (status) query.set('status', status);
  const list = await authed(
    url,
    apiList(`/api/admin/users?${query}`, {
      fetch,
      key: 'users',
      item: adminUserSchema,
      envelope: adminUserListSchema,
    }),
  );
  return {
    users: list.items,
    problems: list.problems,
    total: list.envelope.total,
    page,
    search,
    role,
    status,
    pageSize: PAGE_SIZE,
  };
};
