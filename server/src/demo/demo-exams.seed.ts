// Demo course, a published exam with a dozen questions of every type, and thirty
// invited students, all made through the services as the demo teacher would (see
// demo-services.ts). Their access codes are derived from the app secret and the
// email (demo data only: real codes come from the CSPRNG), so `npm start` can print
// the same codes on every start although only their hashes are stored.
import { createHmac } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import {
  courseInputSchema,
  DEFAULT_CAMERA_SETTINGS,
  examCreateSchema,
  examUpdateSchema,
  participantAddSchema,
  questionInputSchema,
  type ExamCreate,
} from '@exam-hall/protocol';
import type { Db } from '../db/client.ts';
import { courses, examParticipants, exams } from '../db/schema/index.ts';
import type { Caller } from '../policy/actor.ts';
import { toExamDto } from '../modules/exams/exams.service.ts';
import { CODE_ALPHABET, CODE_LENGTH, codeHint, formatCode, hashCode } from '../modules/participants/access-codes.ts';
import { demoCaller, demoServices, enrolDemoPeople } from './demo-services.ts';
import { DEMO_ACCOUNTS } from './demo.seed.ts';
import { DEMO_PEOPLE } from './demo-people.seed.ts';

export const DEMO_EXAM_TITLE = 'Chemistry basics: demo exam';
/** In the 'proctor' start mode: students wait in the lobby until a proctor opens the hall. */
export const DEMO_PROCTOR_EXAM_TITLE = 'Chemistry basics: started together by the proctor';
const DEMO_COURSE = 'Science 101 (demo)';
const STUDENT_COUNT = 30;

function demoCode(secret: string, email: string): string {
  const bytes = createHmac('sha256', secret).update(`demo-access-code:${email}`).digest();
  let normalized = '';
  for (let i = 0; i < CODE_LENGTH; i++) normalized += CODE_ALPHABET[bytes[i]! & 31];
  return normalized;
}

const opts = (...texts: string[]) => ({ options: texts.map((text, i) => ({ id: 'abcdefgh'[i]!, text })) });

// Parsed by questionInputSchema when added, as the question routes parse a teacher's.
const QUESTIONS: { prompt: string; [field: string]: unknown }[] = [
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

/** The demo teacher (as a service caller) and their demo course, created once through the course service. */
export async function demoCourse(db: Db, secret: string, teacherEmail: string) {
  const caller = await demoCaller(db, teacherEmail);
  const found = await db.query.courses.findFirst({
    where: and(eq(courses.teacherId, caller.actor.userId), eq(courses.name, DEMO_COURSE)),
  });
  const course =
    found ??
    (await demoServices(db, secret).courses.create(
      caller,
      courseInputSchema.parse({
        name: DEMO_COURSE,
        subject: 'Chemistry',
        level: 'beginner',
        description: 'A demo course.',
      }),
    ));
  return { caller, course: { id: course.id } };
}

/** What the demo exams share; each exam overrides some of it. */
const DEMO_SETTINGS = {
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
  proctoring: {
    enabled: true,
    requireFullscreen: false,
    blockCopyPaste: true,
    strictMode: false,
    allowedBrowsers: [],
    camera: DEFAULT_CAMERA_SETTINGS,
  },
  disconnectPolicy: 'credit',
  disconnectCreditMaxMinutes: 5,
  issueCertificates: true,
} satisfies Partial<ExamCreate>;

// jsonb does not keep key order: compare settings with sorted keys.
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b)))
      : x,
  );
const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

/**
 * A published demo exam with the twelve questions, found by course and title or made
 * through the exam and question services (create, add questions, publish). On later
 * starts the settings asked for are applied again through an update, so demo data a
 * previous version wrote outside the rules (a "Live hall demo" with 1000 attempts)
 * is brought back within them.
 */
export async function ensureDemoExam(
  db: Db,
  secret: string,
  owner: { caller: Caller; courseId: string },
  title: string,
  settings: Partial<ExamCreate> = {},
) {
  const services = demoServices(db, secret);
  const { caller } = owner;
  const wanted = { ...DEMO_SETTINGS, ...settings };
  let exam = await db.query.exams.findFirst({
    where: and(eq(exams.courseId, owner.courseId), eq(exams.title, title), isNull(exams.deletedAt)),
  });
  if (!exam) {
    const created = await services.exams.create(
      caller,
      examCreateSchema.parse({ ...wanted, courseId: owner.courseId, title }),
    );
    exam = (await db.query.exams.findFirst({ where: eq(exams.id, created.id) }))!;
  } else {
    const current = toExamDto(exam) as Record<string, unknown>;
    const changed = Object.entries(wanted).filter(([k, v]) => !same(current[k], v));
    if (changed.length) {
      await services.exams.update(caller, exam.id, examUpdateSchema.parse(Object.fromEntries(changed)));
    }
  }
  if (exam.status === 'draft') {
    // Also finishes an exam a previous start left half made (stopped between two questions).
    const have = new Set((await services.questions.list(caller.actor, exam.id)).map((q) => q.prompt));
    for (const q of QUESTIONS) {
      if (!have.has(q.prompt)) await services.questions.create(caller, exam.id, questionInputSchema.parse(q));
    }
    await services.exams.publish(caller, exam.id);
  }
  return (await db.query.exams.findFirst({ where: eq(exams.id, exam.id) }))!;
}

