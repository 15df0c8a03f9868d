// Benchmark: import a 5,000-row participant CSV through the participants service
// (called directly, not over HTTP, so the figures are the service and PostgreSQL alone).
// Creates a throwaway database with every migration, a teacher and two exams, then
// times three imports: all new accounts, the same addresses into a second exam (all
// accounts exist), and the same file again (all skipped). Counts every SQL statement
// sent by any pg client, BEGIN/COMMIT/SAVEPOINT included. Drops its database at the end.
//
//   node scripts/bench-participants-csv.ts [rows]      (DATABASE_URL as for the server)
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../server/src/config/config.ts';
import { createDb } from '../server/src/db/client.ts';
import { runMigrations } from '../server/src/db/migrate.ts';
import { exams, users } from '../server/src/db/schema/index.ts';
import { createParticipantService } from '../server/src/modules/participants/participants.service.ts';
import type { Caller } from '../server/src/policy/actor.ts';

const rows = Number(process.argv[2] ?? 5000);
const config = loadConfig();
const dbName = `eh_bench_${randomBytes(4).toString('hex')}`;
const urlFor = (database: string) => {
  const u = new URL(config.database.url);
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

let queries = 0;
const original = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  queries++;
  return (original as (...a: unknown[]) => unknown).apply(this, args);
} as typeof original;

async function measure<T>(label: string, n: number, fn: () => Promise<T>): Promise<T> {
  queries = 0;
  const start = process.hrtime.bigint();
  const result = await fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const rate = Math.round((n / ms) * 1000);
  console.log(
    `${label.padEnd(44)} ${ms.toFixed(0).padStart(6)} ms  ${String(rate).padStart(7)} rows/s  ${String(queries).padStart(3)} SQL statements`,
  );
  return result;
}

await admin(`create database ${dbName}`);
const { db, pool } = createDb(urlFor(dbName), 5);
try {
  await runMigrations(db);
  const [teacher] = await db
    .insert(users)
    .values({ email: 'bench-teacher@bench.example', name: 'Bench Teacher', role: 'teacher' })
    .returning();
  const exam = async (title: string) =>
    (
      await db
        .insert(exams)
        .values({ createdBy: teacher!.id, title, durationMinutes: 60, availableAnytime: true })
        .returning()
    )[0]!.id;
  const [examA, examB] = [await exam('Bench exam A'), await exam('Bench exam B')];
  const caller: Caller = {
    actor: {
      userId: teacher!.id,
      role: 'teacher',
      sessionId: '00000000-0000-0000-0000-000000000000',
      sessionExpiresAt: new Date(Date.now() + 3_600_000),
      email: teacher!.email,
      name: teacher!.name,
    },
    ip: '127.0.0.1',
  };
  const csv = [
    'email,name',
    ...Array.from({ length: rows }, (_, i) => `student${i}@school.example,"Student ${i}, Class ${i % 40}"`),
  ].join('\r\n');
  console.log(`${rows} rows, ${(csv.length / 1024).toFixed(0)} KiB of CSV, database ${dbName}`);
  const svc = createParticipantService({ db, secret: config.secret });

  const first = await measure('import: new accounts (exam A)', rows, () => svc.importCsv(caller, examA, csv));
  const second = await measure('import: existing accounts (exam B)', rows, () => svc.importCsv(caller, examB, csv));
  const third = await measure('import: all already participants (exam A)', rows, () =>
    svc.importCsv(caller, examA, csv),
  );
  await measure('list: first page of 50 with total', 50, () => svc.list(caller.actor, examA, { limit: 50, offset: 0 }));
  await measure('list: last page of 50 with total', 50, () =>
    svc.list(caller.actor, examA, { limit: 50, offset: rows - 50 }),
  );
  await measure('export.csv: every participant', rows, () => svc.exportCsv(caller.actor, examA));
  await measure('codes/export: all, changes nothing', rows, () => svc.exportCodes(caller.actor, examA, {}));
  await measure('codes/reissue: all not started', rows, () => svc.reissueCodes(caller, examA, { confirm: true }));
  console.log('outcomes:', first.summary, second.summary, third.summary);
} finally {
  pg.Client.prototype.query = original;
  await pool.end();
  await admin(`drop database if exists ${dbName} with (force)`);
}
