// Samples pg_stat_activity for the benchmark database while the load runs: how many
// of the server's connections are busy, and what the busy ones wait on. A pool that
// is always full points at the database; a mostly idle one points at the server.
import pg from 'pg';

export async function samplePgActivity(url: string, database: string, everyMs = 500) {
  const client = new pg.Client({ connectionString: url });
  // A dropped connection (database restarted under us) must not crash the benchmark.
  client.on('error', () => {});
  await client.connect();
  let samples = 0;
  let activeSum = 0;
  let activeMax = 0;
  let idleInTxSum = 0;
  let connectionsMax = 0;
  const waits: Record<string, number> = {};
  /** [wall-clock ms, busy backends] per sample, to line up with latency over time. */
  const series: [number, number][] = [];
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    client
      .query<{ state: string | null; wait: string }>(
        `select state, coalesce(wait_event_type || ':' || wait_event, 'running') as wait
           from pg_stat_activity
          where datname = $1 and backend_type = 'client backend' and pid <> pg_backend_pid()`,
        [database],
      )
      .then(({ rows }) => {
        samples++;
        const active = rows.filter((r) => r.state === 'active');
        activeSum += active.length;
        activeMax = Math.max(activeMax, active.length);
        series.push([performance.timeOrigin + performance.now(), active.length]);
        idleInTxSum += rows.filter((r) => r.state?.startsWith('idle in transaction')).length;
        connectionsMax = Math.max(connectionsMax, rows.length);
        for (const r of active) waits[r.wait] = (waits[r.wait] ?? 0) + 1;
      })
      .catch(() => {})
      .finally(() => (busy = false));
  }, everyMs);
  return async () => {
    clearInterval(timer);
    await client.end().catch(() => {});
    const round = (v: number) => Math.round(v * 10) / 10;
    const total = Object.values(waits).reduce((s, v) => s + v, 0) || 1;
    return {
      samples,
      activeMean: round(activeSum / (samples || 1)),
      activeMax,
      idleInTransactionMean: round(idleInTxSum / (samples || 1)),
      connectionsMax,
      /** Share (%) of busy-backend samples per wait event ('running' = on CPU). */
      activeWaits: Object.fromEntries(
        Object.entries(waits)
          .sort((a, b) => b[1] - a[1])
          .slice(0, 6)
          .map(([k, v]) => [k, round((v / total) * 100)]),
      ),
      series,
    };
  };
}

export interface PgCounters {
  lsn: string;
  walRecords: number;
  walFpi: number;
  walSyncs: number;
  commits: number;
  checkpoints: number;
  checkpointWriteMs: number;
  checkpointSyncMs: number;
  tables: Record<string, { ins: number; upd: number; hot: number }>;
}

/**
 * Cumulative PostgreSQL counters: WAL position and pg_stat_wal (cluster-wide), commits
 * of this database, and row writes per table. Backends publish their table and WAL
 * statistics about once a second, so read these a moment after a phase ends.
 */
export async function pgCounters(url: string): Promise<PgCounters> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const wal = await c.query<{ lsn: string; wal_records: string; wal_fpi: string; wal_sync: string }>(
      `select pg_current_wal_lsn()::text as lsn, wal_records, wal_fpi, wal_sync from pg_stat_wal`,
    );
    const bg = await c.query<{ n: string; write_ms: string; sync_ms: string }>(
      `select checkpoints_timed + checkpoints_req as n, checkpoint_write_time as write_ms,
              checkpoint_sync_time as sync_ms from pg_stat_bgwriter`,
    );
    const db = await c.query<{ xact_commit: string }>(
      `select xact_commit from pg_stat_database where datname = current_database()`,
    );
    const t = await c.query<{ relname: string; n_tup_ins: string; n_tup_upd: string; n_tup_hot_upd: string }>(
      `select relname, n_tup_ins, n_tup_upd, n_tup_hot_upd from pg_stat_user_tables
        where relname in ('attempts', 'answers', 'bench_upsert')`,
    );
    const w = wal.rows[0]!;
    return {
      lsn: w.lsn,
      walRecords: Number(w.wal_records),
      walFpi: Number(w.wal_fpi),
      walSyncs: Number(w.wal_sync),
      commits: Number(db.rows[0]!.xact_commit),
      checkpoints: Number(bg.rows[0]!.n),
      checkpointWriteMs: Number(bg.rows[0]!.write_ms),
      checkpointSyncMs: Number(bg.rows[0]!.sync_ms),
      tables: Object.fromEntries(
        t.rows.map((r) => [
          r.relname,
          { ins: Number(r.n_tup_ins), upd: Number(r.n_tup_upd), hot: Number(r.n_tup_hot_upd) },
        ]),
      ),
    };
  } finally {
    await c.end();
  }
}

const lsnBytes = (lsn: string) => {
  const [hi, lo] = lsn.split('/');
  return Number.parseInt(hi!, 16) * 2 ** 32 + Number.parseInt(lo!, 16);
};

/** What `ops` operations cost PostgreSQL between two readings. */
export function pgCost(before: PgCounters, after: PgCounters, ops: number) {
  const per = (v: number) => (ops ? Math.round((v / ops) * 100) / 100 : null);
  const table = (name: string) => {
    const a = after.tables[name];
    if (!a) return null;
    const b = before.tables[name] ?? { ins: 0, upd: 0, hot: 0 };
    const upd = a.upd - b.upd;
    return {
      inserts: a.ins - b.ins,
      updates: upd,
      hotPct: upd ? Math.round(((a.hot - b.hot) / upd) * 1000) / 10 : null,
    };
  };
  return {
    ops,
    walBytesPerOp: per(lsnBytes(after.lsn) - lsnBytes(before.lsn)),
    walRecordsPerOp: per(after.walRecords - before.walRecords),
    fullPageImagesPerOp: per(after.walFpi - before.walFpi),
    walSyncsPerOp: per(after.walSyncs - before.walSyncs),
    commitsPerOp: per(after.commits - before.commits),
    /** Checkpoints that ended in between (they make the next write of every page a full-page image). */
    checkpoints: after.checkpoints - before.checkpoints,
    checkpointSyncMs: Math.round(after.checkpointSyncMs - before.checkpointSyncMs),
    attempts: table('attempts'),
    answers: table('answers'),
    benchUpsert: table('bench_upsert'),
  };
}
