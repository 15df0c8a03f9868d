// Benchmark: public certificate verification (GET /api/verify/:publicId) under load.
//
//   node scripts/bench-verify.ts [--clients 50] [--seconds 10] [--certs 20] [--no-uncached]
//                                [--server-main <another checkout's server/src/main.ts>]
//                                [--server-node-options="--cpu-prof --cpu-prof-dir=/tmp/prof"]
//
// Needs PostgreSQL, Redis and a Hardhat node (`eval "$(node scripts/bootstrap.mjs services)"`).
// Creates a throwaway database and a fresh contract, issues --certs certificates through
// the real path (grade, evaluate, mintPending), then drives each server below with the
// same closed-loop client: --clients connections, each with one request in flight, for
// --seconds after a 2 s warm-up, every client on its own loopback address (127.1.x.y; Linux
// routes all of 127/8 to lo). The server sees each address as a different visitor, and the
// per-IP rate limit (VERIFY_MAX_PER_IP_PER_MINUTE, default 300) stays on: a client moves to
// a fresh address after --per-address requests (default 250), so the run measures the
// handler (limiter included), not 429s.
//   1. bare:     a bare Express handler answering a fixed verdict (scripts/bench/bare-express.ts);
//   2. server:   the real server (`node server/src/main.ts`, EXAM_HALL_ROLE=api, production);
//   3. uncached: the same with VERIFY_CHAIN_POLL_MS=0 (every lookup reads the chain);
//   4. other:    --server-main, e.g. an older checkout, for before/after figures.
// Each also gets one client making 200 requests one after another (single-request latency).
// Prints requests/s, p50/p95/p99/max, errors, and the server's CPU per request; then checks
// that every answered lookup of the real server was written to verification_requests.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { JsonRpcProvider, Network, Wallet, parseEther, toBeHex } from 'ethers';
import { deployCertificateContract } from '@exam-hall/contracts/certificate-contract.ts';
import { LOCAL_CHAIN_ID, loadConfig } from '../server/src/config/config.ts';
import { createDb, type Db } from '../server/src/db/client.ts';
import { runMigrations } from '../server/src/db/migrate.ts';
import { exams, questions, users } from '../server/src/db/schema/index.ts';
import { createLogger } from '../server/src/lib/logger.ts';
import { createChain } from '../server/src/modules/certificates/certificates.chain.ts';
import { evaluateAttempt } from '../server/src/modules/certificates/certificates.evaluate.ts';
import { mintPending } from '../server/src/modules/certificates/certificates.minter.ts';
import { gradeAttempt } from '../server/src/modules/grading/grading.service.ts';
import { DEFAULT_MAIN, startServer } from './bench/server-process.ts';
import { cpuSeconds, latency, machineCpu, type Latency } from './bench/stats.ts';

const { values } = parseArgs({
  options: {
    clients: { type: 'string' },
    seconds: { type: 'string' },
    certs: { type: 'string' },
    'per-address': { type: 'string' },
    'no-uncached': { type: 'boolean' },
    'server-main': { type: 'string' },
    'server-node-options': { type: 'string' },
  },
});
const CLIENTS = Number(values.clients ?? 50);
const SECONDS = Number(values.seconds ?? 10);
const CERTS = Number(values.certs ?? 20);
const PER_ADDRESS = Number(values['per-address'] ?? 250);
const base = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
const dbName = `eh_bench_verify_${randomBytes(4).toString('hex')}`;
const redisPrefix = `benchv${randomBytes(3).toString('hex')}`;
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
const log = createLogger('silent');
const say = (s: string) => console.log(s);

