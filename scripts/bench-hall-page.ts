// Benchmark: the proctor's hall page in Chromium with a large exam.
//
//   node scripts/bench-hall-page.ts [--students 10000] [--baseline-students 100]
//        [--updates-per-second 1000] [--seconds 10] [--stream progress|rows] [--web-build web/build]
//
// Needs PostgreSQL and Redis (`eval "$(node scripts/bootstrap.mjs services)"`) and a current
// web build (`npm run build -w web`; this script does not build, the build output is shared;
// --web-build points the server at another build, e.g. one of an older commit, to compare).
// For each size, baseline first (a small exam: the figures read as ratios), it seeds a
// throwaway database (scripts/bench/seed.ts: every student with a running attempt), starts
// the real server serving the built web (SERVE_WEB=true) as its own process, signs the
// exam's teacher in, opens /hall/<exam> and prints:
// - load: first contentful paint, the first table row drawn, the snapshot applied (the
//   summary reads "N of N shown"), long tasks until then (PerformanceObserver);
// - after load: JS heap used and DOM nodes (CDP Performance.getMetrics), table rows drawn;
// - while roster updates stream in for --seconds at --updates-per-second (hall:rows batches of
//   real rows with a changed answered count, every 100 ms, sent to the proctors' room through
//   the Redis adapter as the server itself sends them; --stream progress (the default) sends
//   the answered counts alone as 'hall:progress', as saves do; --stream rows sends whole rows
//   as 'hall:rows', as joins and leaves do, and as saves did before hall:progress existed,
//   which is what a build older than hall:progress understands): main-thread busy % (CDP TaskDuration),
//   long tasks, frames per second (requestAnimationFrame) and the input delay of keys typed in
//   the filter box every 250 ms ('a', then Backspace: every row still matches).
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Emitter } from '@socket.io/redis-emitter';
import { Redis } from 'ioredis';
import type { CDPSession, Page } from 'playwright-core';
import { rooms, type HallProgressItem, type HallRow, type HallSnapshot } from '../protocol/src/index.ts';
import { createDb } from '../server/src/db/client.ts';
import { socketChannel } from '../server/src/socket/hub.ts';
import { launchBrowser } from '../web/test/browser/chromium.ts';
import { call, openSocket } from './bench/proctors.ts';
import { createBenchDatabase, seedHall } from './bench/seed.ts';
import { DEFAULT_MAIN, startServer } from './bench/server-process.ts';
import { latency, machineCpu, sleep } from './bench/stats.ts';

const { values } = parseArgs({
  options: {
    students: { type: 'string' },
    'baseline-students': { type: 'string' },
    'updates-per-second': { type: 'string' },
    seconds: { type: 'string' },
    'web-build': { type: 'string' },
    stream: { type: 'string' },
  },
});
const students = Number(values.students ?? 10_000);
const baselineStudents = Number(values['baseline-students'] ?? 100);
const updatesPerSecond = Number(values['updates-per-second'] ?? 1000);
const seconds = Number(values.seconds ?? 10);
const stream = values.stream === 'rows' ? 'rows' : 'progress';
const webBuild = values['web-build'] ? new URL(values['web-build'], `file://${process.cwd()}/`).pathname : undefined;
const databaseBase = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
if (!databaseBase || !redisUrl) {
  console.error('DATABASE_URL and REDIS_URL are not set: eval "$(node scripts/bootstrap.mjs services)" first.');
  process.exit(2);
}

const cleanups: (() => Promise<unknown>)[] = [];
async function cleanup() {
  for (const c of cleanups.splice(0).reverse()) await c().catch((e: Error) => console.error(`cleanup: ${e.message}`));
}
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void cleanup().finally(() => process.exit(130)));

/** Installed before the page's own scripts: paint, LCP, long tasks, frames, key delays, milestones. */
const observers = (want: number) => `(() => {
  const b = (window.bench = { paints: {}, lcp: 0, long: [], frames: 0, keys: [], firstRow: 0, applied: 0 });
  new PerformanceObserver((l) => l.getEntries().forEach((e) => (b.paints[e.name] = e.startTime))).observe({ type: 'paint', buffered: true });
  new PerformanceObserver((l) => l.getEntries().forEach((e) => (b.lcp = e.startTime))).observe({ type: 'largest-contentful-paint', buffered: true });
  new PerformanceObserver((l) => l.getEntries().forEach((e) => b.long.push([e.startTime, e.duration]))).observe({ type: 'longtask', buffered: true });
  addEventListener('keydown', (e) => b.keys.push(performance.now() - e.timeStamp), true);
  const frame = () => {
    b.frames++;
    if (!b.firstRow && document.querySelector('.hall-table tbody tr th')) b.firstRow = performance.now();
    if (!b.applied && (document.querySelector('.summary strong')?.textContent ?? '').includes('of ${want} shown')) b.applied = performance.now();
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})()`;

