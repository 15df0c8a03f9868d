// Benchmark of the live hall ([hall] issue): N simulated students over real sockets
// against a real server process and a real PostgreSQL, each saving every few seconds,
// with proctors watching; then every acknowledged save is checked in the database.
// In the same run it measures a bare Socket.IO echo server and bare PostgreSQL
// upserts on this machine, and prints our figures as ratios to those.
//
//   eval "$(node scripts/bootstrap.mjs services 2>/dev/null)"     (DATABASE_URL, REDIS_URL)
//   ulimit -n 65535; node scripts/bench-hall.ts [--students 5000] [--seconds 60]
//       [--save-interval-ms 10000] [--proctors 5] [--workers 2] [--saturate-seconds 10]
//       [--processes 2 | --compare-processes 1,2]
//
// --processes N runs N server processes against the same PostgreSQL and Redis (the first
// EXAM_HALL_ROLE=all with the proctors, the others 'api'; students round robin across them;
// CPU and RSS summed over all). --compare-processes 1,2 runs the hall phases once per count,
// each on a freshly seeded database, prints the full report of the first and a side-by-side
// table of all; the baselines are measured once.
//
// Everything it creates is thrown away at the end (also on Ctrl-C): the database
// eh_bench_hall_<random>, the Redis keys under a random prefix, and its child processes.
// Figures go to stdout and to .data/bench-hall.json. See docs/BENCHMARKS.md.
import { fork, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ATTEMPT_COOKIE } from '@exam-hall/protocol';
import { createDb } from '../server/src/db/client.ts';
import { DEFAULT_MAIN, startServer } from './bench/server-process.ts';
import type { FinalReport, PhaseResult, SimStudent } from './bench/messages.ts';
import { bareUpsertLoop, saveSqlLoop } from './bench/pg-upsert.ts';
import { pgCost, pgCounters, samplePgActivity } from './bench/pg-activity.ts';
import { alertDelivery, startProctors, startProbe } from './bench/proctors.ts';
import { createBenchDatabase, seedHall } from './bench/seed.ts';
import { latency, ProcessMeter, rssMiB, sleep, wallNow, type MeterReading } from './bench/stats.ts';
import { storedSignals, verifyAgainstDatabase } from './bench/verify.ts';
import { LoadWorkers } from './bench/workers.ts';
import { timeline, worstSeconds } from './bench/timeline.ts';
import { printReport } from './bench/report.ts';
import * as lifecycle from './bench/lifecycle.ts';
import { classifier, makeLog, requireLocalServices } from './bench/lifecycle.ts';
import { formatComparison, parseProcessCounts, type ProcessRun } from './bench/process-compare.ts';

