// The benchmark's world, written straight into a throwaway database (not through the
// HTTP API, so 5,000 students take seconds): a teacher, admins to proctor, one
// published exam of single-choice questions, and one in-progress attempt per student
// with a known attempt token, exactly as attempts.service would have stored it.
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { createDb, type Db } from '../../server/src/db/client.ts';
import { runMigrations } from '../../server/src/db/migrate.ts';
import { attempts, examParticipants, exams, questions, users } from '../../server/src/db/schema/index.ts';
import { hashToken, newToken } from '../../server/src/lib/crypto.ts';
import { hashPassword } from '../../server/src/modules/auth/auth.passwords.ts';
import { OPTIONS } from './messages.ts';

export function databaseUrl(base: string, database: string) {
  const u = new URL(base);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin(base: string, statement: string) {
  const c = new pg.Client({ connectionString: databaseUrl(base, 'postgres') });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
}

/** A new database with every migration applied; drop() removes it (idempotent). */
export async function createBenchDatabase(base: string, prefix = 'eh_bench_hall') {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await admin(base, `create database ${name}`);
  const url = databaseUrl(base, name);
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await admin(base, `drop database if exists ${name} with (force)`);
  };
  try {
    const { db, pool } = createDb(url, 2);
    await runMigrations(db);
    await pool.end();
  } catch (e) {
    await drop();
    throw e;
  }
  return { name, url, drop };
}

async function insertChunked<T>(rows: T[], size: number, insert: (chunk: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
}

export interface HallWorld {
  examId: string;
  questionIds: string[];
  students: { attemptId: string; token: string }[];
  proctors: { email: string; password: string }[];
}

export async function seedHall(db: Db, opts: { students: number; proctors: number; questions: number }) {
  const now = new Date();
  const password = `bench-${randomBytes(8).toString('hex')}`;
  const passwordHash = await hashPassword(password);
  // Proctor 0 owns the exam (a teacher); the others are admins, who may watch any exam.
  const staff = Array.from({ length: Math.max(1, opts.proctors) }, (_, i) => ({
    id: randomUUID(),
    email: `bench-proctor-${i}@bench.example`,
    name: `Bench Proctor ${i}`,
    role: i === 0 ? ('teacher' as const) : ('admin' as const),
    passwordHash,
  }));
  await db.insert(users).values(staff);

  const examId = randomUUID();
  await db.insert(exams).values({
    id: examId,
    createdBy: staff[0]!.id,
    title: 'Benchmark hall exam',
    durationMinutes: 120,
    availableAnytime: true,
    proctoring: { enabled: true, requireFullscreen: false, blockCopyPaste: false, strictMode: false },
    status: 'published',
    publishedAt: now,
    questionCount: opts.questions,
    totalPoints: opts.questions,
  });
  const qs = Array.from({ length: opts.questions }, (_, position) => ({
    id: randomUUID(),
    examId,
    type: 'single_choice',
    prompt: `Benchmark question ${position + 1}`,
    content: { options: OPTIONS.map((id) => ({ id, text: id.toUpperCase() })) },
    answerKey: { correct: 'a' },
    position,
    createdBy: staff[0]!.id,
  }));
  await db.insert(questions).values(qs);
  const questionIds = qs.map((q) => q.id);
  const optionOrder = Object.fromEntries(questionIds.map((id) => [id, [...OPTIONS]]));

  const students = Array.from({ length: opts.students }, (_, i) => ({
    userId: randomUUID(),
    participantId: randomUUID(),
    attemptId: randomUUID(),
    token: newToken(),
    email: `bench-student-${i}@bench.example`,
  }));
  const deadline = new Date(now.getTime() + 2 * 3_600_000);
  // ~10 columns per row: 1,000 rows stay well under PostgreSQL's 65,535 bind parameters.
  await insertChunked(students, 1000, (chunk) =>
    db
      .insert(users)
      .values(chunk.map((s, i) => ({ id: s.userId, email: s.email, name: `Student ${i}`, role: 'student' as const }))),
  );
  await insertChunked(students, 1000, (chunk) =>
    db.insert(examParticipants).values(
      chunk.map((s) => ({
        id: s.participantId,
        examId,
        userId: s.userId,
        email: s.email,
        accessCodeHash: randomBytes(16).toString('hex'),
        accessCodeHint: 'BNCH',
        codeStatus: 'used' as const,
        codeUsedAt: now,
        addedBy: staff[0]!.id,
      })),
    ),
  );
  await insertChunked(students, 1000, (chunk) =>
    db.insert(attempts).values(
      chunk.map((s) => ({
        id: s.attemptId,
        examId,
        participantId: s.participantId,
        userId: s.userId,
        status: 'in_progress' as const,
        startedAt: now,
        deadlineAt: deadline,
        lastActivityAt: now,
        questionOrder: questionIds,
        optionOrder,
        attemptTokenHash: hashToken(s.token),
      })),
    ),
  );
  const world: HallWorld = {
    examId,
    questionIds,
    students: students.map((s) => ({ attemptId: s.attemptId, token: s.token })),
    proctors: staff.map((s) => ({ email: s.email, password })),
  };
  return world;
}
