// Benchmark: what the on-device camera detector costs the student's page.
//
//   node scripts/bench-camera.ts [--seconds 20] [--keys-per-second 10]
//
// Needs PostgreSQL and Redis (`eval "$(node scripts/bootstrap.mjs services)"`) and a current
// web build (`npm run build -w web`; this script does not build, the build output is shared).
// Starts the system in this process against a throwaway database, opens the public
// /camera-check page in Chromium with the fake camera showing one face, adds a text field to
// the page and types into it at --keys-per-second for --seconds twice: first with the camera
// off (the bare baseline), then with the detector checking 2 times a second. Prints:
// - worker time per check (p50/p95) and main-thread time per check (p50/p95), from the
//   page's 'camera-check' performance marks (Detection.workerMs / mainMs);
// - long tasks (PerformanceObserver 'longtask'): count and total per phase;
// - input delay per key (processingStart - startTime): from the Event Timing API
//   (type 'event', durationThreshold 16: only events that took 16 ms or more are reported)
//   and, for every key, from the keydown handler (performance.now() - event.timeStamp).
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { loadConfig } from '../server/src/config/config.ts';
import { createLogger } from '../server/src/lib/logger.ts';
import { createSystem } from '../server/src/system.ts';
import { launchWithCamera } from '../web/test/browser/fake-camera.ts';
import { latency, machineCpu, sleep } from './bench/stats.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string' }, 'keys-per-second': { type: 'string' } } });
const seconds = Number(values.seconds ?? 20);
const keysPerSecond = Number(values['keys-per-second'] ?? 10);

const base = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
const dbName = `eh_bench_camera_${randomBytes(4).toString('hex')}`;
const urlFor = (database: string) => {
  const u = new URL(base.database.url);
  u.pathname = `/${database}`;
  return u.toString();
};
async function admin(statement: string) {
  const c = new pg.Client({ connectionString: urlFor('postgres') });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
}

type PhaseFigures = {
  eventDelays: number[];
  keyDelays: number[];
  longTasks: number[];
  checks: { workerMs: number; mainMs: number }[];
};

/** Types for `seconds` and reads what the observers saw meanwhile. */
async function phase(page: Page): Promise<PhaseFigures> {
  // The observers are installed once (installObservers); each phase starts from empty lists.
  await page.evaluate(`(() => {
    window.bench = { events: [], keys: [], long: [], since: performance.now() };
  })()`);
  const field = page.locator('#bench-field');
  await field.focus();
  const until = Date.now() + seconds * 1000;
  let n = 0;
  while (Date.now() < until) {
    await page.keyboard.press(n % 27 === 26 ? 'Space' : String.fromCharCode(97 + (n % 26)));
    n++;
    const next = until - seconds * 1000 + (n * 1000) / keysPerSecond;
    await sleep(Math.max(0, next - Date.now()));
  }
  // Let the last events and observers deliver.
  await sleep(300);
  return page.evaluate<PhaseFigures>(`(() => {
    const b = window.bench;
    const checks = performance
      .getEntriesByName('camera-check')
      .filter((m) => m.startTime >= b.since)
      .map((m) => m.detail);
    return { eventDelays: b.events, keyDelays: b.keys, longTasks: b.long, checks };
  })()`);
}

/** Event Timing, long tasks and every keydown's delay, into window.bench (runs in the page: a string, this project has no DOM types). */
async function installObservers(page: Page) {
  await page.evaluate(`(() => {
    const w = window;
    w.bench = { events: [], keys: [], long: [], since: performance.now() };
    new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        if (e.name === 'keydown' || e.name === 'keypress' || e.name === 'input')
          w.bench.events.push(e.processingStart - e.startTime);
    }).observe({ type: 'event', durationThreshold: 16 });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.bench.long.push(e.duration);
    }).observe({ type: 'longtask' });
    document.getElementById('bench-field').addEventListener('keydown', (e) => {
      w.bench.keys.push(performance.now() - e.timeStamp);
    });
  })()`);
}

const fmt = (l: ReturnType<typeof latency>) => `p50 ${l.p50} ms, p95 ${l.p95} ms, max ${l.max} ms (n=${l.count})`;

await admin(`create database ${dbName}`);
const log = createLogger('silent');
const browser = await launchWithCamera('one');
let system: Awaited<ReturnType<typeof createSystem>> | undefined;
try {
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: urlFor(dbName),
    REDIS_PREFIX: `bc${randomBytes(4).toString('hex')}`,
    PORT: '0',
    HOST: '127.0.0.1',
    SERVE_WEB: 'true',
    LOG_LEVEL: 'silent',
  });
  system = await createSystem(config, { log });
  const url = await system.listen(0, '127.0.0.1');
  const page = await browser.newPage({ baseURL: url });
  page.setDefaultTimeout(60_000);
  const res = await page.goto('/camera-check');
  if (!res?.ok()) throw new Error(`/camera-check answered ${res?.status()}: build the web app first`);
  await page.getByRole('button', { name: 'Start the camera check' }).waitFor();
  await page.evaluate(`(() => {
    const t = document.createElement('textarea');
    t.id = 'bench-field';
    t.setAttribute('aria-label', 'Bench typing');
    document.querySelector('main').prepend(t);
  })()`);

  await installObservers(page);
  const cpu0 = machineCpu();
  const off = await phase(page);
  const t0 = Date.now();
  await page.getByRole('button', { name: 'Start the camera check' }).click();
  await page.getByRole('heading', { name: 'What the detector sees' }).waitFor();
  const loadMs = Date.now() - t0;
  // Steady state: a few checks before measuring.
  await page.waitForFunction(() => performance.getEntriesByName('camera-check').length >= 4);
  const on = await phase(page);
  const cpu1 = machineCpu();

  const busy = (cpu1.busy - cpu0.busy) / Math.max(1, cpu1.total - cpu0.total);
  const perS = (n: number) => Math.round((n / seconds) * 10) / 10;
  const sum = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0));
  console.log(
    `Camera detector cost, Chromium headless, fake camera 'one', ${seconds} s per phase, ${keysPerSecond} keys/s`,
  );
  console.log(`machine CPU busy during the run: ${Math.round(busy * 100)} % (other work competes on a shared machine)`);
  console.log(`detector start (camera open + models loaded): ${loadMs} ms`);
  console.log(`checks: ${on.checks.length} in ${seconds} s (${perS(on.checks.length)}/s)`);
  console.log(`  worker time per check:      ${fmt(latency(on.checks.map((c) => c.workerMs)))}`);
  console.log(`  main-thread time per check: ${fmt(latency(on.checks.map((c) => c.mainMs)))}`);
  for (const [name, f] of [
    ['camera off (baseline)', off],
    ['camera on', on],
  ] as const) {
    console.log(`${name}:`);
    console.log(`  input delay, every key (keydown):       ${fmt(latency(f.keyDelays))}`);
    console.log(
      `  input delay, Event Timing (>= 16 ms):   ${f.eventDelays.length ? fmt(latency(f.eventDelays)) : 'no event took 16 ms or more'}`,
    );
    console.log(`  long tasks: ${f.longTasks.length} (${perS(f.longTasks.length)}/s), ${sum(f.longTasks)} ms in all`);
  }
} finally {
  await browser.close();
  await system?.close();
  await admin(`drop database if exists ${dbName} with (force)`);
}