/**
 * Invites `emails` through the participant service (which creates their invited
 * accounts), once each. Returns the participants it added now.
 */
export async function inviteDemoStudents(
  db: Db,
  secret: string,
  caller: Caller,
  examId: string,
  people: { email: string; name?: string }[],
): Promise<{ email: string; participantId: string; code: string }[]> {
  const participants = demoServices(db, secret).participants;
  const present = new Set(
    (
      await db
        .select({ email: examParticipants.email })
        .from(examParticipants)
        .where(eq(examParticipants.examId, examId))
    ).map((r) => r.email),
  );
  const added = [];
  for (const p of people) {
    if (present.has(p.email)) continue;
    const r = await participants.add(caller, examId, participantAddSchema.parse(p));
    added.push({ email: p.email, participantId: r.participant.id, code: r.code });
  }
  return added;
}

/** `signedInStudentEmail`: an account with a password, invited too, so "My exams" has the exam. */
export async function seedDemoExams(
  db: Db,
  secret: string,
  teacherEmail: string,
  signedInStudentEmail?: string,
): Promise<{ examId: string; invites: DemoInvite[] }> {
  const { caller, course } = await demoCourse(db, secret, teacherEmail);
  const exam = await ensureDemoExam(db, secret, { caller, courseId: course.id }, DEMO_EXAM_TITLE);

  const emails = Array.from(
    { length: STUDENT_COUNT },
    (_, i) => `student${String(i + 1).padStart(2, '0')}@demo.examhall.test`,
  );
  const people = emails.map((email, i) => ({ email, name: `Demo Student ${i + 1}` }));
  const added = await inviteDemoStudents(
    db,
    secret,
    caller,
    exam.id,
    signedInStudentEmail ? [...people, { email: signedInStudentEmail }] : people,
  );
  // The class, enrolled in the course: the demo students and the demo proctor (who may
  // then watch the course's halls). The co-teacher comes later: seedDemoCoTeacher.
  await enrolDemoPeople(db, secret, caller, course.id, [
    ...people.map((p) => ({ ...p, role: 'student' as const })),
    ...(signedInStudentEmail ? [{ email: signedInStudentEmail, role: 'student' as const }] : []),
    ...DEMO_ACCOUNTS.filter((a) => a.role === 'proctor').map((a) => ({ email: a.email, role: 'proctor' as const })),
  ]);
  // The one write outside the services: the service's codes are random and only their
  // hashes are kept, so `npm start` could never print them again. The demo swaps each
  // new invitation's code for one derived from the secret (same format, same hashing).
  for (const a of added) {
    const normalized = demoCode(secret, a.email);
    await db
      .update(examParticipants)
      .set({ accessCodeHash: hashCode(secret, normalized), accessCodeHint: codeHint(normalized) })
      .where(and(eq(examParticipants.id, a.participantId), eq(examParticipants.codeStatus, 'unused')));
  }
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
  // An exam the proctor starts for everyone at once ("Open the hall" in its hall): the
  // signed-in demo student finds it in My exams and waits in its lobby until then.
  const together = await ensureDemoExam(db, secret, { caller, courseId: course.id }, DEMO_PROCTOR_EXAM_TITLE, {
    startMode: 'proctor',
  });
  if (signedInStudentEmail) {
    await inviteDemoStudents(db, secret, caller, together.id, [{ email: signedInStudentEmail }]);
  }
  return { examId: exam.id, invites };
}

/**
 * The first teacher among the admin console's demo people co-teaches the demo course,
 * enrolled through the course service (run after seedDemoPeople; nothing happens
 * while that account does not exist, and nothing again once enrolled).
 */
export async function seedDemoCoTeacher(db: Db, secret: string, teacherEmail: string) {
  const second = DEMO_PEOPLE.find((p) => p.role === 'teacher');
  if (!second) return null;
  const { caller, course } = await demoCourse(db, secret, teacherEmail);
  return enrolDemoPeople(db, secret, caller, course.id, [
    { email: `${second.local}@demo.examhall.test`, role: 'teacher' },
  ]);
}
