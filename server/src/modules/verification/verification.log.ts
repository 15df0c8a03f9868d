// The verification log written off the request path: each lookup's row is buffered and
// the buffer is flushed as one multi-row INSERT every `flushMs` (or sooner when `batch`
// rows wait). While PostgreSQL is down the rows wait, up to `maxBuffered`; beyond that
// new rows are dropped and counted (one warning per outage), so a long outage costs log
// rows, never memory or the lookups themselves. close() flushes what is left.
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import type { NewVerificationRequest } from '../../db/schema/certificates.ts';
import type { Logger } from '../../lib/logger.ts';

export interface LogBufferOptions {
  flushMs?: number;
  batch?: number;
  maxBuffered?: number;
}

/** SQLSTATE classes 22 (data exception) and 23 (integrity): retrying the same rows cannot help. */
/** One statement with nine array parameters, whatever the number of rows. Hand-written SQL (not
 * Drizzle's insert().values()): building a 500-row insert with 4,500 parameters showed as 7 % of
 * the server's CPU under load (scripts/bench-verify.ts --server-node-options=--cpu-prof). */
async function insertRows(db: Db, rows: NewVerificationRequest[]): Promise<void> {
  // sql.param: each column goes as ONE array parameter (a bare array would become a list).
  const col = <T>(f: (r: NewVerificationRequest) => T) => sql.param(rows.map(f));
  await db.execute(sql`insert into verification_requests
    (certificate_id, method, lookup_value, ip_hash, user_agent, result, response_ms, chain_ms, requested_at)
    select * from unnest(${col((r) => r.certificateId ?? null)}::uuid[], ${col((r) => r.method)}::verification_method[],
      ${col((r) => r.lookupValue)}::text[], ${col((r) => r.ipHash ?? null)}::text[], ${col((r) => r.userAgent ?? null)}::text[],
      ${col((r) => r.result)}::verification_result[], ${col((r) => r.responseMs)}::int[], ${col((r) => r.chainMs ?? null)}::int[],
      ${col((r) => (r.requestedAt ?? new Date()).toISOString())}::timestamptz[])`);
}

function isDataError(err: unknown): boolean {
  const e = err as { code?: unknown; cause?: { code?: unknown } };
  const code = typeof e.code === 'string' ? e.code : typeof e.cause?.code === 'string' ? e.cause.code : '';
  return /^2[23]/.test(code);
}

export function createVerificationLog(db: Db, log: Logger, opts: LogBufferOptions = {}) {
  const flushMs = opts.flushMs ?? 200;
  const batch = opts.batch ?? 500;
  const maxBuffered = opts.maxBuffered ?? 20_000;
  let rows: NewVerificationRequest[] = [];
  let flushing: Promise<void> | null = null;
  let failing = false;
  let droppedSinceWarn = 0;
  const counters = { written: 0, dropped: 0, failedFlushes: 0 };

  async function flushOnce(): Promise<boolean> {
    if (rows.length === 0) return false;
    const taken = rows.slice(0, batch);
    rows = rows.slice(taken.length);
    try {
      await insertRows(db, taken);
      counters.written += taken.length;
      if (failing) log.info({ dropped: droppedSinceWarn }, 'verification log: writing again');
      failing = false;
      droppedSinceWarn = 0;
      return true;
    } catch (err) {
      counters.failedFlushes++;
      if (isDataError(err)) {
        // A row PostgreSQL refuses (e.g. its certificate was deleted meanwhile): drop the batch.
        counters.dropped += taken.length;
        log.warn({ err, rows: taken.length }, 'verification log: rows refused by the database, dropped');
        return true;
      }
      // Put them back in front, within the bound.
      const room = Math.max(0, maxBuffered - rows.length);
      const kept = taken.slice(0, room);
      const lost = taken.length - kept.length;
      rows = [...kept, ...rows];
      if (lost > 0) {
        counters.dropped += lost;
        droppedSinceWarn += lost;
      }
      if (!failing) log.warn({ err, buffered: rows.length }, 'verification log: database unavailable, rows wait');
      failing = true;
      return false;
    }
  }

  function flush(): Promise<void> {
    flushing ??= (async () => {
      try {
        while (await flushOnce());
      } finally {
        flushing = null;
      }
    })();
    return flushing;
  }

  const timer = setInterval(() => void flush(), flushMs);
  timer.unref();

  return {
    /** Never waits and never throws: the row is written within about `flushMs`. */
    add(row: NewVerificationRequest) {
      if (rows.length >= maxBuffered) {
        counters.dropped++;
        if (droppedSinceWarn++ === 0)
          log.warn({ maxBuffered }, 'verification log: buffer full, new rows are dropped (counted)');
        return;
      }
      rows.push({ ...row, requestedAt: row.requestedAt ?? new Date() });
      if (rows.length >= batch && !flushing) void flush();
    },

    flush,

    state: () => ({ buffered: rows.length, ...counters }),

    /** Stops the timer and writes what is left (what cannot be written is counted and logged). */
    async close() {
      clearInterval(timer);
      await flush();
      if (rows.length > 0) {
        counters.dropped += rows.length;
        log.warn({ rows: rows.length }, 'verification log: rows not written at shutdown');
        rows = [];
      }
    },
  };
}

export type VerificationLog = ReturnType<typeof createVerificationLog>;
