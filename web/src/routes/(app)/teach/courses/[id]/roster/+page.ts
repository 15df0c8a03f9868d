import { enrollmentRoles, type EnrollmentRole, coursesApi } from '@exam-hall/protocol';
import { call } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

const PAGE_SIZE = 25;

export const load: PageLoad = async ({ fetch, url, params, depends }) => {
  depends('app:roster');
  const wantedRole = url.searchParams.get('role');
  const role = enrollmentRoles.find((r) => r === wantedRole) as EnrollmentRole | undefined;
  const status = url.searchParams.get('status') === 'dropped' ? 'dropped' : 'active';
  const page = Math.max(1, Number.parseInt(url.searchParams.get('page') ?? '1', 10) || 1);
  const search = url.searchParams.get('search')?.trim() ?? '';
  const [course, roster] = await authed(
    url,
    Promise.all([
      call(coursesApi.get, { params: { id: params.id }, fetch }),
      call(coursesApi.enrollments, {
        params: { id: params.id },
        query: { page, pageSize: PAGE_SIZE, status, role, search: search || undefined },
        fetch,
      }),
    ]),
  );
  return { course, roster, role: role ?? null, status, page, search, pageSize: PAGE_SIZE } as const;
};
