// The share counter: a student's certificate list says how often each certificate was
// checked on the public verification page (all lookups, those from the QR code, the
// latest), counted from the verification log. Lookups of other certificates and of ids
// that match nothing are not counted. Log rows may be written just after the answer, so
// the test waits for the count instead of sleeping.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { certificates } from '../../src/db/schema/index.ts';
import { evaluateAttempt } from '../../src/modules/certificates/certificates.evaluate.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { publishedExam, signedIn } from '../support/fixtures.ts';
import { gradedAttempt, signInStudent, waitFor } from '../support/certificates.ts';
import { Client } from '../support/http-client.ts';

let t: TestSystem;
let teacher: Awaited<ReturnType<typeof signedIn>>;

beforeAll(async () => {
  t = await startTestSystem({ VERIFY_MAX_PER_IP_PER_MINUTE: '1000' });
  teacher = await signedIn(t, 'teacher');
});
afterAll(async () => {
  await t?.close();
});

interface Counted {
  id: string;
  publicId: string;
  verifications: { total: number; qr: number; last: string | null };
}

/** A passed attempt with its (pending) certificate, and its student signed in. */
async function certified() {
  const exam = await publishedExam(t, teacher, { issueCertificates: true, passingScore: 50 });
  const pass = await gradedAttempt(t, teacher, exam.id, true);
  await evaluateAttempt(t.system.db, 'Test Institute', pass.attemptId);
  const [cert] = await t.system.db.select().from(certificates).where(eq(certificates.attemptId, pass.attemptId));
  const student = await signInStudent(t, pass.attemptId);
  return { cert: cert!, student };
}

async function mine(student: Client): Promise<Counted[]> {
  const res = await student.get<Counted[]>('/api/me/certificates');
  expect(res.status).toBe(200);
  return res.body;
}

describe('share counter', () => {
  it('counts lookups of each certificate, those by QR code and the latest, for its holder only', async () => {
    const a = await certified();
    const b = await certified();
    // Never checked: zero, and no time.
    expect((await mine(a.student)).find((c) => c.id === a.cert.id)!.verifications).toEqual({
      total: 0,
      qr: 0,
      last: null,
    });

    const anyone = new Client(t.url);
    const before = Date.now();
    for (const via of ['', '?via=qr', '', '?via=qr', '?via=link']) {
      expect((await anyone.get(`/api/verify/${a.cert.publicId}${via}`)).status).toBe(200);
    }
    expect((await anyone.get(`/api/verify/${b.cert.publicId}?via=qr`)).status).toBe(200);
    // An id that matches nothing is logged without a certificate and counts for no one.
    expect((await anyone.get(`/api/verify/${'x'.repeat(22)}`)).body).toMatchObject({ status: 'not_found' });

    const counted = await waitFor('five lookups of the first certificate', async () => {
      const c = (await mine(a.student)).find((x) => x.id === a.cert.id)!;
      return c.verifications.total >= 5 && c;
    });
    expect(counted.verifications).toMatchObject({ total: 5, qr: 2 });
    const last = Date.parse(counted.verifications.last!);
    expect(last).toBeGreaterThanOrEqual(before - 1000);
    expect(last).toBeLessThanOrEqual(Date.now() + 1000);

    // The other student's list holds only their own certificate and its own count.
    const other = await waitFor('one lookup of the second certificate', async () => {
      const list = await mine(b.student);
      return list.length === 1 && list[0]!.verifications.total >= 1 && list;
    });
    expect(other.map((c) => c.id)).toEqual([b.cert.id]);
    expect(other[0]!.verifications).toMatchObject({ total: 1, qr: 1 });

    // The single-certificate view carries the same count.
    const one = await a.student.get<Counted>(`/api/certificates/${a.cert.id}`);
    expect(one.status).toBe(200);
    expect(one.body.verifications).toMatchObject({ total: 5, qr: 2 });
  });
});