/** `n` passed attempts of one exam, graded, evaluated and minted: their certificates' public ids. */
async function issueCertificates(db: Db, chainEnv: Record<string, string>, n: number): Promise<string[]> {
  const [teacher] = await db
    .insert(users)
    .values({ email: `t-${randomBytes(3).toString('hex')}@bench.example`, name: 'Bench Teacher', role: 'teacher' })
    .returning();
  const [exam] = await db
    .insert(exams)
    .values({
      createdBy: teacher!.id,
      title: 'Bench exam',
      durationMinutes: 60,
      availableAnytime: true,
      status: 'published',
      publishedAt: new Date(),
      issueCertificates: true,
    })
    .returning();
  await db.insert(questions).values(
    Array.from({ length: 4 }, (_, i) => ({
      examId: exam!.id,
      type: 'true_false' as const,
      prompt: `Q${i + 1}`,
      content: {},
      answerKey: { correct: true },
      points: 1,
      position: i,
    })),
  );
  await db.execute(sql`
    with u as (
      insert into users (email, name, role, status)
      select 'v' || ${randomBytes(3).toString('hex')} || '-' || g || '@bench.example', 'Bench Student ' || g, 'student', 'invited'
      from generate_series(1, ${n}) g returning id, email),
    p as (
      insert into exam_participants (exam_id, user_id, email, access_code_hash, access_code_hint, code_status, code_used_at)
      select ${exam!.id}, u.id, u.email, md5(u.email || random()), 'BNCH', 'used', now() from u returning id, user_id)
    insert into attempts (exam_id, user_id, participant_id, status, started_at, submitted_at, deadline_at, question_order)
    select ${exam!.id}, p.user_id, p.id, 'submitted', now() - interval '30 minutes', now(), now(),
      (select jsonb_agg(id order by position) from questions where exam_id = ${exam!.id})
    from p`);
  await db.execute(sql`
    insert into answers (attempt_id, question_id, response, seq)
    select a.id, q.id, jsonb_build_object('value', true), q.position + 1
    from attempts a cross join questions q where a.exam_id = ${exam!.id} and q.exam_id = ${exam!.id}`);
  const ids = (await db.execute(sql`select id from attempts where exam_id = ${exam!.id}`)).rows as { id: string }[];
  for (const { id } of ids) {
    await gradeAttempt(db, id);
    await evaluateAttempt(db, 'Bench Institute', id);
  }
  const chain = createChain({
    ...base.chain,
    chainId: LOCAL_CHAIN_ID,
    issuerKey: chainEnv.CHAIN_ISSUER_KEY!,
    contractAddress: chainEnv.CERTIFICATE_CONTRACT_ADDRESS!,
    custodyAddress: undefined,
  });
  try {
    while ((await mintPending(db, chain, log, 10)).minted > 0);
  } finally {
    chain.destroy();
  }
  const rows = (
    await db.execute(sql`select public_id from certificates where exam_id = ${exam!.id} and status = 'issued'`)
  ).rows as { public_id: string }[];
  if (rows.length !== n) throw new Error(`expected ${n} issued certificates, got ${rows.length}`);
  return rows.map((r) => r.public_id);
}

let nextAddress = 0;
/** A fresh loopback address per call: 127.1.0.1, 127.1.0.2, ... */
function freshAddress(): string {
  const k = nextAddress++;
  return `127.1.${Math.floor(k / 254) % 256}.${(k % 254) + 1}`;
}

function get(agent: http.Agent, url: URL): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
  });
}

interface Run {
  requests: number;
  perSecond: number;
  latency: Latency;
  errors: number;
  statuses: Record<string, number>;
  serverCpuMsPerRequest: number | null;
  machineBusy: number;
}

/** Closed loop: `clients` clients, each with one request in flight, for `seconds`. */
async function drive(baseUrl: string, ids: string[], clients: number, seconds: number, pid?: number): Promise<Run> {
  const samples: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const cpu0 = pid ? cpuSeconds(pid) : null;
  const m0 = machineCpu();
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      let agent: http.Agent | null = null;
      let used = PER_ADDRESS;
      for (let i = c; performance.now() < end; i += clients) {
        if (used >= PER_ADDRESS) {
          agent?.destroy();
          agent = new http.Agent({ keepAlive: true, maxSockets: 1, localAddress: freshAddress() });
          used = 0;
        }
        used++;
        const t0 = performance.now();
        try {
          const status = await get(agent!, new URL(`/api/verify/${ids[i % ids.length]}`, baseUrl));
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (status !== 200) errors++;
          else samples.push(performance.now() - t0);
        } catch {
          errors++;
        }
      }
      agent?.destroy();
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu1 = pid ? cpuSeconds(pid) : null;
  const m1 = machineCpu();
  const requests = samples.length + errors;
  return {
    requests,
    perSecond: Math.round(samples.length / elapsed),
    latency: latency(samples),
    errors,
    statuses,
    serverCpuMsPerRequest:
      cpu0 !== null && cpu1 !== null && requests ? Math.round(((cpu1 - cpu0) * 1e6) / requests) / 1000 : null,
    machineBusy: Math.round(((m1.busy - m0.busy) / Math.max(1, m1.total - m0.total)) * 100),
  };
}

const rows: { name: string; loaded: Run; single: Run; answered: number }[] = [];
async function measure(name: string, baseUrl: string, ids: string[], pid?: number) {
  const warm = await drive(baseUrl, ids, CLIENTS, 2, pid); // warm-up: JIT, pools, the chain cache
  const loaded = await drive(baseUrl, ids, CLIENTS, SECONDS, pid);
  const single = await drive(baseUrl, ids, 1, 3, pid);
  const answered = warm.latency.count + loaded.latency.count + single.latency.count;
  rows.push({ name, loaded, single, answered });
  const l = loaded.latency;
  say(
    `  ${name}: ${loaded.perSecond} req/s, p50 ${l.p50} / p95 ${l.p95} / p99 ${l.p99} / max ${l.max} ms, ` +
      `errors ${loaded.errors} ${JSON.stringify(loaded.statuses)}; one at a time p50 ${single.latency.p50} / p99 ${single.latency.p99} ms`,
  );
  return loaded;
}

