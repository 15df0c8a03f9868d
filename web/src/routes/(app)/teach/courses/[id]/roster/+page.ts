import { courseSchema, enrollmentListSchema, enrollmentRoles, type EnrollmentRole } from '@exam-hall/protocol';
import { api } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import type { PageLoad } from './$types';

const PAGE_SIZE = 25;

export const load: PageLoad = async ({ fetch, url, params, depends }) => {
  depends('app:roster');
  const id = encodeURIComponent(params.id);
  const wantedRole = url.searchParams.get('role');
  const role = enrollmentRoles.find((r) => r === wantedRole) as EnrollmentRole | undefined;
  const status = url.searchParams.get('status') === 'dropped' ? 'dropped' : 'active';
  const page = Math.max(1, Number.parseInt(url.searchParams.get('page') ?? '1', 10) || 1);
  const search = url.searchParams.get('search')?.trim() ?? '';
  const query = new URLSearchParams({ page: String(page), pageSize: String(PAGE_SIZE), status });
  if (role) query.set('role', role);
  if (search) query.set('search', search);
  const [course, roster] = await authed(
    url,
    Promise.all([
      api(`/api/courses/${id}`, { fetch, schema: courseSchema }),
      api(`/api/courses/${id}/enrollments?${query}`, { fetch, schema: enrollmentListSchema }),
    ]),
  );
  return { course, roster, role: role ?? null, status, page, search, pageSize: PAGE_SIZE } as const;
};
