// Benchmark of the exam-start storm ([scale] issue #16): N students (5,000) claim their
// access codes over HTTP, begin, and join over the websocket within a window (10 s),
// against the real server process, the real PostgreSQL and Redis. As the /start page does:
//   POST /api/attempts/start {email, code}  -> 201, attempt cookie (the code is spent)
//   POST /api/attempts/:id/begin            -> 200, the clock runs (exam start mode 'student'),
//                                              on the claim's kept-alive connection (--new-connections: a new one)
//   websocket with the cookie, attempt:join -> ack
// Scenarios (--scenarios, comma-separated; each gets a freshly seeded exam):
//   spread      arrivals evenly over --window-seconds, every student its own loopback address
//   burst       all arrivals at the same instant, own addresses
//   nat-spread  as spread, all from ONE address (a school behind one NAT)
//   nat-burst   as burst, all from one address
// Baseline in the same run: a bare Express + Socket.IO server (scripts/bench/bare-storm-server.ts)
// whose claim and begin each run one PostgreSQL query, driven by the same clients (spread, burst).
// Seeding is straight SQL (scripts/bench/storm-seed.ts): 5,000 invitations in about a second.
//
//   eval "$(node scripts/bootstrap.mjs services 2>/dev/null)"     (DATABASE_URL, REDIS_URL)
//   ulimit -n 20000; node scripts/bench-start-storm.ts [--students 5000] [--window-seconds 10]
//       [--scenarios spread,burst,nat-spread,nat-burst] [--workers 2] [--pool-max 40]
//       [--no-baseline] [--new-connections] [--wait-quiet-seconds 60] [--server-main <path>] [--server-env K=V,K=V]
//       [--server-node-options="--cpu-prof --cpu-prof-dir=/tmp/prof"]
//
// Everything it creates is thrown away at the end (also on Ctrl-C): the database
// eh_bench_storm_<random>, the Redis keys under a random prefix, its child processes.
// Figures go to stdout and to .data/bench-start-storm.json.
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createDb } from '../server/src/db/client.ts';
import {
  cleanRedis,
  classifier,
  createCleanups,
  makeLog,
  requireFdLimit,
  requireLocalServices,
  waitForQuiet,
} from './bench/lifecycle.ts';
import { createBenchDatabase } from './bench/seed.ts';
import { DEFAULT_MAIN, startServer } from './bench/server-process.ts';
import { pgCost, pgCounters, samplePgActivity } from './bench/pg-activity.ts';
import { latency, ProcessMeter, sleep, wallNow, type MeterReading } from './bench/stats.ts';
import { seedStorm, type StormStudent } from './bench/storm-seed.ts';
import {
  arrivalOffsets,
  loopbackAddress,
  mergeCounts,
  parseScenarios,
  roundRobin,
  type Scenario,
} from './bench/storm-plan.ts';
import type { FromStorm, StormArrival, ToStorm } from './bench/storm-worker.ts';

