// The service tier's world: the system's services built by the composition root
// (createSystem), against a cloned database of the file's own, with nothing listening.
// Tests call service methods directly (no HTTP, no sockets) and read the rows back.
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { examCreateSchema, startWithCodeBodySchema, type Role } from '@exam-hall/protocol';
import { loadConfig } from '../../src/config/config.ts';
import { createSystem, type System } from '../../src/system.ts';
import { hashPassword } from '../../src/modules/auth/auth.passwords.ts';
import { insertUser } from '../../src/modules/auth/auth.repository.ts';
import { questions } from '../../src/db/schema/index.ts';
import { createTestDatabase } from './test-db.ts';

type Services = System['services'];
/** A signed-in person as services see them (the same shape the HTTP layer hands over). */
export type Actor = Parameters<Services['exams']['get']>[0];
/** An actor with where the call came from, for changes (audited). */
export type Caller = Parameters<Services['exams']['create']>[0];

export interface Person {
  id: string;
  email: string;
  password: string;
  actor: Actor;
  caller: Caller;
  sessionId: string;
}

export interface Entered {
  id: string;
  /** Who holds the attempt: its cookie, as the browser that entered has it. */
  who: { actor: null; attemptCookie: string | undefined };
}

export interface ServiceWorld {
  system: System;
  services: Services;
  db: System['db'];
  /** A new account of `role` with one live session (as after signing in). */
  person: (role: Role) => Promise<Person>;
  /** A published exam of `teacher` with three single-choice questions ('a' correct). */
  publishedExam: (teacher: Person, settings?: Record<string, unknown>) => Promise<{ id: string }>;
  /** A fresh student invited by `teacher`, entered with the code: an attempt in the lobby. */
  entered: (teacher: Person, examId: string) => Promise<Entered>;
  /** Starts the clock of a lobby attempt (the student's "Start exam"). */
  begin: (attempt: Entered) => Promise<{ began: boolean }>;
  /** The student's submit (what the socket's attempt:submit calls). */
  submit: (attemptId: string) => Promise<{ status: string }>;
  close: () => Promise<void>;
}

export const ctx = { ip: '127.0.0.1', userAgent: 'service-test' };

export async function startServiceWorld(env: Record<string, string> = {}): Promise<ServiceWorld> {
  const database = await createTestDatabase();
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: database.url,
    DATABASE_POOL_MAX: '5',
    REDIS_PREFIX: `s${randomBytes(4).toString('hex')}`,
    PORT: '0',
    SERVE_WEB: 'false',
    PUBLIC_URL: 'http://localhost:3000',
    ...env,
  });
  const system = await createSystem(config, { log: pino({ level: 'silent' }), migrate: false });
  const services = system.services;
  let n = 0;

  async function person(role: Role): Promise<Person> {
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const email = `${role}-${++n}-${randomBytes(3).toString('hex')}@service.example`;
    const user = await insertUser(system.db, {
      email,
      name: `Service ${role} ${n}`,
      role,
      status: 'active',
      passwordHash: await hashPassword(password),
    });
    const session = await system.db.transaction((tx) => system.auth.startSession(tx, user, ctx));
    const auth = await system.auth.authenticate(session.accessToken);
    if (!auth.actor) throw new Error(`no actor for a fresh session: ${auth.problem}`);
    const actor = auth.actor;
    return { id: user.id, email, password, actor, caller: { actor, ip: ctx.ip }, sessionId: session.sessionId };
  }

  async function publishedExam(teacher: Person, settings: Record<string, unknown> = {}) {
    // Parsed by the protocol's schema, as route() does before a service sees a body.
    const input = examCreateSchema.parse({
      title: `Service exam ${++n}`,
      durationMinutes: 30,
      availableAnytime: true,
      ...settings,
    });
    const exam = await services.exams.create(teacher.caller, input);
    await system.db.insert(questions).values(
      [0, 1, 2].map((position) => ({
        examId: exam.id,
        type: 'single_choice' as const,
        prompt: `Question ${position + 1}`,
        content: {
          options: [
            { id: 'a', text: 'A' },
            { id: 'b', text: 'B' },
          ],
        },
        answerKey: { correct: 'a' },
        position,
      })),
    );
    await services.exams.publish(teacher.caller, exam.id);
    return { id: exam.id };
  }

  async function entered(teacher: Person, examId: string): Promise<Entered> {
    const email = `s-${++n}-${randomBytes(3).toString('hex')}@school.example`;
    const added = await services.participants.add(teacher.caller, examId, { email });
    const started = await services.attempts.startWithCode(
      startWithCodeBodySchema.parse({ email, code: added.code }),
      ctx,
    );
    return {
      id: started.response.attempt.id,
      who: { actor: null, attemptCookie: started.attemptCookie ?? undefined },
    };
  }

  type Joined = Parameters<Services['attemptLive']['submit']>[0];

  return {
    system,
    services,
    db: system.db,
    person,
    publishedExam,
    entered,
    begin: (a) => services.attempts.begin(a.id, a.who, ctx),
    // Submitting reads only the attempt's id from the joined socket's state.
    submit: (attemptId) => services.attemptLive.submit({ attemptId } as Joined, ctx),
    async close() {
      await system.close();
      await database.drop();
    },
  };
}
