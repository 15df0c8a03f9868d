// Demo course, a published exam with a dozen questions of every type, and thirty
// invited students. Their access codes are derived from the app secret and the
// email (demo data only: real codes come from the CSPRNG), so `npm start` can print
// the same codes on every start although only their hashes are stored.
import { createHmac } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { courses, examParticipants, exams, questions, users } from '../db/schema/index.ts';
import { CODE_ALPHABET, CODE_LENGTH, codeHint, formatCode, hashCode } from '../modules/participants/access-codes.ts';
import { refreshQuestionTotals } from '../modules/exams/exams.repository.ts';

export const DEMO_EXAM_TITLE = 'Chemistry basics: demo exam';
const DEMO_COURSE = 'Science 101 (demo)';
const STUDENT_COUNT = 30;

function demoCode(secret: string, email: string): string {
  const bytes = createHmac('sha256', secret).update(`demo-access-code:${email}`).digest();
  let normalized = '';
  for (let i = 0; i < CODE_LENGTH; i++) normalized += CODE_ALPHABET[bytes[i]! & 31];
  return normalized;
}

type Q = {
  type: string;
  prompt: string;
  content: Record<string, unknown>;
  answerKey: unknown;
  points?: number;
  explanation: string;
  difficulty: 'easy' | 'medium' | 'hard';
  tags: string[];
};
const opts = (...texts: string[]) => ({ options: texts.map((text, i) => ({ id: 'abcdefgh'[i]!, text })) });

const QUESTIONS: Q[] = [
  {
    type: 'single_choice',
    prompt: 'What is the chemical symbol for sodium?',
    content: opts('S', 'Na', 'So', 'Sd'),
    answerKey: { correct: 'b' },
    explanation: 'From the Latin natrium.',
    difficulty: 'easy',
    tags: ['elements'],
  },
  {
    type: 'single_choice',
    prompt: 'Which gas makes up most of the air we breathe?',
    content: opts('Oxygen', 'Carbon dioxide', 'Nitrogen', 'Argon'),
    answerKey: { correct: 'c' },
    explanation: 'About 78% of dry air is nitrogen.',
    difficulty: 'easy',
    tags: ['atmosphere'],
  },
  {
    type: 'single_choice',
    prompt: 'What is the pH of pure water at 25 °C?',
    content: opts('0', '7', '10', '14'),
    answerKey: { correct: 'b' },
    explanation: 'Pure water is neutral: pH 7.',
    difficulty: 'easy',
    tags: ['acids'],
  },
  {
    type: 'single_choice',
    prompt: 'How many protons does a carbon atom have?',
    content: opts('4', '6', '12', '14'),
    answerKey: { correct: 'b' },
    explanation: 'Carbon has atomic number 6.',
    difficulty: 'medium',
    tags: ['atoms'],
  },
  {
    type: 'multiple_choice',
    prompt: 'Which of these are noble gases?',
    content: opts('Helium', 'Neon', 'Chlorine', 'Argon'),
    answerKey: { correct: ['a', 'b', 'd'] },
    points: 2,
    explanation: 'Chlorine is a halogen.',
    difficulty: 'medium',
    tags: ['elements'],
  },
  {
    type: 'multiple_choice',
    prompt: 'Which of these are physical changes?',
    content: opts('Ice melting', 'Wood burning', 'Sugar dissolving', 'Iron rusting'),
    answerKey: { correct: ['a', 'c'] },
    points: 2,
    explanation: 'Burning and rusting make new substances.',
    difficulty: 'medium',
    tags: ['reactions'],
  },
  {
    type: 'multiple_choice',
    prompt: 'Which of these are metals?',
    content: opts('Copper', 'Sulfur', 'Zinc', 'Iodine'),
    answerKey: { correct: ['a', 'c'] },
    points: 2,
    explanation: 'Sulfur and iodine are non-metals.',
    difficulty: 'easy',
    tags: ['elements'],
  },
  {
    type: 'multiple_choice',
    prompt: 'Which are products of complete combustion of methane?',
    content: opts('Carbon dioxide', 'Water', 'Carbon monoxide', 'Hydrogen'),
    answerKey: { correct: ['a', 'b'] },
    points: 2,
    explanation: 'CH4 + 2 O2 -> CO2 + 2 H2O.',
    difficulty: 'hard',
    tags: ['reactions'],
  },
  {
    type: 'true_false',
    prompt: 'Water boils at 100 °C at sea level.',
    content: {},
    answerKey: { correct: true },
    explanation: 'At 1 atm, yes.',
    difficulty: 'easy',
    tags: ['states'],
  },
  {
    type: 'true_false',
    prompt: 'Electrons are heavier than protons.',
    content: {},
    answerKey: { correct: false },
    explanation: 'A proton is about 1836 times heavier.',
    difficulty: 'easy',
    tags: ['atoms'],
  },
  {
    type: 'true_false',
    prompt: 'Diamond and graphite are both made of carbon.',
    content: {},
    answerKey: { correct: true },
    explanation: 'They are allotropes of carbon.',
    difficulty: 'medium',
    tags: ['elements'],
  },
  {
    type: 'true_false',
    prompt: 'A catalyst is used up in the reaction it speeds up.',
    content: {},
    answerKey: { correct: false },
    explanation: 'A catalyst is not consumed.',
    difficulty: 'hard',
    tags: ['reactions'],
  },
];

