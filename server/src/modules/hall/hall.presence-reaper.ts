// A server process that crashes cannot close its sockets' presence segments. Every
// minute each API process asks the whole cluster (through the Redis adapter) which
// sockets are alive and closes the open segments of any other socket, so
// "connected" and "disconnected since" stay true after a crash. Idempotent: any
// number of processes may run it.
import { and, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { presence } from '../../db/schema/index.ts';
import type { Logger } from '../../lib/logger.ts';

export async function reapPresence(db: Db, liveSocketIds: string[]): Promise<number> {
  const closed = await db
    .update(presence)
    .set({ leftAt: sql`greatest(now(), ${presence.joinedAt})` })
    .where(
      and(
        isNull(presence.leftAt),
        // Segments younger than a minute may belong to a socket still joining.
        lt(presence.joinedAt, sql`now() - interval '1 minute'`),
        // One array parameter (node-pg writes the array literal), not one per socket: 10,000
        // bind parameters cost drizzle's query building and PostgreSQL's parsing more than the update.
        liveSocketIds.length ? sql`${presence.connectionId} <> all(${sql.param(liveSocketIds)}::text[])` : undefined,
      ),
    )
    .returning({ id: presence.id });
  return closed.length;
}

export function startPresenceReaper(
  db: Db,
  liveSockets: () => Promise<string[]>,
  log: Logger,
  everyMs = 60_000,
): () => void {
  const timer = setInterval(() => {
    liveSockets()
      .then((ids) => reapPresence(db, ids))
      .then((n) => n && log.info({ closed: n }, 'closed presence segments of vanished sockets'))
      .catch((err) => log.warn({ err }, 'presence reaper failed'));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
