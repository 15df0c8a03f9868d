// Who did what to which thing, when, from where (IP as a keyed hash only).
// Every feature writes here through `record`; nothing else writes audit_logs.
import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';
import { auditLogs } from '../../db/schema/index.ts';

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

export interface AuditQuery {
  limit: number;
  before?: number | undefined;
  action?: string | undefined;
  actorId?: string | undefined;
}

/** Newest first, keyset-paginated by id so deep pages stay cheap. */
export async function list(db: Db, q: AuditQuery) {
  const where: SQL[] = [];
  if (q.before) where.push(lt(auditLogs.id, q.before));
  if (q.action) where.push(eq(auditLogs.action, q.action));
  if (q.actorId) where.push(eq(auditLogs.actorId, q.actorId));
  const rows = await db
    .select()
    .from(auditLogs)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditLogs.id))
    .limit(q.limit + 1);
  const more = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  return { entries: page, nextBefore: more ? page[page.length - 1]!.id : null };
}