export interface DemoInvite {
  email: string;
  code: string;
  status: 'unused' | 'used' | 'voided';
}

/** The demo teacher's demo course (created once). */
export async function demoCourse(db: Db, teacherEmail: string) {
  const teacher = await db.query.users.findFirst({ where: eq(users.email, teacherEmail) });
  if (!teacher) throw new Error(`demo teacher ${teacherEmail} is missing`);
  let course = await db.query.courses.findFirst({
    where: and(eq(courses.teacherId, teacher.id), eq(courses.name, DEMO_COURSE)),
  });
  course ??= (
    await db
      .insert(courses)
      .values({
        teacherId: teacher.id,
        name: DEMO_COURSE,
        subject: 'Chemistry',
        level: 'beginner',
        description: 'A demo course.',
      })
      .returning()
  )[0]!;
  return { teacher, course };
}

/** A published demo exam with the twelve questions, created once by title. */
export async function ensureDemoExam(
  db: Db,
  owner: { teacherId: string; courseId: string },
  title: string,
  settings: Partial<typeof exams.$inferInsert> = {},
) {
  const found = await db.query.exams.findFirst({
    where: and(eq(exams.courseId, owner.courseId), eq(exams.title, title)),
  });
  if (found) return found;
  return db.transaction(async (tx) => {
    const [e] = await tx
      .insert(exams)
      .values({
        courseId: owner.courseId,
        createdBy: owner.teacherId,
        title,
        description: 'Twelve questions on elements, atoms and reactions.',
        instructions: 'Answer every question. You may change answers until you submit.',
        durationMinutes: 30,
        availableAnytime: true,
        shuffleQuestions: true,
        shuffleOptions: true,
        passingScore: 60,
        maxAttempts: 1,
        allowReview: true,
        resultsPolicy: 'immediately',
        partialCreditRule: 'proportional',
        partialCreditPenalty: 0.5,
        proctoring: { enabled: true, requireFullscreen: false, blockCopyPaste: true, strictMode: false },
        disconnectPolicy: 'credit',
        disconnectCreditMaxMinutes: 5,
        issueCertificates: true,
        status: 'published',
        publishedAt: new Date(),
        ...settings,
      })
      .returning();
    await tx.insert(questions).values(
      QUESTIONS.map((q, position) => ({
        ...q,
        points: q.points ?? 1,
        examId: e!.id,
        position,
        createdBy: owner.teacherId,
      })),
    );
    await refreshQuestionTotals(tx, e!.id);
    return e!;
  });
}

/** `signedInStudentEmail`: an account with a password, invited too, so "My exams" has the exam. */
export async function seedDemoExams(
  db: Db,
  secret: string,
  teacherEmail: string,
  signedInStudentEmail?: string,
): Promise<{ examId: string; invites: DemoInvite[] }> {
  const { teacher, course } = await demoCourse(db, teacherEmail);
  const exam = await ensureDemoExam(db, { teacherId: teacher.id, courseId: course.id }, DEMO_EXAM_TITLE);

  const emails = Array.from(
    { length: STUDENT_COUNT },
    (_, i) => `student${String(i + 1).padStart(2, '0')}@demo.examhall.test`,
  );
  await db
    .insert(users)
    .values(
      emails.map((email, i) => ({
        email,
        name: `Demo Student ${i + 1}`,
        role: 'student' as const,
        status: 'invited' as const,
      })),
    )
    .onConflictDoNothing({ target: users.email });
  const invited = signedInStudentEmail ? [...emails, signedInStudentEmail] : emails;
  const accounts = await db
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(inArray(users.email, invited));
  await db
    .insert(examParticipants)
    .values(
      accounts.map((a) => {
        const normalized = demoCode(secret, a.email);
        return {
          examId: exam.id,
          userId: a.id,
          email: a.email,
          accessCodeHash: hashCode(secret, normalized),
          accessCodeHint: codeHint(normalized),
          addedBy: teacher.id,
        };
      }),
    )
    .onConflictDoNothing();
  const rows = await db
    .select({
      email: examParticipants.email,
      status: examParticipants.codeStatus,
      hash: examParticipants.accessCodeHash,
    })
    .from(examParticipants)
    .where(eq(examParticipants.examId, exam.id));
  const invites = rows
    .filter((r) => emails.includes(r.email))
    .sort((a, b) => a.email.localeCompare(b.email))
    .map((r) => {
      const normalized = demoCode(secret, r.email);
      // A code regenerated by the teacher no longer matches the derived one.
      const status = r.hash === hashCode(secret, normalized) ? r.status : 'voided';
      return { email: r.email, code: formatCode(normalized), status };
    });
  return { examId: exam.id, invites };
}
