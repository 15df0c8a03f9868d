// A running server process with real objects to aim at, for the fuzz suites: accounts of
// every role signed in, courses, exams (one published, one draft), questions, participants,
// a started attempt (its candidate's client holds the attempt cookie) and Zoom meetings
// (Zoom configured against the emulator, so its routes run past "not configured").
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { startZoomEmulator, type ZoomEmulator } from '../../../scripts/zoom-emulator/emulator.ts';
import { createDb } from '../../src/db/client.ts';
import { eq } from 'drizzle-orm';
import { enrollments, users } from '../../src/db/schema/index.ts';
import { hashPassword } from '../../src/modules/auth/auth.passwords.ts';
import { insertUser } from '../../src/modules/auth/auth.repository.ts';
import { createTestDatabase } from './test-db.ts';
import { startServerProcess, type ServerProcess } from './processes.ts';
import { Client } from './http-client.ts';
import { enterAndBegin, enterSignedInAndBegin } from './attempts.ts';

export type FuzzRole = 'anonymous' | 'student' | 'proctor' | 'teacher' | 'admin' | 'candidate';
export type IdKind = 'exam' | 'course' | 'attempt' | 'participant' | 'question' | 'user' | 'meeting';
export type RoleClient = Client & { creds?: { email: string; password: string } };

export interface FuzzWorld {
  server: ServerProcess;
  /** The exit code once the process has gone (-1 for a signal); undefined while it runs. */
  exited: () => number | undefined;
  clients: Map<FuzzRole, RoleClient>;
  ids: Record<IdKind, string[]>;
  /**
   * Signs the role clients back in when fuzzing signed them out (sign-out, refresh reuse), first
   * putting back the account's password and status if a fuzzed admin request changed them.
   */
  keepSignedIn: () => Promise<void>;
  close: () => Promise<void>;
}

