import { error } from '@sveltejs/kit';
import { adminUserDetailSchema, auditEntrySchema, auditListSchema, userIdParamsSchema } from '@exam-hall/protocol';
import { api, apiList } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ fetch, url, params, depends }) => {
  depends('app:admin-user');
  // A mistyped address is a missing account, not a validation error.
  if (!userIdParamsSchema.safeParse(params).success) error(404, 'There is no account at this address.');
  const id = encodeURIComponent(params.id);
  const [detail, audit] = await authed(
    url,
    Promise.all([
      api(`/api/admin/users/${id}`, { fetch, schema: adminUserDetailSchema }),
      apiList(`/api/audit-logs?targetType=user&targetId=${id}&limit=10`, {
        fetch,
        key: 'entries',
        item: auditEntrySchema,
        envelope: auditListSchema,
      }),
    ]),
  );
  // Not `user`: page data is merged, and `user` is who is signed in (the header reads it).
  return {
    account: detail.user,
    activeSessions: detail.activeSessions,
    audit: audit.items,
    auditProblems: audit.problems,
    auditTotal: audit.envelope.total,
  };
};