const cleanups: (() => Promise<void>)[] = [];
async function cleanup() {
  for (const c of cleanups.reverse()) await c().catch((e: unknown) => console.error('cleanup:', e));
  cleanups.length = 0;
}
process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

try {
  say(
    `Verification benchmark: ${CLIENTS} clients on distinct loopback addresses, ${SECONDS} s each, ${CERTS} certificates`,
  );
  await admin(`create database ${dbName}`);
  cleanups.push(() => admin(`drop database if exists ${dbName} with (force)`));
  const { db, pool } = createDb(urlFor(dbName), 4);
  cleanups.push(() => pool.end());
  await runMigrations(db);

  const provider = new JsonRpcProvider(base.chain.rpcUrl, Network.from(LOCAL_CHAIN_ID), {
    staticNetwork: true,
    cacheTimeout: -1,
  });
  cleanups.push(async () => provider.destroy());
  const wallet = Wallet.createRandom().connect(provider);
  await provider.send('hardhat_setBalance', [wallet.address, toBeHex(parseEther('1000'))]);
  const deployed = await deployCertificateContract(wallet, { admin: wallet.address, issuer: wallet.address });
  const chainEnv = {
    CHAIN_RPC_URL: base.chain.rpcUrl,
    CHAIN_ID: String(LOCAL_CHAIN_ID),
    CHAIN_ISSUER_KEY: wallet.privateKey,
    CERTIFICATE_CONTRACT_ADDRESS: deployed.address,
  };
  const ids = await issueCertificates(db, chainEnv, CERTS);
  say(`  ${ids.length} certificates issued on contract ${deployed.address}`);

  const serverEnv = {
    NODE_ENV: 'production',
    APP_SECRET: randomBytes(32).toString('hex'),
    EXAM_HALL_ROLE: 'api',
    LOG_LEVEL: 'warn',
    SERVE_WEB: 'false',
    DATABASE_URL: urlFor(dbName),
    REDIS_URL: base.redis.url,
    REDIS_PREFIX: redisPrefix,
    ...chainEnv,
    ...(values['server-node-options'] ? { NODE_OPTIONS: values['server-node-options'] } : {}),
  };
  const redis = new Redis(base.redis.url);
  cleanups.push(async () => {
    const keys = await redis.keys(`${redisPrefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  const bareMain = fileURLToPath(new URL('./bench/bare-express.ts', import.meta.url));
  const targets: [string, string, Record<string, string>][] = [
    ['bare Express', bareMain, {}],
    ['server', DEFAULT_MAIN, serverEnv],
  ];
  if (!values['no-uncached'])
    targets.push(['server, no chain cache', DEFAULT_MAIN, { ...serverEnv, VERIFY_CHAIN_POLL_MS: '0' }]);
  if (values['server-main']) targets.push([`other (${values['server-main']})`, values['server-main'], serverEnv]);

  for (const [name, main, env] of targets) {
    const before = Number(
      (await db.execute<{ n: string }>(sql`select count(*) as n from verification_requests`)).rows[0]!.n,
    );
    const server = await startServer(main, env);
    cleanups.push(server.stop);
    await measure(name, server.url, ids, server.pid);
    await server.stop();
    if (main !== bareMain) {
      // Every lookup answered 200 must be in the log once the server has stopped (flushed on shutdown).
      const after = Number(
        (await db.execute<{ n: string }>(sql`select count(*) as n from verification_requests`)).rows[0]!.n,
      );
      const answered = rows.at(-1)!.answered;
      say(
        `    verification_requests: ${after - before} rows written for ${answered} lookups answered 200` +
          (after - before === answered ? ' (all)' : ' (MISMATCH)'),
      );
    }
  }

  say(
    '\n| target | clients | req/s | p50 | p95 | p99 | max | errors | server CPU ms/req | machine busy | one at a time p50 / p99 |',
  );
  say('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const l = r.loaded.latency;
    say(
      `| ${r.name} | ${CLIENTS} | ${r.loaded.perSecond} | ${l.p50} | ${l.p95} | ${l.p99} | ${l.max} | ${r.loaded.errors} | ` +
        `${r.loaded.serverCpuMsPerRequest ?? '-'} | ${r.loaded.machineBusy} % | ${r.single.latency.p50} / ${r.single.latency.p99} ms |`,
    );
  }
  say('\nThe load generator runs in this process on the same machine (it shares the 2 cores with the server,');
  say('PostgreSQL, Redis and the Hardhat node); "machine busy" is all CPU, ours and anyone else\'s.');
} finally {
  await cleanup();
}
