// The start storm's world, written straight into the throwaway database in SQL (5,000
// invitations take a second or two; through the import service each code would cost an
// HTTP round trip): a teacher, one published exam that students may start themselves
// (start mode 'student', available any time), single-choice questions, and per student an
// account and an invitation holding a fresh access code, stored as the server stores it
// (HMAC under APP_SECRET, access-codes.ts). No attempts: claiming the code creates them.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../../server/src/db/client.ts';
import { examParticipants, exams, questions, users } from '../../server/src/db/schema/index.ts';
import { newAccessCode } from '../../server/src/modules/participants/access-codes.ts';
import { OPTIONS } from './messages.ts';

export interface StormStudent {
  email: string;
  /** The access code as printed on the slip (7KQM-3XTR-9PWD). */
  code: string;
}

async function insertChunked<T>(rows: T[], size: number, insert: (chunk: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
}

/** One exam with `students` invitations; `label` keeps emails of several seeds in one database apart. */
export async function seedStorm(
  db: Db,
  secret: string,
  opts: { students: number; questions: number; label: string },
): Promise<{ examId: string; students: StormStudent[] }> {
  const teacherId = randomUUID();
  const tag = `${opts.label}-${randomBytes(3).toString('hex')}`;
  await db.insert(users).values({
    id: teacherId,
    email: `storm-teacher-${tag}@bench.example`,
    name: 'Storm Teacher',
    role: 'teacher',
  });
  const examId = randomUUID();
  const now = new Date();
  await db.insert(exams).values({
    id: examId,
    createdBy: teacherId,
    title: `Start storm ${tag}`,
    durationMinutes: 120,
    availableAnytime: true,
    startMode: 'student',
    proctoring: { enabled: true, requireFullscreen: false, blockCopyPaste: false, strictMode: false },
    status: 'published',
    publishedAt: now,
    questionCount: opts.questions,
    totalPoints: opts.questions,
  });
  await db.insert(questions).values(
    Array.from({ length: opts.questions }, (_, position) => ({
      id: randomUUID(),
      examId,
      type: 'single_choice',
      prompt: `Storm question ${position + 1}`,
      content: { options: OPTIONS.map((id) => ({ id, text: id.toUpperCase() })) },
      answerKey: { correct: 'a' },
      position,
      createdBy: teacherId,
    })),
  );
  const students = Array.from({ length: opts.students }, (_, i) => ({
    userId: randomUUID(),
    email: `storm-${tag}-${i}@bench.example`,
    ...newAccessCode(secret),
  }));
  await insertChunked(students, 1000, (chunk) =>
    db
      .insert(users)
      .values(chunk.map((s, i) => ({ id: s.userId, email: s.email, name: `Student ${i}`, role: 'student' as const }))),
  );
  await insertChunked(students, 1000, (chunk) =>
    db.insert(examParticipants).values(
      chunk.map((s) => ({
        examId,
        userId: s.userId,
        email: s.email,
        accessCodeHash: s.hash,
        accessCodeHint: s.hint,
        addedBy: teacherId,
      })),
    ),
  );
  return { examId, students: students.map((s) => ({ email: s.email, code: s.code })) };
}