export async function startFuzzWorld(): Promise<FuzzWorld> {
  const database = await createTestDatabase();
  const db = createDb(database.url, 2);
  const creds = {
    accountId: 'acct-fuzz',
    clientId: 'client-fuzz',
    clientSecret: 'secret-fuzz',
    webhookSecret: 'whsec-fuzz',
  };
  const zoom: ZoomEmulator = await startZoomEmulator({ port: 0, ...creds });
  const server = await startServerProcess({
    ZOOM_ACCOUNT_ID: creds.accountId,
    ZOOM_CLIENT_ID: creds.clientId,
    ZOOM_CLIENT_SECRET: creds.clientSecret,
    ZOOM_WEBHOOK_SECRET: creds.webhookSecret,
    ZOOM_API_URL: zoom.apiBaseUrl,
    ZOOM_OAUTH_URL: zoom.oauthTokenUrl,
    DATABASE_URL: database.url,
    REDIS_PREFIX: `fz${randomBytes(4).toString('hex')}`,
    EXAM_HALL_ROLE: 'api',
    LOG_LEVEL: 'error',
  });
  let exited: number | undefined;
  server.child.once('exit', (code, signal) => (exited = code ?? (signal ? -1 : 0)));
  const clients = new Map<FuzzRole, RoleClient>();
  const ids: Record<IdKind, string[]> = {
    meeting: [],
    exam: [],
    course: [],
    attempt: [],
    participant: [],
    question: [],
    user: [],
  };

  async function account(role: 'student' | 'proctor' | 'teacher' | 'admin') {
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const email = `${role}-${randomBytes(4).toString('hex')}@fuzz.example`;
    const user = await insertUser(db.db, {
      email,
      name: `Fuzz ${role}`,
      role,
      passwordHash: await hashPassword(password),
    });
    ids.user.push(user.id);
    const c = Object.assign(new Client(server.url), { creds: { email, password } });
    expect((await c.signIn(email, password)).status).toBe(200);
    clients.set(role, c);
    return { c, user, email };
  }

  // Whatever fails while building the world, nothing of it is left running.
  try {
    clients.set('anonymous', new Client(server.url));
    const { c: teacher } = await account('teacher');
    await account('admin');
    const { user: proctor } = await account('proctor');
    const { email: studentEmail } = await account('student');
    for (let i = 0; i < 2; i++) {
      const course = await teacher.post('/api/courses', { name: `Fuzz course ${i}` });
      expect(course.status).toBe(201);
      ids.course.push(course.body.id);
      await db.db.insert(enrollments).values({ courseId: course.body.id, userId: proctor.id, role: 'proctor' });
      const exam = await teacher.post('/api/exams', {
        title: `Fuzz exam ${i}`,
        durationMinutes: 30,
        availableAnytime: true,
        courseId: course.body.id,
        maxAttempts: 5,
      });
      expect(exam.status).toBe(201);
      ids.exam.push(exam.body.id);
      for (const q of [
        {
          type: 'single_choice',
          prompt: 'Pick a',
          content: {
            options: [
              { id: 'a', text: 'A' },
              { id: 'b', text: 'B' },
            ],
          },
          answerKey: { correct: 'a' },
        },
        { type: 'true_false', prompt: 'True?', answerKey: { correct: true } },
      ]) {
        const created = await teacher.post(`/api/exams/${exam.body.id}/questions`, q);
        expect(created.status).toBe(201);
        ids.question.push(created.body.id);
      }
      const meeting = await teacher.post('/api/zoom/meetings', {
        examId: exam.body.id,
        topic: `Fuzz meeting ${i}`,
        startTime: new Date(Date.now() + 86_400_000).toISOString(),
        durationMinutes: 60,
      });
      expect(meeting.status, JSON.stringify(meeting.body)).toBe(201);
      ids.meeting.push(meeting.body.id);
      if (i === 1) continue; // the second exam stays a draft
      expect((await teacher.post(`/api/exams/${exam.body.id}/publish`)).status).toBe(200);
      for (const email of [`cand-${randomBytes(3).toString('hex')}@fuzz.example`, studentEmail]) {
        const inv = await teacher.post(`/api/exams/${exam.body.id}/participants`, { email });
        expect(inv.status).toBe(201);
        ids.participant.push(inv.body.participant.id);
        if (email === studentEmail) continue;
        const candidate = new Client(server.url);
        const started = await enterAndBegin(candidate, { email, code: inv.body.code });
        expect(started.status).toBe(201);
        ids.attempt.push(started.body.attempt.id);
        clients.set('candidate', candidate);
      }
    }
    // A signed-in student's own attempt too (ids.attempt: [the candidate's, the student's]).
    const own = await enterSignedInAndBegin(clients.get('student')!, ids.exam[0]!);
    expect(own.status, JSON.stringify(own.body)).toBe(201);
    ids.attempt.push(own.body.attempt?.id ?? own.body.id);
  } catch (e) {
    await server.stop('SIGKILL');
    await zoom.stop();
    await db.pool.end();
    await database.drop();
    throw e;
  }
  await db.pool.end();

  return {
    server,
    exited: () => exited,
    clients,
    ids,
    async keepSignedIn() {
      for (const role of ['student', 'proctor', 'teacher', 'admin'] as const) {
        const c = clients.get(role)!;
        const { email, password } = c.creds!;
        if ((await c.get('/api/auth/me')).status !== 401) continue;
        if ((await c.signIn(email, password)).status === 200) continue;
        // The admin client may have reset this account's password or suspended it (seed
        // 1276110976 does): the world's own accounts are put back, as an admin would.
        const direct = createDb(database.url, 1);
        try {
          await direct.db
            .update(users)
            .set({ passwordHash: await hashPassword(password), status: 'active' })
            .where(eq(users.email, email));
        } finally {
          await direct.pool.end();
        }
        expect((await c.signIn(email, password)).status).toBe(200);
      }
    },
    async close() {
      await server.stop('SIGKILL');
      await zoom.stop();
      await database.drop();
    },
  };
}
