// Keeps the demo hall alive for `npm start`: a few simulated students take the
// "Live hall demo" exam over real sockets, answering, flagging, switching tabs and
// dropping their connection now and then, so a newcomer who opens the proctor hall
// sees it move. They go through the real flows: the demo teacher invites them and
// issues their codes through the participant service, they start with the code over
// HTTP, join the socket and autosave.
import { randomBytes } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { io, type Socket } from 'socket.io-client';
import { ATTEMPT_COOKIE, type AckReply, type AttemptSnapshot } from '@exam-hall/protocol';
import type { Db } from '../../server/src/db/client.ts';
import { attempts, examParticipants } from '../../server/src/db/schema/index.ts';
import { demoCourse, ensureDemoExam, inviteDemoStudents } from '../../server/src/demo/demo-exams.seed.ts';
import { demoServices, enrolDemoPeople } from '../../server/src/demo/demo-services.ts';
import { hashToken, newToken } from '../../server/src/lib/crypto.ts';

export const LIVE_DEMO_TITLE = 'Live hall demo (simulated students)';
const NAMES = ['Ana Lima', 'Ben Okafor', 'Chen Wei', 'Dara Singh', 'Eli Novak', 'Fatima Zahra'];

interface Simulated {
  email: string;
  attemptCookie: string;
  socket?: Socket;
  snapshot?: AttemptSnapshot;
  seq: number;
}

