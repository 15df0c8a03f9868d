// What every benchmark script here does around its measurements: refuse to run without
// (or against non-loopback) services, check the open-file limit, clean up what it made
// also on Ctrl-C or a crash, remove its Redis keys, say which process is whose, and wait
// for a quiet moment on a shared machine. Used by bench-start-storm.ts and bench-hall.ts.
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { machineCpu, sleep, type Classify } from './stats.ts';

export function makeLog(name: string) {
  const startedAt = Date.now();
  return (m: string) =>
    process.stderr.write(`[${name} ${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)}s] ${m}\n`);
}

/** DATABASE_URL and REDIS_URL, both on loopback; exits with a hint otherwise. */
export function requireLocalServices(): { databaseBase: string; redisUrl: string } {
  const databaseBase = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!databaseBase || !redisUrl) {
    console.error(
      'DATABASE_URL and REDIS_URL are not set. Start (or find) the project-local services first:\n' +
        '  eval "$(node scripts/bootstrap.mjs services 2>/dev/null)"',
    );
    process.exit(1);
  }
  for (const u of [databaseBase, redisUrl]) {
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(u).hostname)) {
      console.error(`Refusing to run against a non-loopback service: ${new URL(u).host}`);
      process.exit(1);
    }
  }
  return { databaseBase, redisUrl };
}

/** `ulimit -n` of this shell; exits with advice when it is below `needed`. */
export function requireFdLimit(needed: number, what: string, script: string): number {
  const fdLimit = Number(spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim()) || 0;
  if (fdLimit && fdLimit < needed) {
    console.error(
      `The open-file limit (ulimit -n) is ${fdLimit}; ${what} need about ${needed}.\n` +
        `Raise it in the same shell first:  ulimit -n 20000 && node ${script} ...`,
    );
    process.exit(1);
  }
  return fdLimit;
}

/** Cleanups run once, last registered first, on normal end, Ctrl-C, SIGTERM, a crash or `limitMs`. */
export function createCleanups(log: (m: string) => void, limitMs: number) {
  const list: { what: string; run: () => Promise<unknown> }[] = [];
  let cleaning: Promise<void> | undefined;
  const run = () =>
    (cleaning ??= (async () => {
      for (const c of [...list].reverse()) {
        await c.run().catch((e: Error) => console.error(`cleanup (${c.what}) failed: ${e.message}`));
      }
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: cleaning up`);
      void run().finally(() => process.exit(130));
    });
  }
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    process.on(event, (e) => {
      log(`${event}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      void run().finally(() => process.exit(1));
    });
  }
  setTimeout(() => {
    log(`overall time limit (${Math.round(limitMs / 60_000)} min) reached: cleaning up`);
    void run().finally(() => process.exit(2));
  }, limitMs).unref();
  return { add: (what: string, fn: () => Promise<unknown>) => void list.push({ what, run: fn }), run };
}

/** Deletes every key under `prefix:`; the number removed. */
export async function cleanRedis(redisUrl: string, prefix: string) {
  const r = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  await r.connect();
  let cursor = '0';
  let removed = 0;
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) removed += await r.del(...keys);
  } while (cursor !== '0');
  r.disconnect();
  return removed;
}

/**
 * Which process is whose: the server processes under test (or a baseline server), the load
 * generator, this script, PostgreSQL working for the benchmark's database (and its
 * background writers), other databases' backends, Redis, and everything else.
 */
export function classifier(dbName: string, serverPids: () => number[], generatorPids: () => number[]): Classify {
  return (p) => {
    if (serverPids().includes(p.pid)) return 'server';
    if (generatorPids().includes(p.pid)) return 'generator';
    if (p.pid === process.pid) return 'bench';
    if (p.comm === 'postgres') {
      const backend = /^postgres: \S+ (\S+) /.exec(p.cmd);
      return !backend || backend[1] === dbName ? 'postgres' : 'postgres-other';
    }
    if (p.comm === 'redis-server') return 'redis';
    return 'other';
  };
}

/** On a shared machine, waits (bounded) for a quiet moment; the machine's busy % at the end. */
export async function waitForQuiet(maxSeconds: number, log: (m: string) => void) {
  const until = Date.now() + maxSeconds * 1000;
  for (;;) {
    const a = machineCpu();
    await sleep(3000);
    const b = machineCpu();
    const busyPct = Math.round(((b.busy - a.busy) / (b.total - a.total)) * 100);
    if (busyPct <= 25 || Date.now() >= until) return busyPct;
    log(`machine is ${busyPct} % busy with other work; waiting for it to quieten (up to ${maxSeconds} s in all)`);
    await sleep(5000);
  }
}
