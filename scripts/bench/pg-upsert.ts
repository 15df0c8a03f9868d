// Baselines for "how fast can PostgreSQL itself go on this machine", both closed loops
// at a fixed concurrency (the server's pool size), each request one autocommitted statement:
//  - bareUpsertLoop: INSERT ... ON CONFLICT DO UPDATE of one row (the bare baseline);
//  - saveSqlLoop: the hall's own save statement (attempts.save.repository saveAnswer) called
//    directly, which separates the cost of the SQL from the cost of the server around it.
import pg from 'pg';
import { createDb } from '../../server/src/db/client.ts';
import { saveAnswer } from '../../server/src/modules/attempts/attempts.save.repository.ts';
import { latency, sleep } from './stats.ts';
import { saveContent } from './messages.ts';

/** Called around the timed loop, while the pool's backends still exist (their CPU is read from /proc). */
export interface Around {
  start: () => void;
  stop: () => void;
}

export interface LoopResult {
  concurrency: number;
  seconds: number;
  ops: number;
  opsPerSecond: number;
  errors: number;
  latencyMs: ReturnType<typeof latency>;
}

async function closedLoop(
  concurrency: number,
  seconds: number,
  around: Around | undefined,
  op: (lane: number, i: number) => Promise<unknown>,
) {
  around?.start();
  const lat: number[] = [];
  let errors = 0;
  let i = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  const lane = async (n: number) => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        await op(n, i++);
        lat.push(performance.now() - t0);
      } catch {
        errors++;
        await sleep(10);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, n) => lane(n)));
  const elapsed = (performance.now() - started) / 1000;
  around?.stop();
  return {
    concurrency,
    seconds: Math.round(elapsed * 10) / 10,
    ops: lat.length,
    opsPerSecond: Math.round(lat.length / elapsed),
    errors,
    latencyMs: latency(lat),
  } satisfies LoopResult;
}

/** One-row upserts into a table shaped like `answers` (uuid-free, jsonb payload), keys spread over `keys` rows. */
export async function bareUpsertLoop(
  url: string,
  opts: { concurrency: number; seconds: number; keys: number },
  around?: Around,
) {
  const pool = new pg.Pool({ connectionString: url, max: opts.concurrency });
  try {
    await pool.query(`create table if not exists bench_upsert (
      k integer primary key, response jsonb, flagged boolean not null, seq bigint not null, updated_at timestamptz not null)`);
    // Warm the pool so connection set-up is not timed.
    await Promise.all(Array.from({ length: opts.concurrency }, () => pool.query('select 1')));
    return await closedLoop(opts.concurrency, opts.seconds, around, (_lane, i) =>
      pool.query(
        `insert into bench_upsert (k, response, flagged, seq, updated_at) values ($1, $2::jsonb, $3, $4, now())
         on conflict (k) do update set response = excluded.response, flagged = excluded.flagged,
           seq = excluded.seq, updated_at = now()
         where bench_upsert.seq < excluded.seq`,
        [Math.floor(Math.random() * opts.keys), JSON.stringify({ optionId: 'b' }), i % 7 === 0, i + 1],
      ),
    );
  } finally {
    // The table stays (its statistics are read afterwards); the whole database is dropped at the end.
    await pool.end();
  }
}

/** The hall's save statement, straight through Drizzle, over the benchmark's attempts. */
export async function saveSqlLoop(
  url: string,
  opts: { concurrency: number; seconds: number; attemptIds: string[]; questionIds: string[]; firstSeq: number },
  around?: Around,
) {
  const { db, pool } = createDb(url, opts.concurrency);
  try {
    await Promise.all(Array.from({ length: opts.concurrency }, () => pool.query('select 1')));
    return await closedLoop(opts.concurrency, opts.seconds, around, async (_lane, i) => {
      const seq = opts.firstSeq + i;
      const { q, option, flagged } = saveContent(seq, opts.questionIds.length);
      const attemptId = opts.attemptIds[i % opts.attemptIds.length]!;
      const saved = await saveAnswer(db, {
        attemptId,
        questionId: opts.questionIds[q]!,
        seq,
        response: { optionId: option },
        flagged,
      });
      if (!saved) throw new Error('not saved');
    });
  } finally {
    await pool.end();
  }
}
