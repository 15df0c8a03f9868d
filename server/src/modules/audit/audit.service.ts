// Who did what to which thing, when, from where (IP as a keyed hash only).
// Every feature writes here through `record`; nothing else writes audit_logs.
import { and, count, desc, eq, gte, lt, lte, sql, type SQL } from 'drizzle-orm';
import {
  AUDIT_CSV_MAX_ROWS,
  type AuditEntry as AuditEntryDto,
  type AuditFilter,
  type AuditList,
  type AuditListQuery,
} from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import { auditLogs, users } from '../../db/schema/index.ts';
import { badRequest } from '../../http/errors.ts';
import type { Caller } from '../../policy/actor.ts';
import { auditContextOf } from './audit.context.ts';

export interface AuditContext {
  actorId?: string | null;
  actorRole?: string | null;
  ipHash?: string | null;
  requestId?: string | null;
}

export interface AuditEntry {
  action: string;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
}

export async function record(db: Db | Tx, ctx: AuditContext, entry: AuditEntry): Promise<void> {
  await db.insert(auditLogs).values({
    actorId: ctx.actorId ?? null,
    actorRole: ctx.actorRole ?? null,
    ipHash: ctx.ipHash ?? null,
    requestId: ctx.requestId ?? null,
    action: entry.action,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    details: entry.details ?? {},
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/** `%`, `_` and `\` taken literally in a LIKE pattern. */
const likeLiteral = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The WHERE clause for the filters, or a 400 naming the filter that cannot mean anything.
 * Every filter maps onto an index of audit_logs (actor, action, target, created_at).
 */
export function auditWhere(f: AuditFilter): SQL | undefined {
  const where: SQL[] = [];
  if (f.actorId) where.push(eq(auditLogs.actorId, f.actorId));
  if (f.actor) {
    if (UUID.test(f.actor)) where.push(eq(auditLogs.actorId, f.actor.toLowerCase()));
    else if (f.actor.includes('@'))
      where.push(
        sql`${auditLogs.actorId} in (select ${users.id} from ${users} where ${users.email} = ${f.actor.toLowerCase()})`,
      );
    else {
      const message = 'actor must be an email address or a user id';
      throw badRequest(`Filter by ${message}.`, [{ path: 'query.actor', message }]);
    }
  }
  if (f.action) {
    const prefix = f.action.endsWith('*') ? f.action.slice(0, -1) : f.action.endsWith('.') ? f.action : null;
    if (prefix === null) where.push(eq(auditLogs.action, f.action));
    else if (prefix) where.push(sql`${auditLogs.action} like ${`${likeLiteral(prefix)}%`}`);
  }
  if (f.targetType) where.push(eq(auditLogs.targetType, f.targetType));
  if (f.targetId) where.push(eq(auditLogs.targetId, f.targetId));
  const from = f.from ? new Date(f.from) : null;
  // A date alone means the whole of that day (UTC).
  const to = f.to ? new Date(Date.parse(f.to) + (DATE_ONLY.test(f.to) ? DAY_MS - 1 : 0)) : null;
  if (from && to && from > to) {
    const message = 'to must not be before from';
    throw badRequest(`The date range is empty: ${message}.`, [{ path: 'query.to', message }]);
  }
  if (from) where.push(gte(auditLogs.createdAt, from));
  if (to) where.push(lte(auditLogs.createdAt, to));
  return where.length ? and(...where) : undefined;
}

const entryColumns = {
  id: auditLogs.id,
  actorId: auditLogs.actorId,
  actorEmail: users.email,
  actorName: users.name,
  actorRole: auditLogs.actorRole,
  action: auditLogs.action,
  targetType: auditLogs.targetType,
  targetId: auditLogs.targetId,
  requestId: auditLogs.requestId,
  details: auditLogs.details,
  createdAt: auditLogs.createdAt,
};

export type AuditRow = {
  id: number;
  actorId: string | null;
  actorEmail: string | null;
  actorName: string | null;
  actorRole: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
  createdAt: Date;
};

/** One page, newest first, with the number of entries matching the filters. */
export async function list(db: Db, q: AuditListQuery): Promise<{ entries: AuditRow[]; total: number }> {
  const where = auditWhere(q);
  const rows = await db
    .select({ ...entryColumns, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(auditLogs)
    .leftJoin(users, eq(users.id, auditLogs.actorId))
    .where(where)
    .orderBy(desc(auditLogs.id))
    .limit(q.limit)
    .offset((q.page - 1) * q.limit);
  let total = rows[0]?.total;
  if (total === undefined) {
    // Past the last page: the window count has no row to ride on.
    const [row] = await db.select({ n: count() }).from(auditLogs).where(where);
    total = row?.n ?? 0;
  }
  return { entries: rows.map(({ total: _total, ...e }) => e), total };
}

/**
 * Entries newest first in chunks of `chunk` (keyset by id, so each chunk is an index
 * range, not a growing OFFSET), at most `max` in all.
 */
export async function* chunks(db: Db, f: AuditFilter, max: number, chunk = 5000): AsyncGenerator<AuditRow[]> {
  const where = auditWhere(f);
  let before: number | null = null;
  let left = max;
  while (left > 0) {
    const page: AuditRow[] = await db
      .select(entryColumns)
      .from(auditLogs)
      .leftJoin(users, eq(users.id, auditLogs.actorId))
      .where(and(where, before === null ? undefined : lt(auditLogs.id, before)))
      .orderBy(desc(auditLogs.id))
      .limit(Math.min(chunk, left));
    if (!page.length) return;
    yield page;
    left -= page.length;
    before = page[page.length - 1]!.id;
    if (page.length < Math.min(chunk, left + page.length)) return;
  }
}

export function toEntry(e: AuditRow): AuditEntryDto {
  return { ...e, id: Number(e.id), createdAt: e.createdAt.toISOString() };
}

/** The log as administrators read it: a page at a time, or all of it (up to a limit) as an audited export. */
export function createAuditService(deps: { db: Db; secret: string }) {
  const { db, secret } = deps;
  return {
    async page(q: AuditListQuery): Promise<AuditList> {
      const { entries, total } = await list(db, q);
      return { entries: entries.map(toEntry), total, page: q.page, pageSize: q.limit };
    },

    /** The rows of an export, in chunks; a bad filter answers 400 before the export is recorded. */
    async exportRows(caller: Caller, q: AuditFilter): Promise<AsyncGenerator<AuditRow[]>> {
      auditWhere(q);
      await record(db, auditContextOf(secret, caller), {
        action: 'audit.exported',
        targetType: 'audit_log',
        details: { filters: Object.keys(q).filter((k) => q[k as keyof typeof q] !== undefined) },
      });
      return chunks(db, q, AUDIT_CSV_MAX_ROWS);
    },
  };
}
export type AuditService = ReturnType<typeof createAuditService>;
