import { auditEntrySchema, auditListSchema, auditApi } from '@exam-hall/protocol';
import { listFrom, ApiRequestError } from '#lib/api.ts';
import { authed } from '#lib/auth.ts';
import { AUDIT_FILTERS, type AuditFilters } from '#lib/admin/audit-filters.ts';
import type { PageLoad } from './$types';

const PAGE_SIZE = 50;

export const load: PageLoad = async ({ fetch, url }) => {
  const page = Math.max(1, Number.parseInt(url.searchParams.get('page') ?? '1', 10) || 1);
  const filters = Object.fromEntries(
    AUDIT_FILTERS.map((k) => [k, url.searchParams.get(k)?.trim() ?? '']),
  ) as AuditFilters;
  const query = {
    page,
    limit: PAGE_SIZE,
    ...Object.fromEntries(AUDIT_FILTERS.map((k) => [k, filters[k] || undefined])),
  };
  const base = { page, filters, pageSize: PAGE_SIZE };
  try {
    const list = await listFrom(auditApi.list, {
      query,
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
