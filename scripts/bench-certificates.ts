// Benchmark: certificate issuance on the local chain and grading throughput.
//
//   node scripts/bench-certificates.ts [--grading 10000] [--certs 100] [--only issuance|grading]
//
// Needs PostgreSQL, Redis and a Hardhat node (`eval "$(node scripts/bootstrap.mjs services)"`
// starts all three). Creates a throwaway database and a fresh contract (issuer key
// funded with hardhat_setBalance), then:
//   1. Issuance: for batch sizes 1, 10 and 100, --certs pending certificates (default
//      100 for size 1, 1,000 otherwise) are minted through the real path
//      (mintPending: claim in PostgreSQL, check the chain, sign, record, broadcast,
//      wait for the receipt, record). Prints certificates/s and gas per certificate.
//   2. Grading: --grading submitted attempts (default 10,000; 12 questions each,
//      every type) graded (a) by gradeAttempt directly at concurrency 8 and (b) through
//      BullMQ: jobs added in bulk, graded by the real worker runtime. Prints attempts/s.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { JsonRpcProvider, Network, Wallet, parseEther, toBeHex } from 'ethers';
import { deployCertificateContract } from '@exam-hall/contracts/certificate-contract.ts';
import { LOCAL_CHAIN_ID, loadConfig } from '../server/src/config/config.ts';
import { createDb, type Db } from '../server/src/db/client.ts';
import { runMigrations } from '../server/src/db/migrate.ts';
import { certificates, exams, questions, users } from '../server/src/db/schema/index.ts';
import { createLogger } from '../server/src/lib/logger.ts';
import { createChain } from '../server/src/modules/certificates/certificates.chain.ts';
import { mintPending } from '../server/src/modules/certificates/certificates.minter.ts';
import {
  buildMetadata,
  metadataHashOf,
  newPublicId,
} from '../server/src/modules/certificates/certificates.metadata.ts';
import { gradeAttempt } from '../server/src/modules/grading/grading.service.ts';
import { startWorkers } from '../server/src/jobs/runtime.ts';

const { values } = parseArgs({
  options: { grading: { type: 'string' }, certs: { type: 'string' }, only: { type: 'string' } },
});
const gradingN = Number(values.grading ?? 10_000);
const base = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
const dbName = `eh_bench_${randomBytes(4).toString('hex')}`;
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
const secs = (ns: bigint) => Number(ns) / 1e9;
const log = createLogger('silent');

/** An exam with the twelve demo-style questions and `n` submitted attempts answered right. */
async function seedAttempts(db: Db, n: number, issueCertificates: boolean) {
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
      issueCertificates,
      partialCreditRule: 'proportional',
      partialCreditPenalty: 0.5,
    })
    .returning();
  const opts = { options: ['a', 'b', 'c', 'd'].map((id) => ({ id, text: id.toUpperCase() })) };
  await db.insert(questions).values(
    Array.from({ length: 12 }, (_, i) => {
      const type = i < 4 ? 'single_choice' : i < 8 ? 'multiple_choice' : 'true_false';
      return {
        examId: exam!.id,
        type,
        prompt: `Q${i + 1}`,
        content: type === 'true_false' ? {} : opts,
        answerKey: { correct: type === 'single_choice' ? 'b' : type === 'multiple_choice' ? ['a', 'c'] : true },
        points: type === 'multiple_choice' ? 2 : 1,
        position: i,
      };
    }),
  );
  const tag = randomBytes(3).toString('hex');
  await db.execute(sql`
    with u as (
      insert into users (email, name, role, status)
      select 'b' || ${tag} || '-' || g || '@bench.example', 'Bench Student ' || g, 'student', 'invited'
      from generate_series(1, ${n}) g returning id, email),
    p as (
      insert into exam_participants (exam_id, user_id, email, access_code_hash, access_code_hint, code_status, code_used_at)
      select ${exam!.id}, u.id, u.email, md5(u.email || random()), 'BNCH', 'used', now() from u returning id, user_id)
    insert into attempts (exam_id, user_id, participant_id, status, started_at, submitted_at, deadline_at, question_order)
    select ${exam!.id}, p.user_id, p.id, 'submitted', now() - interval '30 minutes', now(), now(),
      (select jsonb_agg(id order by position) from questions where exam_id = ${exam!.id})
    from p`);
  // Every answer right except the multiple-choice ones of every third attempt: a mix of scores.
  await db.execute(sql`
    insert into answers (attempt_id, question_id, response, seq)
    select a.id, q.id,
      case q.type
        when 'single_choice' then jsonb_build_object('optionId', q.answer_key->'correct')
        when 'multiple_choice' then jsonb_build_object('optionIds',
          case when a.n % 3 = 0 then '["a","b"]'::jsonb else q.answer_key->'correct' end)
        else jsonb_build_object('value', q.answer_key->'correct') end,
      q.position + 1
    from (select id, row_number() over () as n from attempts where exam_id = ${exam!.id}) a
    cross join questions q where q.exam_id = ${exam!.id}`);
  return exam!.id;
}