interface Bench {
  paints: Record<string, number>;
  lcp: number;
  long: [number, number][];
  frames: number;
  keys: number[];
  firstRow: number;
  applied: number;
}

async function metrics(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics: m } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(m.map((x) => [x.name, x.value]));
}

const bench = (page: Page) => page.evaluate<Bench>('window.bench');
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const ms = (x: number) => `${Math.round(x)} ms`;

async function measure(size: number) {
  const database = await createBenchDatabase(databaseBase!, 'eh_bench_page');
  cleanups.push(database.drop);
  const seedDb = createDb(database.url, 4);
  const world = await seedHall(seedDb.db, { students: size, proctors: 1, questions: 10 }).finally(() =>
    seedDb.pool.end(),
  );
  const redisPrefix = `ehp_${randomBytes(4).toString('hex')}`;
  const server = await startServer(DEFAULT_MAIN, {
    NODE_ENV: 'production',
    APP_SECRET: randomBytes(32).toString('hex'),
    EXAM_HALL_ROLE: 'all',
    LOG_LEVEL: 'warn',
    SERVE_WEB: 'true',
    ...(webBuild ? { WEB_BUILD_DIR: webBuild } : {}),
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl!,
    REDIS_PREFIX: redisPrefix,
  });
  cleanups.push(server.stop);
  const account = world.proctors[0]!;

  // The rows the updates are made of: the server's own snapshot, from a socket of the same teacher.
  const signIn = await fetch(`${server.url}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(account),
  });
  const cookie = signIn.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .join('; ');
  const watcher = await openSocket(server.url, cookie);
  cleanups.push(async () => watcher.close());
  const snapshot = await call<HallSnapshot>(watcher, 'hall:watch', { examId: world.examId });
  let delivered = 0;
  watcher.on(`hall:${stream}`, (items: unknown[]) => void (delivered += items.length));

  const browser = await launchBrowser(['--enable-precise-memory-info']);
  cleanups.push(() => browser.close());
  const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1400, height: 1000 } });
  const res = await context.request.post('/api/auth/sign-in', { data: account });
  if (res.status() !== 200) throw new Error(`sign-in: HTTP ${res.status()}`);
  await context.addInitScript(observers(size));
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const navStart = performance.now();
  await page.goto(`/hall/${world.examId}`);
  // Polled from here: waitForFunction evaluates a string, which the page's CSP forbids.
  while (!(await page.evaluate<number>('window.bench.applied'))) {
    if (performance.now() - navStart > 120_000) throw new Error('the hall did not show every row within 120 s');
    await sleep(100);
  }
  const loadWall = performance.now() - navStart;
  await sleep(1000); // let the last frames settle before reading memory
  await cdp.send('HeapProfiler.collectGarbage');
  const afterLoad = await metrics(cdp);
  const loaded = await bench(page);
  const drawnRows = await page.locator('.hall-table tbody tr th').count();
  const domNodes = await page.evaluate<number>("document.getElementsByTagName('*').length");
  const loadLong = loaded.long.filter(([start]) => start <= loaded.applied);
  // Printed now as well: a page too slow for the update phase still leaves its load figures.
  console.log(
    `${size} students loaded: first row ${ms(loaded.firstRow)}, all applied ${ms(loaded.applied)}, ` +
      `${drawnRows} rows drawn, ${domNodes} elements, heap ${((afterLoad.JSHeapUsedSize ?? 0) / 2 ** 20).toFixed(1)} MiB`,
  );

  // Updates: batches every 100 ms, as the server's per-exam coalescing sends them.
  const redis = new Redis(redisUrl!, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  cleanups.push(async () => redis.disconnect());
  const emitter = new Emitter(redis, { key: socketChannel(redisPrefix) });
  const rows: HallRow[] = snapshot.rows;
  const perBatch = Math.max(1, Math.round(updatesPerSecond / 10));
  let next = 0;
  let sent = 0;
  const search = page.getByLabel('Search');
  await search.focus();
  await page.evaluate('(() => { window.bench.long = []; window.bench.frames = 0; window.bench.keys = []; })()');
  const before = await metrics(cdp);
  const cpuBefore = machineCpu();
  const t0 = performance.now();
  const endAt = t0 + seconds * 1000;
  const ticker = setInterval(() => {
    const batch: HallRow[] = [];
    for (let k = 0; k < perBatch && rows.length; k++) {
      const i = next++ % rows.length;
      const r = rows[i]!;
      rows[i] = { ...r, answered: (r.answered + 1) % (r.questionCount + 1) };
      batch.push(rows[i]!);
    }
    sent += batch.length;
    const to = emitter.to(rooms.examProctors(world.examId));
    if (stream === 'rows') to.emit('hall:rows', batch);
    else {
      const items: HallProgressItem[] = batch.map((r) => ({
        participantId: r.participantId,
        attemptId: r.attemptId!,
        answered: r.answered,
      }));
      to.emit('hall:progress', items);
    }
  }, 100);
  let typed = 0;
  while (performance.now() < endAt) {
    await page.keyboard.press(typed++ % 2 === 0 ? 'a' : 'Backspace');
    await sleep(250);
  }
  clearInterval(ticker);
  const wall = (performance.now() - t0) / 1000;
  const after = await metrics(cdp);
  const cpuAfter = machineCpu();
  const during = await bench(page);
  await sleep(500);
  const machineBusy = (100 * (cpuAfter.busy - cpuBefore.busy)) / Math.max(1, cpuAfter.total - cpuBefore.total);

  await context.close();
  await cleanup();
  const keys = latency(during.keys);
  return {
    size,
    fcp: loaded.paints['first-contentful-paint'] ?? 0,
    firstRow: loaded.firstRow,
    applied: loaded.applied,
    loadWall,
    loadLongCount: loadLong.length,
    loadLongMs: sum(loadLong.map(([, d]) => d)),
    heapMiB: (afterLoad.JSHeapUsedSize ?? 0) / 2 ** 20,
    domNodes,
    cdpNodes: afterLoad.Nodes ?? 0,
    drawnRows,
    updatesSent: sent,
    updatesPerSecond: sent / wall,
    delivered,
    busyPct: (100 * ((after.TaskDuration ?? 0) - (before.TaskDuration ?? 0))) / wall,
    scriptPct: (100 * ((after.ScriptDuration ?? 0) - (before.ScriptDuration ?? 0))) / wall,
    layoutPct: (100 * ((after.LayoutDuration ?? 0) - (before.LayoutDuration ?? 0))) / wall,
    longCount: during.long.length,
    longMs: sum(during.long.map(([, d]) => d)),
    fps: during.frames / wall,
    keys,
    machineBusy,
  };
}

try {
  const started = machineCpu();
  await sleep(1000);
  const idle = machineCpu();
  console.log(`updates: ${stream === 'rows' ? 'hall:rows (whole rows)' : 'hall:progress (answered counts)'}`);
  console.log(
    `machine busy before the run: ${Math.round((100 * (idle.busy - started.busy)) / Math.max(1, idle.total - started.total))} %`,
  );
  const base = await measure(baselineStudents);
  const big = await measure(students);
  const line = (label: string, f: (r: typeof base) => string, ratio?: (r: typeof base) => number) => {
    // No ratio against a baseline of zero (no long tasks at all).
    const x = ratio && ratio(base) > 0 ? ratio(big) / ratio(base) : null;
    console.log(
      `${label.padEnd(42)} ${f(base).padStart(16)} ${f(big).padStart(16)}${x === null ? '' : `   x${x.toFixed(1)}`}`,
    );
  };
  console.log(
    `\n${'hall page'.padEnd(42)} ${`${base.size} students`.padStart(16)} ${`${big.size} students`.padStart(16)}`,
  );
  line(
    'first contentful paint',
    (r) => ms(r.fcp),
    (r) => r.fcp,
  );
  line(
    'first table row drawn',
    (r) => ms(r.firstRow),
    (r) => r.firstRow,
  );
  line(
    'snapshot applied (summary shows all)',
    (r) => ms(r.applied),
    (r) => r.applied,
  );
  line(
    'long tasks until then (count / total)',
    (r) => `${r.loadLongCount} / ${ms(r.loadLongMs)}`,
    (r) => r.loadLongMs,
  );
  line(
    'JS heap used after load (after GC)',
    (r) => `${r.heapMiB.toFixed(1)} MiB`,
    (r) => r.heapMiB,
  );
  line(
    'DOM elements / table rows drawn',
    (r) => `${r.domNodes} / ${r.drawnRows}`,
    (r) => r.domNodes,
  );
  line('row updates sent / delivered to a socket', (r) => `${r.updatesSent} / ${r.delivered}`);
  line('row updates per second', (r) => r.updatesPerSecond.toFixed(0));
  line(
    'main thread busy (CDP TaskDuration)',
    (r) => `${r.busyPct.toFixed(1)} %`,
    (r) => r.busyPct,
  );
  line('  of which script / layout', (r) => `${r.scriptPct.toFixed(1)} / ${r.layoutPct.toFixed(1)} %`);
  line(
    'long tasks (count / total)',
    (r) => `${r.longCount} / ${ms(r.longMs)}`,
    (r) => r.longMs,
  );
  line(
    'frames per second (rAF)',
    (r) => r.fps.toFixed(1),
    (r) => r.fps,
  );
  line(
    'filter-box key delay p50 / p99 / max',
    (r) => `${r.keys.p50.toFixed(1)} / ${r.keys.p99.toFixed(1)} / ${r.keys.max.toFixed(1)}`,
  );
  line('machine busy during updates', (r) => `${r.machineBusy.toFixed(0)} %`);
} finally {
  await cleanup();
}
process.exit(0);
