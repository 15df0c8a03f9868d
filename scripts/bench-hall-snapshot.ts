// What a proctor's `hall:watch` costs the server at N students (issue #16, item 2): the
// whole-exam roster query (hall.repository.ts hallRows), its JSON encoding, and the
// longest the event loop is held while a snapshot is built; beside a bare baseline in the
// same run (the participants alone, one indexed select) and the progress delta query of
// one second of saves (answeredCounts for 10 % of the hall).
//
//   node scripts/bench-hall-snapshot.ts [--students 10000] [--rounds 5]
//
// Seeds a throwaway database (bench seed: one exam, N in-progress attempts), gives each
// attempt 5 answers, one open presence segment and every 10th an alert, then measures.
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { createDb } from '../server/src/db/client.ts';
import { answeredCounts, hallRows, recentAlerts } from '../server/src/modules/hall/hall.repository.ts';
import { createBenchDatabase, seedHall } from './bench/seed.ts';
import { createCleanups, makeLog, requireLocalServices } from './bench/lifecycle.ts';

const { values } = parseArgs({
  options: {
    students: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '5' },
    /** Also print the plan of the roster statement. */
    explain: { type: 'boolean', default: false },
  },
});
const students = Number(values.students);
const rounds = Number(values.rounds);
const log = makeLog('bench-hall-snapshot');
const { databaseBase } = requireLocalServices();
const cleanups = createCleanups(log, 10 * 60_000);

/** Runs `work` while a 1 ms timer watches the event loop; answers its time and the longest gap. */
async function timed<T>(work: () => Promise<T>) {
  let last = performance.now();
  let longest = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  const start = performance.now();
  const value = await work();
  const ms = performance.now() - start;
  clearInterval(probe);
  longest = Math.max(longest, performance.now() - last);
  return { value, ms, stall: longest };
}

const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (xs: number[]) => `median ${median(xs).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;

const database = await createBenchDatabase(databaseBase, 'eh_bench_snapshot');
cleanups.add('database', database.drop);
const { db, pool } = createDb(database.url, 4);
cleanups.add('pool', () => pool.end());
log(`seeding ${students} students`);
const world = await seedHall(db, { students, proctors: 1, questions: 10 });
await db.execute(sql`
  insert into answers (attempt_id, question_id, response, seq)
  select a.id, q.id, '{"selected":"a"}'::jsonb, q.position + 1
    from attempts a join questions q on q.exam_id = a.exam_id and q.position < 5
   where a.exam_id = ${world.examId}`);
await db.execute(sql`
  insert into presence (attempt_id, user_id, exam_id, connection_id, device_id)
  select id, user_id, exam_id, 'conn-' || id, 'dev-' || id from attempts where exam_id = ${world.examId}`);
await db.execute(sql`
  insert into proctoring_events (attempt_id, exam_id, user_id, type, severity)
  select id, exam_id, user_id, 'tab_hidden', 'medium'
    from (select *, row_number() over () as n from attempts where exam_id = ${world.examId}) a where n % 10 = 0`);
await db.execute(sql`analyze`);

const bare: number[] = [];
const query: number[] = [];
const stall: number[] = [];
const encode: number[] = [];
const delta: number[] = [];
let bytes = 0;
let rows = 0;
const tenth = world.students.slice(0, Math.ceil(students / 10)).map((s) => s.attemptId);
for (let i = 0; i < rounds; i++) {
  const b = await timed(() =>
    db.execute(sql`select p.id, p.email, p.user_id from exam_participants p where p.exam_id = ${world.examId}`),
  );
  bare.push(b.ms);
  // What hall:watch does before its ack (hall.service.ts watch): the roster and the alerts.
  const w = await timed(() => Promise.all([hallRows(db, world.examId), recentAlerts(db, world.examId)]));
  query.push(w.ms);
  stall.push(w.stall);
  rows = w.value[0].length;
  const start = performance.now();
  // Socket.IO's parser encodes an ack with JSON.stringify, in one piece.
  bytes = JSON.stringify({ rows: w.value[0], alerts: w.value[1] }).length;
  encode.push(performance.now() - start);
  delta.push((await timed(() => answeredCounts(db, tenth))).ms);
}
if (values.explain) {
  // The roster statement's plan, as PostgreSQL ran it (captured from the pool).
  const original = pool.query.bind(pool);
  let captured: { text: string; values: unknown[] } | undefined;
  pool.query = ((q: string | { text: string; values?: unknown[] }, ...rest: unknown[]) => {
    const text = typeof q === 'string' ? q : q.text;
    const params = typeof q === 'string' ? rest[0] : (q.values ?? rest[0]);
    if (text.includes('participant_id')) captured ??= { text, values: (params as unknown[]) ?? [] };
    return (original as (...a: unknown[]) => unknown)(q, ...rest);
  }) as typeof pool.query;
  // The progress batch of one second before hall:progress: 1,000 participants' rows.
  const participants = await db.execute<{ id: string }>(
    sql`select id from exam_participants where exam_id = ${world.examId} limit 1000`,
  );
  await hallRows(
    db,
    world.examId,
    participants.rows.map((p) => p.id),
  );
  pool.query = original;
  const plan = await pool.query(`explain (analyze, buffers) ${captured!.text}`, captured!.values);
  console.log(plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n'));
}
console.log(`hall:watch snapshot at ${students} students (${rows} rows, ${(bytes / 1024).toFixed(0)} KiB as JSON):`);
console.log(`  roster + alerts queries, wall:       ${fmt(query)}`);
console.log(`  longest event-loop stall meanwhile:  ${fmt(stall)}`);
console.log(`  JSON encoding (blocks the loop):     ${fmt(encode)}`);
console.log(`  baseline, participants alone:        ${fmt(bare)}`);
console.log(`  progress delta of ${tenth.length} attempts:  ${fmt(delta)}`);
await cleanups.run();
