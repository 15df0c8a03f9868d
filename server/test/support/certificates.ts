// Passed, graded attempts with certificates, for the certificate tests.
import { eq } from 'drizzle-orm';
import { answers, attempts, questions, users } from '../../src/db/schema/index.ts';
import { gradeAttempt } from '../../src/modules/grading/grading.service.ts';
import { transitionAttempt } from '../../src/modules/attempts/attempts.state.ts';
import { hashPassword } from '../../src/modules/auth/auth.passwords.ts';
import type { TestSystem } from './test-system.ts';
import { Client } from './http-client.ts';
import { startedAttempt } from './fixtures.ts';

/** Starts, answers (all right, or all wrong), submits and grades an attempt. */
export async function gradedAttempt(t: TestSystem, teacher: Client, examId: string, correct = true) {
  const started = await startedAttempt(t, teacher, examId);
  const qs = await t.system.db.select().from(questions).where(eq(questions.examId, examId));
  let seq = 0;
  for (const q of qs) {
    const right = (q.answerKey as { correct: unknown }).correct;
    const response =
      q.type === 'true_false' ? { value: correct ? right : !right } : { optionId: correct ? right : 'c' };
    await t.system.db.insert(answers).values({ attemptId: started.attemptId, questionId: q.id, response, seq: ++seq });
  }
  await transitionAttempt(t.system.db, started.attemptId, 'submitted');
  const outcome = await gradeAttempt(t.system.db, started.attemptId);
  return { ...started, outcome: outcome! };
}

/** Gives the invited student of an attempt a password and signs them in. */
export async function signInStudent(t: TestSystem, attemptId: string) {
  const [a] = await t.system.db.select().from(attempts).where(eq(attempts.id, attemptId));
  const password = 'student-password-123';
  const [u] = await t.system.db
    .update(users)
    .set({ passwordHash: await hashPassword(password), status: 'active' })
    .where(eq(users.id, a!.userId))
    .returning();
  const c = new Client(t.url);
  await c.signIn(u!.email, password);
  return Object.assign(c, { user: { id: u!.id, email: u!.email } });
}

export async function waitFor<T>(what: string, check: () => Promise<T | null | undefined | false>, ms = 20_000) {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
