// Benchmark: attendance sync of a generated 1,000-participant meeting (with rejoins)
// from the Zoom emulator's participants report, pages of 300, through the real client
// (token, Rivet, retries) and syncAttendance (mapping, replace, attendance records).
// Runs without 429s, then with a 429 on every 2nd report request (Retry-After: 1 s).
//
//   node scripts/bench-zoom-sync.ts [participants]      (DATABASE_URL / REDIS_URL as for the server)
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { Redis } from 'ioredis';
import { inArray } from 'drizzle-orm';
import { loadConfig } from '../server/src/config/config.ts';
import { createDb } from '../server/src/db/client.ts';
import { runMigrations } from '../server/src/db/migrate.ts';
import { meetingRegistrants, users, zoomMeetings } from '../server/src/db/schema/index.ts';
import { silentPublisher } from '../server/src/modules/hall/hall.events.ts';
import { syncAttendance } from '../server/src/modules/attendance/attendance.sync.ts';
import { createZoomClient } from '../server/src/modules/zoom/zoom.client.ts';
import { startZoomEmulator } from './zoom-emulator/emulator.ts';

const participants = Number(process.argv[2] ?? 1000);
const app = { accountId: 'bench', clientId: 'bench-id', clientSecret: 'bench-secret', webhookSecret: 'bench-webhook' };
const emulator = await startZoomEmulator({ port: 0, ...app });
const base = loadConfig({
  ...process.env,
  ZOOM_ACCOUNT_ID: app.accountId,
  ZOOM_CLIENT_ID: app.clientId,
  ZOOM_CLIENT_SECRET: app.clientSecret,
  ZOOM_API_URL: emulator.apiBaseUrl,
  ZOOM_OAUTH_URL: emulator.oauthTokenUrl,
});
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

await admin(`create database ${dbName}`);
const { db, pool } = createDb(urlFor(dbName), 5);
const redis = new Redis(base.redis.url);
try {
  await runMigrations(db);
  const zoom = createZoomClient(redis, `bench${randomBytes(3).toString('hex')}`, base.zoom)!;
  console.log(`${participants} participants; report pages of 300; emulator ${emulator.url}`);
  for (const [label, rateLimit] of [
    ['no 429s', null],
    ['429 on every 2nd report request, Retry-After: 1 s', { every: 2, retryAfterSeconds: 1 }],
  ] as const) {
    const created = emulator.createMeeting({ topic: label, type: 2, settings: { approval_type: 0 } });
    const truth = emulator.generate(created.id as number, { participants, rejoinRate: 0.4, seed: 5 });
    const [meeting] = await db
      .insert(zoomMeetings)
      .values({
        zoomMeetingId: String(truth.meetingId),
        zoomUuid: truth.uuid,
        topic: label,
        status: 'ended',
        startedAt: new Date(truth.startTime),
        endedAt: new Date(truth.endTime),
      })
      .returning();
    const people = truth.people.filter((p) => p.email);
    const emails = people.map((p) => p.email!.toLowerCase());
    await db
      .insert(users)
      .values(
        people.map((p, i) => ({
          email: emails[i]!,
          name: p.name,
          role: 'student' as const,
          status: 'invited' as const,
        })),
      )
      .onConflictDoNothing();
    const ids = new Map(
      (await db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.email, emails))).map(
        (u) => [u.email, u.id],
      ),
    );
    const registered = people.filter((p) => p.registrantId);
    if (registered.length) {
      await db.insert(meetingRegistrants).values(
        registered.map((p) => ({
          meetingId: meeting!.id,
          userId: ids.get(p.email!.toLowerCase())!,
          email: p.email!.toLowerCase(),
          zoomRegistrantId: p.registrantId!,
          status: 'registered' as const,
        })),
      );
    }
    emulator.setRateLimit(rateLimit);
    const before = emulator.stats().rateLimited;
    const t0 = performance.now();
    const r = await syncAttendance(db, zoom, silentPublisher, meeting!.id);
    const ms = performance.now() - t0;
    emulator.setRateLimit(null);
    console.log(
      `${label.padEnd(52)} ${ms.toFixed(0).padStart(6)} ms  ${r.segments} segments, ${r.pages} pages, ${emulator.stats().rateLimited - before} x 429, ${r.matched} matched, ${r.records} attendance records`,
    );
  }
} finally {
  redis.disconnect();
  await pool.end();
  await admin(`drop database if exists ${dbName} with (force)`);
  await emulator.stop();
}