async function benchIssuance(db: Db) {
  const provider = new JsonRpcProvider(base.chain.rpcUrl, Network.from(LOCAL_CHAIN_ID), {
    staticNetwork: true,
    cacheTimeout: -1,
  });
  const wallet = Wallet.createRandom().connect(provider);
  await provider.send('hardhat_setBalance', [wallet.address, toBeHex(parseEther('100000'))]);
  const deployed = await deployCertificateContract(wallet, { admin: wallet.address, issuer: wallet.address });
  const chain = createChain({
    ...base.chain,
    chainId: LOCAL_CHAIN_ID,
    issuerKey: wallet.privateKey,
    contractAddress: deployed.address,
    custodyAddress: undefined,
  });
  const examId = await seedAttempts(db, 2100, false);
  const attemptRows = (await db.execute(sql`select id, user_id from attempts where exam_id = ${examId}`)).rows as {
    id: string;
    user_id: string;
  }[];
  let next = 0;
  console.log(`\nIssuance on ${base.chain.rpcUrl} (Hardhat, automine), contract ${deployed.address}`);
  console.log('batch size   certificates   seconds   certificates/s   gas/certificate   transactions');
  for (const size of [1, 10, 100]) {
    const n = Number(values.certs ?? (size === 1 ? 100 : 1000));
    const rows = attemptRows.slice(next, next + n);
    next += n;
    const now = new Date();
    const values_ = rows.map((r) => {
      const publicId = newPublicId();
      const metadata = buildMetadata({
        publicId,
        institutionName: 'Bench',
        courseName: null,
        examId,
        examTitle: 'Bench exam',
        studentName: `Student ${r.id.slice(0, 8)}`,
        score: 16,
        maxScore: 16,
        percentage: 100,
        passingScore: 50,
        completedAt: now,
        issuedAt: now,
      });
      return { userId: r.user_id, examId, attemptId: r.id, publicId, metadata, metadataHash: metadataHashOf(metadata) };
    });
    for (let i = 0; i < values_.length; i += 500) await db.insert(certificates).values(values_.slice(i, i + 500));
    const t0 = process.hrtime.bigint();
    const report = await mintPending(db, chain, log, size);
    const s = secs(process.hrtime.bigint() - t0);
    const gas = report.batches.reduce((g, b) => g + Number(b.gasUsed), 0);
    console.log(
      `${String(size).padStart(10)}   ${String(report.minted).padStart(12)}   ${s.toFixed(2).padStart(7)}   ${(report.minted / s).toFixed(1).padStart(14)}   ${Math.round(
        gas / Math.max(1, report.minted),
      )
        .toLocaleString('en')
        .padStart(15)}   ${String(report.batches.length).padStart(12)}`,
    );
    if (report.minted !== n) console.log(`  ! expected ${n} minted, got ${report.minted} (failed ${report.failed})`);
  }
  chain.destroy();
  provider.destroy();
}

async function benchGrading(db: Db, dbUrl: string) {
  console.log(`\nGrading ${gradingN.toLocaleString('en')} submitted attempts (12 questions each)`);
  const examId = await seedAttempts(db, gradingN, false);
  const ids = ((await db.execute(sql`select id from attempts where exam_id = ${examId}`)).rows as { id: string }[]).map(
    (r) => r.id,
  );
  // (a) the grading function itself, 8 at a time.
  let i = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (i < ids.length) await gradeAttempt(db, ids[i++]!);
    }),
  );
  const direct = secs(process.hrtime.bigint() - t0);
  console.log(
    `  gradeAttempt, concurrency 8:         ${direct.toFixed(1)} s   ${(gradingN / direct).toFixed(0)} attempts/s`,
  );
  await db.execute(
    sql`update attempts set graded_at = null, score = null, max_score = null, percentage = null, passed = null where exam_id = ${examId}`,
  );

  // (b) the real path: BullMQ jobs, graded by the worker runtime.
  const prefix = `bench${randomBytes(3).toString('hex')}`;
  const config = loadConfig({ ...process.env, DATABASE_URL: dbUrl, REDIS_PREFIX: prefix, LOG_LEVEL: 'silent' });
  const connection = new Redis(config.redis.url, { maxRetriesPerRequest: null });
  const queue = new Queue('grading', { connection, prefix: `${prefix}:bull` });
  for (let k = 0; k < ids.length; k += 1000) {
    await queue.addBulk(
      ids.slice(k, k + 1000).map((attemptId) => ({
        name: 'attempt.grade',
        data: { attemptId },
        opts: { jobId: `grade-${attemptId}`, removeOnComplete: true },
      })),
    );
  }
  const t1 = process.hrtime.bigint();
  const workers = await startWorkers(config, log, { schedules: false });
  for (;;) {
    const rows = (
      await db.execute(sql`select count(*)::int as n from attempts where exam_id = ${examId} and graded_at is not null`)
    ).rows as { n: number }[];
    if ((rows[0]?.n ?? 0) >= gradingN) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const viaQueue = secs(process.hrtime.bigint() - t1);
  console.log(
    `  BullMQ worker runtime (concurrency 10): ${viaQueue.toFixed(1)} s   ${(gradingN / viaQueue).toFixed(0)} attempts/s`,
  );
  await workers.close();
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
}

await admin(`create database ${dbName}`);
const { db, pool } = createDb(urlFor(dbName), 10);
try {
  await runMigrations(db);
  if (values.only !== 'grading') await benchIssuance(db);
  if (values.only !== 'issuance') await benchGrading(db, urlFor(dbName));
} finally {
  await pool.end();
  await admin(`drop database if exists ${dbName} with (force)`);
}