const { values: a } = parseArgs({
  options: {
    students: { type: 'string', default: '5000' },
    'window-seconds': { type: 'string', default: '10' },
    scenarios: { type: 'string', default: 'spread,burst,nat-spread,nat-burst' },
    workers: { type: 'string', default: '2' },
    'pool-max': { type: 'string', default: '40' },
    questions: { type: 'string', default: '10' },
    'timeout-ms': { type: 'string', default: '30000' },
    'no-baseline': { type: 'boolean', default: false },
    // A new TCP connection for the begin too (before 2026-12-06 the bench did this); by default each
    // student keeps its claim's connection for the begin, as a browser does.
    'new-connections': { type: 'boolean', default: false },
    'wait-quiet-seconds': { type: 'string', default: '60' },
    'server-main': { type: 'string', default: DEFAULT_MAIN },
    // Extra server environment, e.g. --server-env CODE_MAX_WRONG_PER_IP=20000
    'server-env': { type: 'string', default: '' },
    // e.g. --server-node-options="--cpu-prof --cpu-prof-dir=/tmp/prof" to see where the server's CPU goes.
    'server-node-options': { type: 'string', default: '' },
  },
});
const num = (k: keyof typeof a) => {
  const v = Number(a[k]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${k} must be a number >= 0`);
  return v;
};
const opts = {
  students: Math.max(1, Math.floor(num('students'))),
  windowSeconds: Math.max(0.1, num('window-seconds')),
  scenarios: parseScenarios(a.scenarios!),
  workers: Math.max(1, Math.floor(num('workers'))),
  poolMax: Math.max(1, Math.floor(num('pool-max'))),
  questions: Math.max(1, Math.floor(num('questions'))),
  timeoutMs: Math.max(1000, num('timeout-ms')),
  baseline: !a['no-baseline'],
  keepAlive: !a['new-connections'],
  waitQuietSeconds: num('wait-quiet-seconds'),
  serverMain: a['server-main']!,
  serverNodeOptions: a['server-node-options']!,
  serverEnv: Object.fromEntries(
    a['server-env']!.split(',')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  ),
};
const TARGET = { students: 5000, seconds: 10, p99Ms: 1000 };
const root = fileURLToPath(new URL('..', import.meta.url));
const log = makeLog('storm');
const { databaseBase, redisUrl } = requireLocalServices();
// The server holds a socket per student, and for a moment an HTTP connection too.
const fdLimit = requireFdLimit(
  opts.students * 2 + 1024,
  `${opts.students} students (a socket and an HTTP connection each)`,
  'scripts/bench-start-storm.ts',
);
const cleanups = createCleanups(
  log,
  (opts.scenarios.length + 2) * (opts.windowSeconds * 1000 + opts.timeoutMs * 3 + 60_000) + 10 * 60_000,
);

// ------------------------------------------------------------------ load processes

const workerFile = fileURLToPath(new URL('./bench/storm-worker.ts', import.meta.url));
function startWorkers(n: number) {
  const children: ChildProcess[] = Array.from({ length: n }, () =>
    fork(workerFile, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  const next = <T extends FromStorm['type']>(c: ChildProcess, type: T, ms: number) =>
    new Promise<Extract<FromStorm, { type: T }>>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`storm worker did not report '${type}' within ${ms} ms`)), ms);
      const onExit = (code: number | null) => reject(new Error(`storm worker exited (${code}) before '${type}'`));
      const onMessage = (m: FromStorm) => {
        if (m.type !== type) return;
        clearTimeout(t);
        c.off('message', onMessage);
        c.off('exit', onExit);
        resolve(m as Extract<FromStorm, { type: T }>);
      };
      c.on('message', onMessage);
      c.once('exit', onExit);
    });
  return {
    pids: () => children.map((c) => c.pid!).filter(Boolean),
    /** Round-robin split; resolves with every worker's report. */
    async storm(url: string, arrivals: StormArrival[], startAt: number, waitMs: number) {
      const done = children.map((c) => next(c, 'done', waitMs));
      children.forEach((c, i) =>
        c.send({
          type: 'storm',
          url,
          arrivals: roundRobin(arrivals, n, i),
          startAt,
          timeoutMs: opts.timeoutMs,
          keepAlive: opts.keepAlive,
        } satisfies ToStorm),
      );
      return Promise.all(done);
    },
    async closeSockets() {
      const closed = children.map((c) => next(c, 'closed', 30_000));
      children.forEach((c) => c.send({ type: 'close' } satisfies ToStorm));
      await Promise.all(closed);
    },
    async stop() {
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null || c.signalCode !== null) return resolve();
              const t = setTimeout(() => c.kill('SIGKILL'), 5000);
              c.once('exit', () => {
                clearTimeout(t);
                resolve();
              });
              if (c.connected) c.send({ type: 'exit' } satisfies ToStorm);
            }),
        ),
      );
    },
  };
}
type Workers = ReturnType<typeof startWorkers>;

// ------------------------------------------------------------------ one storm

async function runStorm(
  label: string,
  url: string,
  serverPids: number[],
  database: { name: string; url: string },
  workers: Workers,
  students: StormStudent[],
  scenario: Scenario,
  block: number,
) {
  const offsets = arrivalOffsets(students.length, scenario.arrival, opts.windowSeconds * 1000);
  const arrivals: StormArrival[] = students.map((s, i) => ({
    ...s,
    offsetMs: offsets[i]!,
    address: loopbackAddress(block, scenario.addresses === 'one' ? 0 : i),
  }));
  log(`${label} ${scenario.name}: ${students.length} students, ${scenario.arrival}, ${scenario.addresses} address(es)`);
  const meter = new ProcessMeter(
    classifier(database.name, () => serverPids, workers.pids),
    () => serverPids,
  );
  const countersBefore = await pgCounters(database.url);
  const stopActivity = await samplePgActivity(database.url, database.name, 250);
  meter.start(500);
  const startAt = wallNow() + 1000;
  const parts = await workers.storm(url, arrivals, startAt, opts.windowSeconds * 1000 + opts.timeoutMs * 3 + 30_000);
  const cpu: MeterReading = meter.stop();
  const { series: _series, ...pgActivity } = await stopActivity();
  const cat = (k: 'claimMs' | 'beginMs' | 'joinMs' | 'totalMs' | 'sendLagMs') => parts.flatMap((p) => Array.from(p[k]));
  const outcomes = mergeCounts(parts.map((p) => p.outcomes));
  const ok = outcomes.ok ?? 0;
  const lastAckAt = Math.max(...parts.map((p) => p.lastAckAt));
  await sleep(1500); // backends publish their statistics about once a second
  // Per student who got all the way (claim, begin, join): commits, WAL bytes and syncs.
  const {
    attempts: _a,
    answers: _b,
    benchUpsert: _c,
    ...perStudent
  } = pgCost(countersBefore, await pgCounters(database.url), ok);
  await workers.closeSockets();
  await sleep(2000); // the server handles the disconnects before the next storm
  return {
    label,
    scenario: scenario.name,
    students: students.length,
    ok,
    errors: Object.fromEntries(Object.entries(outcomes).filter(([k]) => k !== 'ok')),
    /** From the first planned arrival to the last join ack. */
    seconds: ok ? Math.round((lastAckAt - startAt) / 100) / 10 : null,
    claimMs: latency(cat('claimMs')),
    beginMs: latency(cat('beginMs')),
    joinMs: latency(cat('joinMs')),
    totalMs: latency(cat('totalMs')),
    generatorLagMs: latency(cat('sendLagMs')),
    cpu,
    /** Busy server connections in PostgreSQL and what they waited on ('running': on CPU). */
    pgActivity,
    pgPerStudent: perStudent,
  };
}
type StormResult = Awaited<ReturnType<typeof runStorm>>;

async function attemptsRunning(url: string, examId: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ running: string; used: string }>(
      `select (select count(*) from attempts where exam_id = $1 and status = 'in_progress') as running,
              (select count(*) from exam_participants where exam_id = $1 and code_status = 'used') as used`,
      [examId],
    );
    return { running: Number(rows[0]!.running), codesUsed: Number(rows[0]!.used) };
  } finally {
    await c.end();
  }
}

// ------------------------------------------------------------------ the run

async function main() {
  const database = await createBenchDatabase(databaseBase, 'eh_bench_storm');
  cleanups.add(`drop database ${database.name}`, database.drop);
  const redisPrefix = `ehs_${randomBytes(4).toString('hex')}`;
  cleanups.add(`redis keys ${redisPrefix}:*`, () => cleanRedis(redisUrl, redisPrefix));
  const secret = randomBytes(32).toString('hex');
  const seedDb = createDb(database.url, 4);
  cleanups.add('seed pool', () => seedDb.pool.end().catch(() => undefined));
  const seeds: { examId: string; students: StormStudent[]; seconds: number }[] = [];
  for (const s of opts.scenarios) {
    const t0 = performance.now();
    const seeded = await seedStorm(seedDb.db, secret, {
      students: opts.students,
      questions: opts.questions,
      label: s.name,
    });
    seeds.push({ ...seeded, seconds: Math.round((performance.now() - t0) / 100) / 10 });
  }
  log(
    `database ${database.name}: seeded ${opts.scenarios.length} exams of ${opts.students} invitations (${seeds[0]!.seconds} s each)`,
  );
  const quietBusyPct = opts.waitQuietSeconds > 0 ? await waitForQuiet(opts.waitQuietSeconds, log) : null;

  const workers = startWorkers(opts.workers);
  cleanups.add('storm workers', () => workers.stop());
  const server = await startServer(opts.serverMain, {
    NODE_ENV: 'production',
    APP_SECRET: secret,
    EXAM_HALL_ROLE: 'all',
    LOG_LEVEL: 'warn',
    SERVE_WEB: 'false',
    DATABASE_URL: database.url,
    DATABASE_POOL_MAX: String(opts.poolMax),
    REDIS_URL: redisUrl,
    REDIS_PREFIX: redisPrefix,
    ...(opts.serverNodeOptions ? { NODE_OPTIONS: opts.serverNodeOptions } : {}),
    ...opts.serverEnv,
  });
  cleanups.add('server process', server.stop);
  await sleep(1000);
  const results: StormResult[] = [];
  const checks: { scenario: string; running: number; codesUsed: number }[] = [];
  for (const [i, s] of opts.scenarios.entries()) {
    const r = await runStorm('server', server.url, [server.pid], database, workers, seeds[i]!.students, s, 10 + i);
    results.push(r);
    checks.push({ scenario: s.name, ...(await attemptsRunning(database.url, seeds[i]!.examId)) });
    log(`server ${s.name}: ${r.ok}/${r.students} in ${r.seconds} s, total p99 ${r.totalMs.p99} ms`);
  }
  const serverErrors = server
    .output()
    .split('\n')
    .filter((l) => /"level":(50|60)/.test(l));
  await server.stop();

  const baseline: StormResult[] = [];
  if (opts.baseline) {
    const bare = await startServer(fileURLToPath(new URL('./bench/bare-storm-server.ts', import.meta.url)), {
      DATABASE_URL: database.url,
      DATABASE_POOL_MAX: String(opts.poolMax),
    });
    cleanups.add('bare server', bare.stop);
    // The bare server spends nothing: it may reuse the first exam's invitations.
    for (const [j, arrival] of (['spread', 'burst'] as const).entries()) {
      const s: Scenario = { name: arrival, arrival, addresses: 'many' };
      const r = await runStorm('bare', bare.url, [bare.pid], database, workers, seeds[0]!.students, s, 60 + j);
      baseline.push(r);
      log(`bare ${arrival}: ${r.ok}/${r.students} in ${r.seconds} s, total p99 ${r.totalMs.p99} ms`);
    }
    await bare.stop();
  }
  await workers.stop();
  const git = (...args: string[]) => spawnGit(args);
  return {
    when: new Date().toISOString(),
    command: `node scripts/bench-start-storm.ts ${process.argv.slice(2).join(' ')}`.trim(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', node: process.version, fdLimit },
    revision: {
      commit: git('rev-parse', '--short', 'HEAD'),
      uncommitted: git('status', '--porcelain', '--', 'server', 'protocol')?.split('\n').filter(Boolean),
    },
    options: { ...opts, scenarios: opts.scenarios.map((s) => s.name) },
    targets: TARGET,
    seedSecondsPerExam: seeds[0]!.seconds,
    quietBusyPct,
    results,
    database: checks,
    baseline,
    serverErrorLines: serverErrors.length,
    serverErrorSample: serverErrors.slice(0, 5),
  };
}

/** git in the checkout whose server runs (another one with --server-main). */
function spawnGit(args: string[]) {
  const dir = opts.serverMain.replace(/\/server\/src\/main\.ts$/, '') || root;
  return spawnSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).stdout?.trim();
}

// ------------------------------------------------------------------ report

type Result = Awaited<ReturnType<typeof main>>;
function printReport(r: Result) {
  const ms = (l: { p50: number; p99: number; count: number }) => (l.count ? `${l.p50} / ${l.p99}` : '-');
  const errs = (e: Record<string, number>) =>
    Object.keys(e).length
      ? Object.entries(e)
          .sort((x, y) => y[1] - x[1])
          .map(([k, v]) => `${k} ×${v}`)
          .join(', ')
      : 'none';
  console.log(
    `\nExam-start storm: ${r.options.students} students, window ${r.options.windowSeconds} s, ` +
      `${r.options.keepAlive ? 'claim and begin on one kept-alive connection' : 'a new connection per request'}, ` +
      `server at ${r.revision.commit}${r.revision.uncommitted?.length ? ' (+uncommitted)' : ''}, ${r.machine.cpus} cores`,
  );
  const rows = [...r.results, ...r.baseline];
  const head = [
    'run',
    'ok',
    'done in',
    'claim p50/p99',
    'begin p50/p99',
    'join p50/p99',
    'arrival->joined p50/p99',
    'server CPU',
    'PG CPU',
    'not ours',
  ];
  const table = rows.map((x) => [
    `${x.label} ${x.scenario}`,
    `${x.ok}/${x.students}`,
    x.seconds === null ? '-' : `${x.seconds} s`,
    ms(x.claimMs),
    ms(x.beginMs),
    ms(x.joinMs),
    ms(x.totalMs),
    `${x.cpu.cpuPct.server ?? 0} %`,
    `${x.cpu.cpuPct.postgres ?? 0} %`,
    `${x.cpu.notOursPct} %`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(head));
  for (const t of table) console.log(line(t));
  console.log('\nErrors by stage and code:');
  for (const x of rows) console.log(`  ${x.label} ${x.scenario}: ${errs(x.errors)}`);
  console.log(
    'PostgreSQL during each storm: busy connections mean / max, what the busy ones waited on (% of samples):',
  );
  for (const x of rows) {
    const p = x.pgActivity;
    const c = x.pgPerStudent;
    console.log(
      `  ${x.label} ${x.scenario}: ${p.activeMean} / ${p.activeMax}  ${JSON.stringify(p.activeWaits)}; ` +
        `per student ${c.commitsPerOp} commits, ${c.walBytesPerOp} B WAL, ${c.walSyncsPerOp} WAL syncs`,
    );
  }
  console.log('In the database after each storm (attempts running / codes used):');
  for (const c of r.database) console.log(`  ${c.scenario}: ${c.running} / ${c.codesUsed}`);
  const lag = Math.max(...rows.map((x) => x.generatorLagMs.p99 || 0));
  console.log(
    `Load generator: its worst p99 lag behind the planned arrival was ${lag} ms (over 100 ms: the generator, not the server, limited the rate).`,
  );
  if (r.serverErrorLines) console.log(`Server error log lines: ${r.serverErrorLines}, e.g. ${r.serverErrorSample[0]}`);
  const busy = Math.max(...rows.map((x) => x.cpu.notOursPct));
  if (busy > 20)
    console.log(`WARNING: other work used up to ${busy} % of a core during the storms; figures are indicative.`);
  const target = r.results.find((x) => x.scenario === 'spread');
  if (target && r.options.students >= TARGET.students) {
    const met =
      target.ok === target.students &&
      (target.seconds ?? Infinity) <= TARGET.seconds + 1 &&
      target.totalMs.p99 < TARGET.p99Ms;
    console.log(
      `Target (${TARGET.students} in ${TARGET.seconds} s, p99 < ${TARGET.p99Ms} ms, no errors), spread: ${met ? 'met' : 'NOT met'}`,
    );
  }
}

try {
  const result = await main();
  printReport(result);
  mkdirSync(`${root}.data`, { recursive: true });
  writeFileSync(`${root}.data/bench-start-storm.json`, JSON.stringify(result, null, 2) + '\n');
  log(`wrote ${root}.data/bench-start-storm.json`);
} catch (e) {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exitCode = 1;
} finally {
  await cleanups.run();
  log('cleaned up');
}
process.exit();
