import { auditEntrySchema, auditListSchema } from '@exam-hall/protocol';
import { ApiRequestError, apiList } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import { AUDIT_FILTERS, type AuditFilters } from '#lib/admin/audit-filters.ts';
import type { PageLoad } from './$types';

const PAGE_SIZE = 50;

export const load: PageLoad = async ({ fetch, url }) => {
  const page = Math.max(1, Number.parseInt(url.searchParams.get('page') ?? '1', 10) || 1);
  const filters = Object.fromEntries(
    AUDIT_FILTERS.map((k) => [k, url.searchParams.get(k)?.trim() ?? '']),
  ) as AuditFilters;
  const query = new URLSearchParams({ page: String(page), limit: String(PAGE_SIZE) });
  for (const k of AUDIT_FILTERS) if (filters[k]) query.set(k, filters[k]);
  const base = { page, filters, pageSize: PAGE_SIZE };
  try {
    const list = await apiList(`/api/audit-logs?${query}`, {
      fetch,
      key: 'entries',
      item: auditEntrySchema,
      envelope: auditListSchema,
    });
    return { ...base, entries: list.items, problems: list.problems, total: list.envelope.total, filterProblem: '' };
  } catch (err) {
    // A filter the server cannot use (an actor that is neither an email nor an id): said next to the form.
    if (err instanceof ApiRequestError && err.status === 400) {
      return { ...base, entries: [], problems: [], total: 0, filterProblem: err.message };
    }
    return authed(url, Promise.reject<never>(err));
  }
};
