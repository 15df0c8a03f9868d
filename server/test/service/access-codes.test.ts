// Claiming an exam with an email and access code, through the attempts service: a code
// works once, a reissued code replaces the old one at once, a suspended account cannot
// start, and wrong guesses per email run out after a few free tries (429), right code or not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { startWithCodeBodySchema, suspendSchema } from '@exam-hall/protocol';
import { attempts, examParticipants } from '../../src/db/schema/index.ts';
import { ctx, startServiceWorld, type Person, type ServiceWorld } from '../support/service-world.ts';

let w: ServiceWorld;
let teacher: Person;
let examId: string;

beforeAll(async () => {
  // Three free wrong tries per email (the default), a generous budget per IP.
  w = await startServiceWorld({ CODE_FREE_TRIES_PER_EMAIL: '3' });
  teacher = await w.person('teacher');
  examId = (await w.publishedExam(teacher)).id;
});
afterAll(() => w?.close());

async function invited(email = `s-${Math.random().toString(36).slice(2, 10)}@school.example`) {
  const added = await w.services.participants.add(teacher.caller, examId, { email });
  return { email, code: added.code, participantId: added.participant.id };
}

const claim = (email: string, code: string, ip = ctx.ip) =>
  w.services.attempts.startWithCode(startWithCodeBodySchema.parse({ email, code }), { ...ctx, ip });

async function participant(id: string) {
  const [p] = await w.db.select().from(examParticipants).where(eq(examParticipants.id, id));
  return p!;
}

const attemptsOf = (participantId: string) =>
  w.db.select().from(attempts).where(eq(attempts.participantId, participantId));

/** A code that is not this one (same shape). */
const wrong = (code: string) => (code.startsWith('2') ? '3' : '2') + code.slice(1);

describe('access codes', () => {
  it('a code starts one attempt; the second claim is refused as used', async () => {
    const s = await invited();
    await claim(s.email, s.code);
    expect((await participant(s.participantId)).codeStatus).toBe('used');
    await expect(claim(s.email, s.code)).rejects.toMatchObject({ status: 409, code: 'code_used' });
    expect(await attemptsOf(s.participantId)).toHaveLength(1);
  });

  it('a reissued code replaces the old one at once', async () => {
    const s = await invited();
    const fresh = await w.services.participants.regenerate(teacher.caller, examId, s.participantId);
    expect(fresh.code).not.toBe(s.code);
    await expect(claim(s.email, s.code)).rejects.toMatchObject({ status: 401, code: 'invalid_code' });
    await claim(s.email, fresh.code);
    expect(await attemptsOf(s.participantId)).toHaveLength(1);
  });

  it('a suspended account cannot start, and its code stays unused', async () => {
    const student = await w.person('student');
    const s = await invited(student.email);
    const admin = await w.person('admin');
    await w.services.users.suspend(admin.caller, student.id, suspendSchema.parse({}));
    await expect(claim(s.email, s.code)).rejects.toMatchObject({ status: 403 });
    expect((await participant(s.participantId)).codeStatus).not.toBe('used');
    expect(await attemptsOf(s.participantId)).toHaveLength(0);
  });

  it('wrong guesses for one email run out after the free tries, even from other addresses', async () => {
    const s = await invited();
    for (let i = 0; i < 3; i++) {
      await expect(claim(s.email, wrong(s.code), `10.0.0.${i + 1}`)).rejects.toMatchObject({
        status: 401,
        code: 'invalid_code',
      });
    }
    await expect(claim(s.email, wrong(s.code), '10.0.0.9')).rejects.toMatchObject({ status: 429 });
    // The limit holds before the check: the right code waits too, and nothing was claimed.
    await expect(claim(s.email, s.code, '10.0.0.10')).rejects.toMatchObject({ status: 429 });
    expect((await participant(s.participantId)).codeStatus).not.toBe('used');
    // Another email's budget is its own.
    const other = await invited();
    await claim(other.email, other.code, '10.0.0.9');
  });
});