const { values: a } = parseArgs({
  options: {
    students: { type: 'string', default: '5000' },
    seconds: { type: 'string', default: '60' },
    'save-interval-ms': { type: 'string', default: '10000' },
    proctors: { type: 'string', default: '5' },
    workers: { type: 'string', default: '2' },
    'ramp-batch': { type: 'string', default: '200' },
    'signal-share': { type: 'string', default: '0.01' },
    'signal-interval-ms': { type: 'string', default: '10000' },
    'saturate-seconds': { type: 'string', default: '10' },
    'saturate-concurrency': { type: 'string', default: '64' },
    'baseline-seconds': { type: 'string', default: '15' },
    'pg-seconds': { type: 'string', default: '5' },
    'pool-max': { type: 'string', default: '40' },
    // Server processes on this machine sharing PostgreSQL and Redis: the first runs EXAM_HALL_ROLE=all
    // and holds the proctors, the others 'api'; students go round robin across all of them.
    processes: { type: 'string', default: '1' },
    // e.g. 1,2: the hall phases once per count (a fresh seed each), side by side; baselines once.
    'compare-processes': { type: 'string', default: '' },
    questions: { type: 'string', default: '10' },
    'ack-timeout-ms': { type: 'string', default: '30000' },
    'wait-quiet-seconds': { type: 'string', default: '120' },
    'server-main': { type: 'string', default: DEFAULT_MAIN },
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
  seconds: Math.max(1, num('seconds')),
  saveIntervalMs: Math.max(100, num('save-interval-ms')),
  proctors: Math.max(1, Math.floor(num('proctors'))),
  workers: Math.max(1, Math.floor(num('workers'))),
  rampBatch: Math.max(1, Math.floor(num('ramp-batch'))),
  signalShare: Math.min(1, num('signal-share')),
  signalIntervalMs: Math.max(500, num('signal-interval-ms')),
  saturateSeconds: num('saturate-seconds'),
  saturateConcurrency: Math.max(1, Math.floor(num('saturate-concurrency'))),
  baselineSeconds: Math.max(1, num('baseline-seconds')),
  pgSeconds: Math.max(1, num('pg-seconds')),
  poolMax: Math.max(1, Math.floor(num('pool-max'))),
  questions: Math.max(1, Math.floor(num('questions'))),
  ackTimeoutMs: Math.max(1000, num('ack-timeout-ms')),
  waitQuietSeconds: num('wait-quiet-seconds'),
  serverMain: a['server-main']!,
  serverNodeOptions: a['server-node-options']!,
  processCounts: parseProcessCounts(a['compare-processes'] || a.processes!),
};
const TARGET = { students: 5000, savesPerSecond: 500, p99Ms: 100 };
const root = fileURLToPath(new URL('..', import.meta.url));
const log = makeLog('bench');

// ------------------------------------------------------------------ preflight

const { databaseBase, redisUrl } = requireLocalServices();
const fdLimit = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim()) || 0;
// The server holds one fd per socket plus its pools and files; each worker its share.
const fdNeeded = opts.students + 1024;
if (fdLimit && fdLimit < fdNeeded) {
  console.error(
    `The open-file limit (ulimit -n) is ${fdLimit}; ${opts.students} sockets need about ${fdNeeded} in the server\n` +
      `process. Raise it in the same shell first:  ulimit -n 65535 && node scripts/bench-hall.ts ...`,
  );
  process.exit(1);
}

// ------------------------------------------------------------------ cleanup, also on Ctrl-C

const cleanups: { what: string; run: () => Promise<unknown> }[] = [];
let cleaning: Promise<void> | undefined;
function cleanup() {
  cleaning ??= (async () => {
    for (const c of [...cleanups].reverse()) {
      await c.run().catch((e: Error) => console.error(`cleanup (${c.what}) failed: ${e.message}`));
    }
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (e) => {
    log(`${event}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    void cleanup().finally(() => process.exit(1));
  });
}
// Bounded whatever happens: the phases' own limits plus a generous margin.
const limitMs =
  (opts.seconds + opts.saturateSeconds * 2 + opts.baselineSeconds + opts.pgSeconds * 2) * 1000 +
  (opts.students / 20) * 1000 * 2 +
  (opts.processCounts.length - 1) * (opts.seconds + opts.saturateSeconds + opts.students / 20 + 300) * 1000 +
  20 * 60_000;
setTimeout(() => {
  log(`overall time limit (${Math.round(limitMs / 60_000)} min) reached: cleaning up`);
  void cleanup().finally(() => process.exit(2));
}, limitMs).unref();

const cleanRedis = (prefix: string) => lifecycle.cleanRedis(redisUrl, prefix);
const waitForQuiet = (maxSeconds: number) => lifecycle.waitForQuiet(maxSeconds, log);

// ------------------------------------------------------------------ driving a server

type Merged = ReturnType<typeof mergePhase>;
function mergePhase(parts: PhaseResult[], seconds: number) {
  const sum = (k: 'sent' | 'ok' | 'okInWindow' | 'applied' | 'notApplied' | 'timeouts' | 'signalsSent' | 'signalsOk') =>
    parts.reduce((s, p) => s + p[k], 0);
  const errors: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.errors)) errors[k] = (errors[k] ?? 0) + v;
  const concat = (k: 'latencies' | 'sentAt' | 'signalLatencies') => parts.flatMap((p) => Array.from(p[k]));
  const raw = { latencies: concat('latencies'), sentAt: concat('sentAt') };
  return {
    /** Every ack latency with its send time; dropped before the JSON is written. */
    raw: raw as typeof raw | undefined,
    seconds,
    sent: sum('sent'),
    ok: sum('ok'),
    applied: sum('applied'),
    notApplied: sum('notApplied'),
    timeouts: sum('timeouts'),
    errors,
    offeredPerSecond: Math.round(sum('sent') / seconds),
    /** Acks received inside the window, per second of the window. */
    perSecond: Math.round(sum('okInWindow') / seconds),
    latencyMs: latency(raw.latencies),
    signalsSent: sum('signalsSent'),
    signalsOk: sum('signalsOk'),
    signalAckMs: latency(concat('signalLatencies')),
  };
}

interface DriveHooks {
  beforeSteady?: () => Promise<void>;
  afterSteady?: () => Promise<void>;
  beforeSaturate?: () => Promise<void>;
  afterSaturate?: () => Promise<void>;
}

/** Connect, run the steady window at the target rate, then a closed-loop burst; measured from outside. */
async function drive(
  dbName: string,
  label: string,
  url: string,
  /** Every server process under test: CPU and RSS are summed over them. */
  serverPids: number[],
  students: SimStudent[],
  questionIds: string[],
  steadySeconds: number,
  hooks: DriveHooks = {},
) {
  const workers = new LoadWorkers(opts.workers);
  cleanups.push({ what: `${label} load workers`, run: () => workers.stop() });
  const serverRss = () => serverPids.reduce((sum, pid) => sum + (rssMiB(pid) ?? 0), 0);
  const rssIdle = serverRss();
  log(`${label}: connecting ${students.length} students (${opts.rampBatch} at a time, ${opts.workers} load processes)`);
  const classify = classifier(
    dbName,
    () => serverPids,
    () => workers.pids,
  );
  const ramp = new ProcessMeter(classify, () => serverPids);
  ramp.start();
  const rampStart = performance.now();
  workers.connect(url, students, questionIds, opts.rampBatch, opts.ackTimeoutMs);
  const connected = await workers.collect('connected', Math.max(120_000, students.length * 200));
  const rampSeconds = (performance.now() - rampStart) / 1000;
  const rampMeter = ramp.stop();
  const errors: Record<string, number> = {};
  for (const c of connected) for (const [k, v] of Object.entries(c.errors)) errors[k] = (errors[k] ?? 0) + v;
  const connect = {
    requested: students.length,
    connected: connected.reduce((s, c) => s + c.connected, 0),
    failed: connected.reduce((s, c) => s + c.failed, 0),
    errors,
    seconds: Math.round(rampSeconds * 10) / 10,
    perSecond: Math.round(connected.reduce((s, c) => s + c.connected, 0) / rampSeconds),
    joinMs: latency(connected.flatMap((c) => c.joinMs)),
    serverCpuPct: rampMeter.cpuPct.server ?? 0,
    cpu: rampMeter,
  };
  log(
    `${label}: ${connect.connected}/${connect.requested} connected in ${connect.seconds} s` +
      (connect.failed ? `; failures: ${JSON.stringify(errors)}` : ''),
  );
  await sleep(1000);
  const rssAfterRamp = serverRss();

  const measure = async (phase: 'steady' | 'saturate', seconds: number, start: (endAt: number) => void) => {
    const meter = new ProcessMeter(classify, () => serverPids);
    meter.start(500);
    const endAt = wallNow() + seconds * 1000;
    start(endAt);
    await sleep(Math.max(0, endAt - wallNow()));
    const cpu = meter.stop();
    const parts = await workers.collect('phase-done', opts.ackTimeoutMs + 120_000);
    return { ...mergePhase(parts, seconds), phase, startAt: endAt - seconds * 1000, cpu };
  };

  await hooks.beforeSteady?.();
  log(`${label}: steady phase, ${steadySeconds} s, one save per student every ${opts.saveIntervalMs} ms`);
  const steady = await measure('steady', steadySeconds, (endAt) =>
    workers.send({
      type: 'steady',
      endAt,
      saveIntervalMs: opts.saveIntervalMs,
      signalIntervalMs: opts.signalIntervalMs,
    }),
  );
  await hooks.afterSteady?.();
  log(`${label}: steady ${steady.perSecond}/s, ack p50 ${steady.latencyMs.p50} ms, p99 ${steady.latencyMs.p99} ms`);
  let saturate: (Merged & { phase: string; startAt: number; cpu: MeterReading }) | null = null;
  if (opts.saturateSeconds > 0) {
    await hooks.beforeSaturate?.();
    log(`${label}: closed-loop phase, ${opts.saturateSeconds} s, ${opts.saturateConcurrency} saves in flight`);
    saturate = await measure('saturate', opts.saturateSeconds, (endAt) =>
      workers.children.forEach((c, i) =>
        c.send({
          type: 'saturate',
          endAt,
          concurrency:
            Math.floor(opts.saturateConcurrency / opts.workers) + (i < opts.saturateConcurrency % opts.workers ? 1 : 0),
        }),
      ),
    );
    await hooks.afterSaturate?.();
    log(
      `${label}: closed loop ${saturate.perSecond}/s, ack p50 ${saturate.latencyMs.p50} ms, p99 ${saturate.latencyMs.p99} ms`,
    );
  }
  workers.send({ type: 'drain' });
  const drained = await workers.collect('drained', opts.ackTimeoutMs + 30_000);
  workers.send({ type: 'report' });
  const finals = await workers.collect('final', 120_000);
  const final: Omit<FinalReport, 'type'> = {
    connectedNow: finals.reduce((s, f) => s + f.connectedNow, 0),
    disconnects: Object.assign({}, ...finals.map((f) => f.disconnects)),
    inFlight: drained.reduce((s, d) => s + d.inFlight, 0),
    students: finals.flatMap((f) => f.students),
    signals: finals.flatMap((f) => f.signals),
  };
  return { workers, connect, rssIdle, rssAfterRamp, steady, saturate, final };
}

// ------------------------------------------------------------------ the run

async function main() {
  const machine = {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    fdLimit,
  };
  const git = (...args: string[]) =>
    spawnSync('git', ['-C', opts.serverMain.replace(/\/[^/]*$/, ''), ...args], { encoding: 'utf8' }).stdout?.trim();
  const revision = {
    commit: git('rev-parse', '--short', 'HEAD'),
    // Uncommitted changes to what runs in the server process, if any.
    uncommitted: git('status', '--porcelain', '--', '../../server', '../../protocol')?.split('\n').filter(Boolean),
  };
  log(
    `machine: ${machine.cpus} × ${machine.model}, ${machine.memoryGiB} GiB, node ${machine.node}, ulimit -n ${fdLimit}`,
  );

  const hallRun = async (processes: number, first: boolean, keep: boolean) => {
    // 1. A throwaway database, seeded directly.
    const database = await createBenchDatabase(databaseBase!);
    cleanups.push({ what: `drop database ${database.name}`, run: database.drop });
    const redisPrefix = `ehb_${randomBytes(4).toString('hex')}`;
    cleanups.push({ what: `redis keys ${redisPrefix}:*`, run: () => cleanRedis(redisPrefix) });
    log(`database ${database.name}, redis prefix ${redisPrefix}: seeding ${opts.students} students`);
    const seedStart = performance.now();
    const seedDb = createDb(database.url, 4);
    const world = await seedHall(seedDb.db, opts).finally(() => seedDb.pool.end());
    const seedSeconds = Math.round((performance.now() - seedStart) / 100) / 10;
    log(`seeded in ${seedSeconds} s`);
    const quietBusyPct = first && opts.waitQuietSeconds > 0 ? await waitForQuiet(opts.waitQuietSeconds) : null;

    const serverEnv = {
      NODE_ENV: 'production',
      APP_SECRET: randomBytes(32).toString('hex'),
      EXAM_HALL_ROLE: 'all',
      LOG_LEVEL: 'warn',
      SERVE_WEB: 'false',
      DATABASE_URL: database.url,
      DATABASE_POOL_MAX: String(opts.poolMax),
      REDIS_URL: redisUrl!,
      REDIS_PREFIX: redisPrefix,
    };
    const hallEnv = opts.serverNodeOptions ? { ...serverEnv, NODE_OPTIONS: opts.serverNodeOptions } : serverEnv;
    // 2. The real server, in its own process(es), with proctors watching (first, while the machine is quietest).
    // With several processes the first runs 'all' (jobs, sweeps) and holds the proctors; the others
    // run 'api', so alerts raised there reach the proctors only through the Redis adapter.
    log(
      processes === 1
        ? 'starting the server (EXAM_HALL_ROLE=all)'
        : `starting ${processes} server processes (one EXAM_HALL_ROLE=all, ${processes - 1} api)`,
    );
    const servers: Awaited<ReturnType<typeof startServer>>[] = [];
    const stopServer = () => Promise.all(servers.map((s) => s.stop()));
    cleanups.push({ what: 'server processes', run: stopServer });
    for (let i = 0; i < processes; i++) {
      servers.push(await startServer(opts.serverMain, { ...hallEnv, EXAM_HALL_ROLE: i === 0 ? 'all' : 'api' }));
    }
    const server = servers[0]!;
    const serverPids = servers.map((s) => s.pid);
    await sleep(2000);
    const rssBare = serverPids.reduce((sum, pid) => sum + (rssMiB(pid) ?? 0), 0);
    const proctors = await startProctors(server.url, world.examId, world.proctors);
    cleanups.push({ what: 'proctor sockets', run: async () => proctors.forEach((p) => p.socket.close()) });
    log(
      `${proctors.length} proctors watching (roster of ${proctors[0]!.rosterRows} in ${Math.round(proctors[0]!.watchMs)} ms)`,
    );

    const signalEvery = opts.signalShare > 0 ? Math.max(1, Math.round(1 / opts.signalShare)) : 0;
    const students: SimStudent[] = world.students.map((s, i) => ({
      attemptId: s.attemptId,
      cookie: `${ATTEMPT_COOKIE}=${s.attemptId}.${s.token}`,
      signaler: signalEvery > 0 && i % signalEvery === 0,
      ...(processes > 1 ? { url: servers[i % processes]!.url } : {}),
    }));
    let stopProbe: ReturnType<typeof startProbe> | undefined;
    let stopActivity: Awaited<ReturnType<typeof samplePgActivity>> | undefined;
    const probes: Record<string, Awaited<ReturnType<ReturnType<typeof startProbe>>>> = {};
    const activity: Record<string, Awaited<ReturnType<Awaited<ReturnType<typeof samplePgActivity>>>>> = {};
    const counters: Record<string, Awaited<ReturnType<typeof pgCounters>>> = {};
    const startSampling = (phase: string) => async () => {
      counters[`${phase}:before`] = await pgCounters(database.url);
      stopProbe = startProbe(proctors[0]!.socket, 100);
      stopActivity = await samplePgActivity(database.url, database.name);
    };
    const stopSampling = (phase: string) => async () => {
      probes[phase] = await stopProbe!();
      activity[phase] = await stopActivity!();
      await sleep(1500); // backends publish their statistics about once a second
      counters[`${phase}:after`] = await pgCounters(database.url);
    };
    const hall = await drive(database.name, 'hall', server.url, serverPids, students, world.questionIds, opts.seconds, {
      beforeSteady: startSampling('steady'),
      afterSteady: stopSampling('steady'),
      beforeSaturate: startSampling('saturate'),
      afterSaturate: stopSampling('saturate'),
    });
    const hallCost = (phase: 'steady' | 'saturate', ops: number) =>
      counters[`${phase}:after`] ? pgCost(counters[`${phase}:before`]!, counters[`${phase}:after`]!, ops) : null;
    await sleep(1000); // alerts still on the wire
    const stored = await storedSignals(database.url, world.examId);
    const alerts = alertDelivery(proctors, hall.final.signals, stored);
    log('verifying every acknowledged save against the database');
    const verification = await verifyAgainstDatabase(
      database.url,
      world.examId,
      world.questionIds,
      hall.final.students,
      hall.steady.ok + (hall.saturate?.ok ?? 0),
    );
    const timelines: Record<string, ReturnType<typeof timeline>> = {};
    for (const ph of [hall.steady, hall.saturate]) {
      if (!ph?.raw) continue;
      const name = ph.phase as 'steady' | 'saturate';
      timelines[name] = timeline(ph.startAt, ph.seconds, ph.raw, activity[name]?.series, probes[name]?.series);
    }
    for (const ph of [hall.steady, hall.saturate]) if (ph) delete ph.raw;
    for (const a of Object.values(activity)) a.series = [];
    for (const p of Object.values(probes)) p.series = [];
    const serverErrors = servers.flatMap((s) =>
      s
        .output()
        .split('\n')
        .filter((l) => /"level":(50|60)/.test(l)),
    );
    const rowsPerProctor = Math.round(proctors.reduce((s, p) => s + p.rows, 0) / proctors.length);
    proctors.forEach((p) => p.socket.close());
    await hall.workers.stop();
    await stopServer();
    const proctorWatchMs = proctors[0]!.watchMs;
    // Only the last run's database stays for the baselines.
    if (!keep) await database.drop();
    return {
      ...{ processes, database, world, hall, rssBare, seedSeconds, quietBusyPct, serverErrors, rowsPerProctor },
      ...{ proctorWatchMs, probes, activity, timelines, alerts, verification },
      pgCost: { steady: hallCost('steady', hall.steady.ok), saturate: hallCost('saturate', hall.saturate?.ok ?? 0) },
    };
  };
  type HallRun = Awaited<ReturnType<typeof hallRun>>;
  const runs: HallRun[] = [];
  for (const [i, n] of opts.processCounts.entries()) {
    runs.push(await hallRun(n, i === 0, i === opts.processCounts.length - 1));
  }
  // The first count's run is the one reported in full (the single-process report as before);
  // the baselines run on the last run's database.
  const primary = runs[0]!;
  const { database, world } = runs.at(-1)!;
  const { hall, rssBare, seedSeconds, quietBusyPct, serverErrors, rowsPerProctor } = primary;
  const { probes, activity, timelines, alerts, verification } = primary;

  // 3. Bare PostgreSQL: one-row upserts at the server's pool size.
  log(`baseline: bare PostgreSQL upserts, ${opts.poolMax} concurrent, ${opts.pgSeconds} s`);
  const noServer = classifier(
    database.name,
    () => [],
    () => [],
  );
  const pgMeter = new ProcessMeter(noServer, () => []);
  const pgBefore = await pgCounters(database.url);
  let pgBareCpu: MeterReading | undefined;
  const pgBare = await bareUpsertLoop(
    database.url,
    { concurrency: opts.poolMax, seconds: opts.pgSeconds, keys: opts.students * opts.questions },
    { start: () => pgMeter.start(), stop: () => (pgBareCpu = pgMeter.stop()) },
  );
  await sleep(1500);
  const pgBareCost = pgCost(pgBefore, await pgCounters(database.url), pgBare.ops);
  log(`baseline: ${pgBare.opsPerSecond} upserts/s, p99 ${pgBare.latencyMs.p99} ms`);

  // 4. Bare Socket.IO echo: same connections, same rate, same payloads.
  const echo = fork(fileURLToPath(new URL('./bench/echo-server.ts', import.meta.url)), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  cleanups.push({ what: 'echo server', run: async () => void (echo.exitCode === null && echo.kill('SIGKILL')) });
  const echoUrl = await new Promise<string>((resolve, reject) => {
    echo.once('message', (m: { url: string }) => resolve(m.url));
    echo.once('exit', (code) => reject(new Error(`echo server exited with ${code}`)));
  });
  const echoStudents = world.students.map((s) => ({ attemptId: s.attemptId, cookie: null, signaler: false }));
  const echoRun = await drive(
    database.name,
    'echo',
    echoUrl,
    [echo.pid!],
    echoStudents,
    world.questionIds,
    Math.min(opts.baselineSeconds, opts.seconds),
  );
  await echoRun.workers.stop();
  echo.kill('SIGKILL');
  for (const ph of [echoRun.steady, echoRun.saturate]) if (ph) delete ph.raw;

  // 5. The hall's save statement alone, same concurrency: the server's overhead is the difference.
  log(`baseline: the hall's save SQL called directly, ${opts.poolMax} concurrent, ${opts.pgSeconds} s`);
  const saveSqlBefore = await pgCounters(database.url);
  const saveSqlMeter = new ProcessMeter(noServer, () => []);
  let saveSqlCpu: MeterReading | undefined;
  const saveSql = await saveSqlLoop(
    database.url,
    {
      concurrency: opts.poolMax,
      seconds: opts.pgSeconds,
      attemptIds: world.students.map((s) => s.attemptId),
      questionIds: world.questionIds,
      firstSeq: 1_000_000_000,
    },
    { start: () => saveSqlMeter.start(), stop: () => (saveSqlCpu = saveSqlMeter.stop()) },
  );
  await sleep(1500);
  const saveSqlCost = pgCost(saveSqlBefore, await pgCounters(database.url), saveSql.ops);
  log(`baseline: ${saveSql.opsPerSecond} save statements/s, p99 ${saveSql.latencyMs.p99} ms`);

  const perConnKiB = (after: number, before: number, n: number) =>
    n ? Math.round(((after - before) * 1024) / n) : null;
  const ratio = (x: number | null | undefined, y: number | null | undefined) =>
    x != null && y ? Math.round((x / y) * 100) / 100 : null;
  // CPU milliseconds per operation, per group: less sensitive to other work than rates are.
  const perOp = (c: MeterReading | undefined, ops: number, groups: string[]) =>
    Object.fromEntries(
      groups.map((g) => [
        g,
        c && ops ? Math.round((((c.cpuPct[g] ?? 0) / 100) * c.seconds * 1000 * 100) / ops) / 100 : null,
      ]),
    );
  const phaseOps = (ph: { perSecond: number; seconds: number } | null) => (ph ? ph.perSecond * ph.seconds : 0);
  const cpuMsPerOp = {
    hallSteady: perOp(hall.steady.cpu, phaseOps(hall.steady), ['server', 'postgres', 'generator']),
    hallClosedLoop: perOp(hall.saturate?.cpu, phaseOps(hall.saturate), ['server', 'postgres', 'generator']),
    echoSteady: perOp(echoRun.steady.cpu, phaseOps(echoRun.steady), ['server', 'generator']),
    echoClosedLoop: perOp(echoRun.saturate?.cpu, phaseOps(echoRun.saturate), ['server', 'generator']),
    pgUpsert: perOp(pgBareCpu, pgBare.ops, ['postgres', 'bench']),
    saveSql: perOp(saveSqlCpu, saveSql.ops, ['postgres', 'bench']),
  };
  const result = {
    when: new Date().toISOString(),
    command: `node scripts/bench-hall.ts ${process.argv.slice(2).join(' ')}`.trim(),
    machine,
    revision,
    options: opts,
    targets: TARGET,
    seedSeconds,
    /** Machine busy % (other work) measured just before the run started. */
    quietBusyPct,
    hall: {
      connect: hall.connect,
      connectionsHeld: hall.final.connectedNow,
      disconnects: hall.final.disconnects,
      steady: hall.steady,
      saturate: hall.saturate,
      memory: {
        rssIdleMiB: Math.round(rssBare),
        rssAfterRampMiB: Math.round(hall.rssAfterRamp),
        rssPeakMiB: Math.max(hall.steady.cpu.peakRssMiB, hall.saturate?.cpu.peakRssMiB ?? 0),
        perConnectionKiB: perConnKiB(hall.rssAfterRamp, rssBare, hall.connect.connected),
      },
      alerts,
      hallRowsPerProctor: rowsPerProctor,
      proctorRosterMs: Math.round(primary.proctorWatchMs),
      eventLoopProbeMs: probes,
      pgActivity: activity,
      timeline: timelines,
      worstSeconds: timelines.steady ? worstSeconds(timelines.steady) : [],
      pgCost: primary.pgCost,
      verification,
      serverErrorLines: serverErrors.length,
      serverErrorSample: serverErrors.slice(0, 5),
    },
    baselines: {
      echo: {
        connect: echoRun.connect,
        connectionsHeld: echoRun.final.connectedNow,
        steady: echoRun.steady,
        saturate: echoRun.saturate,
        memory: {
          rssIdleMiB: Math.round(echoRun.rssIdle),
          rssAfterRampMiB: Math.round(echoRun.rssAfterRamp),
          perConnectionKiB: perConnKiB(echoRun.rssAfterRamp, echoRun.rssIdle, echoRun.connect.connected),
        },
      },
      pgUpsert: { ...pgBare, cpu: pgBareCpu, pgCost: pgBareCost },
      saveSql: { ...saveSql, cpu: saveSqlCpu, pgCost: saveSqlCost },
    },
    cpuMsPerOp,
    /** --compare-processes: the hall phases once per process count, in the order given; null for one run. */
    byProcesses:
      runs.length > 1
        ? runs.map((r): ProcessRun => ({
            processes: r.processes,
            connect: r.hall.connect,
            steady: r.hall.steady,
            saturate: r.hall.saturate,
            alerts: r.alerts,
            verification: r.verification,
            peakRssMiB: Math.max(r.hall.steady.cpu.peakRssMiB, r.hall.saturate?.cpu.peakRssMiB ?? 0),
          }))
        : null,
    ratios: {
      saveP50VsEchoP50: ratio(hall.steady.latencyMs.p50, echoRun.steady.latencyMs.p50),
      saveP99VsEchoP99: ratio(hall.steady.latencyMs.p99, echoRun.steady.latencyMs.p99),
      steadySavesVsBareUpserts: ratio(hall.steady.perSecond, pgBare.opsPerSecond),
      maxSavesVsBareUpserts: ratio(hall.saturate?.perSecond, pgBare.opsPerSecond),
      maxSavesVsSaveSql: ratio(hall.saturate?.perSecond, saveSql.opsPerSecond),
      maxSavesVsEchoMax: ratio(hall.saturate?.perSecond, echoRun.saturate?.perSecond),
      serverCpuVsEchoCpu: ratio(hall.steady.cpu.cpuPct.server, echoRun.steady.cpu.cpuPct.server),
      memoryPerConnectionVsEcho: ratio(
        perConnKiB(hall.rssAfterRamp, rssBare, hall.connect.connected),
        perConnKiB(echoRun.rssAfterRamp, echoRun.rssIdle, echoRun.connect.connected),
      ),
    },
    // null: not tested by this run (fewer students than the target).
    pass: {
      connections: opts.students < TARGET.students ? null : hall.final.connectedNow >= TARGET.students,
      // The open-loop schedule is random (±10 % per interval), so allow 2 % under the nominal rate.
      savesPerSecond:
        hall.steady.offeredPerSecond < TARGET.savesPerSecond * 0.98
          ? null
          : hall.steady.perSecond >= TARGET.savesPerSecond * 0.98,
      p99: hall.steady.latencyMs.p99 < TARGET.p99Ms,
      zeroLost: verification.lost === 0 && verification.duplicated === 0 && verification.lastSeqBehind === 0,
    },
  };
  return result;
}
export type BenchResult = Awaited<ReturnType<typeof main>>;

try {
  const result = await main();
  printReport(result);
  if (result.byProcesses) {
    console.log(
      `Server processes on this machine (${result.machine.cpus} cores), hall phases once per count, ` +
        'each on a fresh seed; the table above is the first count (proctors on process 1; time:sync probes process 1):\n' +
        formatComparison(result.byProcesses) +
        '\n',
    );
  }
  mkdirSync(`${root}.data`, { recursive: true });
  writeFileSync(`${root}.data/bench-hall.json`, JSON.stringify(result, null, 2) + '\n');
  log(`wrote ${root}.data/bench-hall.json`);
} catch (e) {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exitCode = 1;
} finally {
  await cleanup();
  log('cleaned up');
}
process.exit();