/** Makes sure each simulated student has a live attempt and a cookie for it. */
async function prepare(db: Db, secret: string, baseUrl: string, teacherEmail: string, proctorEmail: string) {
  const { caller, course } = await demoCourse(db, secret, teacherEmail);
  // Every start after the previous attempt ended uses one attempt: the schema's most
  // (100) lasts a hundred such starts; after that a student sits out (see below).
  const exam = await ensureDemoExam(db, secret, { caller, courseId: course.id }, LIVE_DEMO_TITLE, {
    durationMinutes: 240,
    maxAttempts: 100,
    shuffleQuestions: false,
  });
  // The demo proctor watches the hall as the course's enrolled proctor.
  await enrolDemoPeople(db, secret, caller, course.id, [{ email: proctorEmail, role: 'proctor' }]);
  const people = NAMES.map((name, i) => ({ email: `sim0${i + 1}@demo.examhall.test`, name }));
  const fresh = new Map((await inviteDemoStudents(db, secret, caller, exam.id, people)).map((a) => [a.email, a.code]));
  const participants = demoServices(db, secret).participants;
  const rows = await db
    .select({ id: examParticipants.id, userId: examParticipants.userId, email: examParticipants.email })
    .from(examParticipants)
    .where(
      and(
        eq(examParticipants.examId, exam.id),
        inArray(
          examParticipants.email,
          people.map((p) => p.email),
        ),
      ),
    );
  const out: Simulated[] = [];
  for (const row of rows) {
    const [live] = await db
      .select({ id: attempts.id })
      .from(attempts)
      .where(
        and(
          eq(attempts.examId, exam.id),
          eq(attempts.userId, row.userId),
          sql`${attempts.status} in ('not_started', 'in_progress', 'paused')`,
        ),
      );
    if (live) {
      // Resume the attempt left running by the previous `npm start`: its cookie died
      // with that process, and only the token's hash is stored, so it gets a fresh token.
      const token = newToken();
      await db
        .update(attempts)
        .set({ attemptTokenHash: hashToken(token) })
        .where(eq(attempts.id, live.id));
      // The join snapshot's lastSeq tells the simulator where its sequence stands.
      const attemptCookie = `${live.id}.${token}`;
      if (await begin(baseUrl, attemptCookie, row.email)) out.push({ email: row.email, attemptCookie, seq: 0 });
      continue;
    }
    // A code is used once: a student whose attempt ended gets a new one, as the teacher would issue it.
    const code = fresh.get(row.email) ?? (await participants.regenerate(caller, exam.id, row.id)).code;
    const res = await fetch(`${baseUrl}/api/attempts/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: row.email, code }),
    });
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]!)
      .find((c) => c.startsWith(`${ATTEMPT_COOKIE}=`));
    if (!res.ok || !cookie) {
      // The demo goes on without this student (e.g. all 100 attempts used) rather than stop npm start.
      console.warn(`  Live hall demo: ${row.email} could not start: ${res.status} ${await res.text()}`);
      continue;
    }
    const attemptCookie = decodeURIComponent(cookie.split('=')[1]!);
    // Entering leaves the attempt in the lobby: the simulated student clicks Start at once.
    if (await begin(baseUrl, attemptCookie, row.email)) out.push({ email: row.email, attemptCookie, seq: 0 });
  }
  return { examId: exam.id, students: out };
}

/** Starts the clock of a lobby attempt (a no-op for a running one); false when refused. */
async function begin(baseUrl: string, attemptCookie: string, email: string): Promise<boolean> {
  const res = await fetch(`${baseUrl}/api/attempts/${attemptCookie.split('.')[0]}/begin`, {
    method: 'POST',
    headers: { cookie: `${ATTEMPT_COOKIE}=${attemptCookie}` },
  });
  if (!res.ok) console.warn(`  Live hall demo: ${email} could not begin: ${res.status} ${await res.text()}`);
  return res.ok;
}

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;

function connect(baseUrl: string, s: Simulated, deviceId: string) {
  const socket = io(baseUrl, {
    transports: ['websocket'],
    extraHeaders: { cookie: `${ATTEMPT_COOKIE}=${s.attemptCookie}` },
    reconnectionDelay: 2000,
  });
  const attemptId = s.attemptCookie.split('.')[0]!;
  socket.on('connect', () => {
    socket.emit('attempt:join', { attemptId, deviceId }, (r: AckReply<AttemptSnapshot>) => {
      if (r.ok) {
        s.snapshot = r.data;
        s.seq = Math.max(s.seq, r.data.lastSeq);
      }
    });
  });
  s.socket = socket;
}

/** One simulated student's next move. */
function act(s: Simulated) {
  const snap = s.snapshot;
  if (!snap || !s.socket?.connected || snap.clock.status !== 'in_progress') return;
  const attemptId = snap.attempt.id;
  const q = pick(snap.questions);
  const roll = Math.random();
  if (roll < 0.08) {
    s.socket.emit(
      'proctor:signal',
      {
        attemptId,
        type: pick(['tab_hidden', 'window_blur', 'window_blur', 'copy'] as const),
        clientEventId: randomBytes(9).toString('base64url'),
        durationMs: 1000 + Math.floor(Math.random() * 8000),
      },
      () => {},
    );
    return;
  }
  const options = (q.content.options as { id: string }[] | undefined) ?? [];
  const response =
    q.type === 'true_false'
      ? { value: Math.random() < 0.5 }
      : q.type === 'multiple_choice'
        ? { optionIds: options.filter(() => Math.random() < 0.5).map((o) => o.id) }
        : { optionId: pick(options).id };
  s.seq += 1;
  s.socket.emit(
    'answer:save',
    { attemptId, seq: s.seq, questionId: q.id, response, flagged: Math.random() < 0.1 },
    () => {},
  );
}

export async function startHallSimulator(opts: {
  db: Db;
  secret: string;
  baseUrl: string;
  teacherEmail: string;
  proctorEmail: string;
}): Promise<{ examId: string; stop: () => void }> {
  const { examId, students } = await prepare(opts.db, opts.secret, opts.baseUrl, opts.teacherEmail, opts.proctorEmail);
  students.forEach((s, i) => connect(opts.baseUrl, s, `sim-device-${i}-${randomBytes(4).toString('hex')}`));
  const timers: NodeJS.Timeout[] = [];
  students.forEach((s, i) => {
    timers.push(setInterval(() => act(s), 3000 + i * 700));
  });
  // One student's connection drops for a while every couple of minutes, like a flaky Wi-Fi.
  const flaky = students[students.length - 1];
  if (flaky) {
    timers.push(
      setInterval(() => {
        flaky.socket?.disconnect();
        setTimeout(() => flaky.socket?.connect(), 20_000);
      }, 120_000),
    );
  }
  return {
    examId,
    stop: () => {
      for (const t of timers) clearInterval(t);
      for (const s of students) s.socket?.close();
    },
  };
}
