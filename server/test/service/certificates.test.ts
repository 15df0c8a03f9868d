// Certificate rules against the database: a graded pass of an exam that issues
// certificates gets one; an unchanged result changes nothing; a corrected score
// supersedes it (old one revoked, new one issued); a result that no longer passes
// revokes it; a fail, or an exam without certificates, gets none. A teacher's
// revocation happens once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { answers, attempts, certificates, questions } from '../../src/db/schema/index.ts';
import { evaluateAttempt } from '../../src/modules/certificates/certificates.evaluate.ts';
import { gradeAttempt } from '../../src/modules/grading/grading.service.ts';
import { startServiceWorld, type Person, type ServiceWorld } from '../support/service-world.ts';

let w: ServiceWorld;
let teacher: Person;
let certifying: string;
let plain: string;

beforeAll(async () => {
  w = await startServiceWorld();
  teacher = await w.person('teacher');
  certifying = (await w.publishedExam(teacher, { issueCertificates: true, passingScore: 60 })).id;
  plain = (await w.publishedExam(teacher, { issueCertificates: false, passingScore: 60 })).id;
});
afterAll(() => w?.close());

/** A submitted, graded attempt answering `right` of the exam's three questions correctly. */
async function graded(examId: string, right: number) {
  const attempt = await w.entered(teacher, examId);
  await w.begin(attempt);
  const id = attempt.id;
  const qs = await w.db.select().from(questions).where(eq(questions.examId, examId)).orderBy(questions.position);
  let seq = 0;
  for (const [i, q] of qs.entries()) {
    const response = { optionId: i < right ? 'a' : 'b' };
    await w.db.insert(answers).values({ attemptId: id, questionId: q.id, response, seq: ++seq });
  }
  await w.submit(id);
  await gradeAttempt(w.db, id);
  return id;
}

const evaluate = (attemptId: string) => evaluateAttempt(w.db, 'Service School', attemptId);
const certificatesOf = (attemptId: string) =>
  w.db.select().from(certificates).where(eq(certificates.attemptId, attemptId));

describe('certificate evaluation', () => {
  it('a pass gets one certificate; evaluating again changes nothing', async () => {
    const id = await graded(certifying, 3);
    const first = await evaluate(id);
    expect(first.action).toBe('created');
    expect(await evaluate(id)).toMatchObject({ action: 'none' });
    const rows = await certificatesOf(id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.revokedAt).toBeNull();
  });

  it('a fail below the pass mark, or an exam without certificates, gets none', async () => {
    const failed = await graded(certifying, 1);
    const [a] = await w.db.select().from(attempts).where(eq(attempts.id, failed));
    expect(a!.passed).toBe(false);
    expect(await evaluate(failed)).toEqual({ action: 'none', reason: 'not passed' });
    const passedPlain = await graded(plain, 3);
    expect(await evaluate(passedPlain)).toEqual({ action: 'none', reason: 'the exam does not issue certificates' });
    expect(await certificatesOf(failed)).toHaveLength(0);
    expect(await certificatesOf(passedPlain)).toHaveLength(0);
  });

  it('a corrected score supersedes the certificate; a result that no longer passes revokes it', async () => {
    const id = await graded(certifying, 3);
    const created = await evaluate(id);
    if (created.action !== 'created') throw new Error(created.action);
    // Still a pass, with another score.
    await w.db.update(attempts).set({ score: 2, percentage: 66.67 }).where(eq(attempts.id, id));
    const superseded = await evaluate(id);
    expect(superseded).toMatchObject({ action: 'superseded', revokedId: created.certificateId });
    const live = await w.db
      .select()
      .from(certificates)
      .where(and(eq(certificates.attemptId, id), eq(certificates.status, 'pending')));
    expect(live.map((c) => c.id)).toEqual([(superseded as { certificateId: string }).certificateId]);
    await w.db.update(attempts).set({ score: 1, percentage: 33.33, passed: false }).where(eq(attempts.id, id));
    expect(await evaluate(id)).toMatchObject({ action: 'revoked' });
    const rows = await certificatesOf(id);
    expect(rows).toHaveLength(2);
    for (const c of rows) expect(c.revokedAt).not.toBeNull();
  });

  it("a teacher's revocation happens once", async () => {
    const id = await graded(certifying, 3);
    const created = await evaluate(id);
    if (created.action !== 'created') throw new Error(created.action);
    const revoked = await w.services.certificates.revoke(teacher.caller, created.certificateId, 'Copied answers');
    expect(revoked.status).toBe('revoked');
    await expect(w.services.certificates.revoke(teacher.caller, created.certificateId, 'Again')).rejects.toMatchObject({
      status: 409,
    });
    // Another teacher cannot see it at all.
    const other = await w.person('teacher');
    await expect(w.services.certificates.revoke(other.caller, created.certificateId, 'x')).rejects.toMatchObject({
      status: 404,
    });
  });
});
