// The codes CSV never invalidates codes already handed out; new codes come only from a
// reissue (one participant, or the confirmed bulk reissue of everyone not started).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditLogs, examParticipants } from '../../src/db/schema/index.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { Client } from '../support/http-client.ts';
import { assignProctor, publishedExam, signedIn } from '../support/fixtures.ts';

let t: TestSystem;
let teacher: Awaited<ReturnType<typeof signedIn>>;
beforeAll(async () => {
  t = await startTestSystem();
  teacher = await signedIn(t, 'teacher');
});
afterAll(() => t?.close());

const CODE_RE = /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/;
const uniq = () => Math.random().toString(36).slice(2, 9);

/** A published exam with `n` invited participants; answers their emails and plain codes. */
async function examWith(n: number) {
  const exam = await publishedExam(t, teacher);
  const invited: { email: string; code: string; id: string }[] = [];
  for (let i = 0; i < n; i++) {
    const email = `c${i}-${uniq()}@school.example`;
    const res = await teacher.post(`/api/exams/${exam.id}/participants`, { email });
    expect(res.status).toBe(201);
    invited.push({ email, code: res.body.code, id: res.body.participant.id });
  }
  invited.sort((a, b) => (a.email < b.email ? -1 : 1));
  return { examId: exam.id, invited };
}

const start = (email: string, code: string) => new Client(t.url).post('/api/attempts/start', { email, code });

/** The stored code columns of an exam's participants, to compare before and after. */
async function storedCodes(examId: string) {
  const rows = await t.system.db
    .select({
      id: examParticipants.id,
      hash: examParticipants.accessCodeHash,
      status: examParticipants.codeStatus,
      issuedAt: examParticipants.codeIssuedAt,
    })
    .from(examParticipants)
    .where(eq(examParticipants.examId, examId));
  return rows.sort((a, b) => (a.id < b.id ? -1 : 1));
}

function csvRows(text: string): string[][] {
  return text
    .trim()
    .split('\r\n')
    .map((l) => l.split(','));
}

async function auditOf(examId: string, action: string) {
  return t.system.db
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.targetId, examId), eq(auditLogs.action, action)));
}

describe('the codes CSV', () => {
  it('leaves every code handed out valid, and a second export changes nothing either', async () => {
    const { examId, invited } = await examWith(3);
    const before = await storedCodes(examId);

    const res = await teacher.post(`/api/exams/${examId}/participants/codes/export`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="?access-codes-/);
    const [header, ...rows] = csvRows(res.body as string);
    expect(header).toEqual(['email', 'name', 'code', 'code status', 'note']);
    expect(rows.map((r) => r[0])).toEqual(invited.map((i) => i.email));
    for (const [i, r] of rows.entries()) {
      expect(r[2]).toBe(''); // stored only as an HMAC: cannot be shown again
      expect(r[3]).toBe('unused');
      const issued = before.find((b) => b.id === invited[i]!.id)!.issuedAt;
      expect(r[4]).toBe(
        `issued earlier on ${issued.toISOString().slice(0, 16).replace('T', ' ')} UTC; reissue to get a new one`,
      );
    }
    for (const i of invited) expect(res.body as string).not.toContain(i.code);

    const again = await teacher.post(`/api/exams/${examId}/participants/codes/export`, {});
    expect(again.status).toBe(200);
    expect(await storedCodes(examId)).toEqual(before);
    // A code handed out before both exports still starts the exam.
    expect((await start(invited[0]!.email, invited[0]!.code)).status).toBe(201);

    const chosen = await teacher.post(`/api/exams/${examId}/participants/codes/export`, {
      participantIds: [invited[1]!.id],
    });
    expect(csvRows(chosen.body as string).map((r) => r[0])).toEqual(['email', invited[1]!.email]);
    const unknown = await teacher.post(`/api/exams/${examId}/participants/codes/export`, {
      participantIds: ['00000000-0000-4000-8000-000000000000'],
    });
    expect([unknown.status, unknown.body.error.fields[0].path]).toEqual([400, 'body.participantIds']);
    expect(await auditOf(examId, 'participants.codes_reissued')).toEqual([]);
  });

  it('is still available once the exam is archived, but reissuing is not', async () => {
    const { examId, invited } = await examWith(1);
    expect((await teacher.post(`/api/exams/${examId}/archive`)).status).toBe(200);
    const res = await teacher.post(`/api/exams/${examId}/participants/codes/export`);
    expect(res.status).toBe(200);
    expect(res.body as string).toContain(invited[0]!.email);
    const reissue = await teacher.post(`/api/exams/${examId}/participants/codes/reissue`, { confirm: true });
    expect([reissue.status, reissue.body.error?.message]).toEqual([
      409,
      'This exam is archived: new access codes can no longer be issued.',
    ]);
  });
});

describe('bulk reissue', () => {
  it('without confirm: true answers 400 and changes nothing', async () => {
    const { examId, invited } = await examWith(2);
    const before = await storedCodes(examId);
    for (const body of [undefined, {}, { confirm: false }, { confirm: 'true' }, { confirm: 1 }]) {
      const res = await teacher.post(`/api/exams/${examId}/participants/codes/reissue`, body);
      expect(res.status).toBe(400);
      expect(res.body.error.fields).toEqual([{ path: 'body.confirm', message: expect.stringMatching(/confirm/) }]);
    }
    expect(await storedCodes(examId)).toEqual(before);
    expect(await auditOf(examId, 'participants.codes_reissued')).toEqual([]);
    expect((await start(invited[1]!.email, invited[1]!.code)).status).toBe(201);
  });

  it('with confirm: true replaces the codes of everyone not started: old codes refused, new ones work', async () => {
    const { examId, invited } = await examWith(3);
    // The first one has started: their code is used and a reissue must leave them alone.
    expect((await start(invited[0]!.email, invited[0]!.code)).status).toBe(201);
    const preview = await teacher.get(`/api/exams/${examId}/participants/codes/reissue`);
    expect(preview.body).toEqual({ count: 2 });
    const startedBefore = (await storedCodes(examId)).find((r) => r.id === invited[0]!.id);

    const res = await teacher.post(`/api/exams/${examId}/participants/codes/reissue`, { confirm: true });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const [header, ...rows] = csvRows(res.body as string);
    expect(header).toEqual(['email', 'name', 'code']);
    expect(rows.map((r) => r[0])).toEqual([invited[1]!.email, invited[2]!.email]);

    for (const [n, r] of rows.entries()) {
      const old = invited[n + 1]!;
      expect(r[2]).toMatch(CODE_RE);
      expect(r[2]).not.toBe(old.code);
      const refused = await start(old.email, old.code);
      expect(refused.status).toBe(401);
    }
    expect((await start(rows[0]![0]!, rows[0]![2]!)).status).toBe(201);
    expect((await storedCodes(examId)).find((r) => r.id === invited[0]!.id)).toEqual(startedBefore);

    const log = await auditOf(examId, 'participants.codes_reissued');
    expect(log.map((l) => l.details)).toEqual([{ count: 2 }]);
    expect(JSON.stringify(log)).not.toContain(rows[1]![2]!);
    expect((await teacher.get(`/api/exams/${examId}/participants/codes/reissue`)).body).toEqual({ count: 1 });
  });

  it('is refused to students, proctors and other teachers, and nothing changes', async () => {
    const { examId, invited } = await examWith(1);
    const proctor = await signedIn(t, 'proctor');
    await assignProctor(t, teacher, examId, proctor.user.id);
    const before = await storedCodes(examId);
    const calls = (c: Client) => [
      c.post(`/api/exams/${examId}/participants/codes/reissue`, { confirm: true }),
      c.get(`/api/exams/${examId}/participants/codes/reissue`),
      c.post(`/api/exams/${examId}/participants/codes/export`, {}),
    ];
    for (const role of ['student', 'proctor'] as const) {
      const c = role === 'proctor' ? proctor : await signedIn(t, role);
      for (const res of await Promise.all(calls(c))) expect([role, res.status]).toEqual([role, 403]);
    }
    const other = await signedIn(t, 'teacher');
    for (const res of await Promise.all(calls(other))) expect(res.status).toBe(404);
    expect(
      (await new Client(t.url).post(`/api/exams/${examId}/participants/codes/reissue`, { confirm: true })).status,
    ).toBe(401);
    expect(await storedCodes(examId)).toEqual(before);
    const admin = await signedIn(t, 'admin');
    expect((await admin.get(`/api/exams/${examId}/participants/codes/reissue`)).body).toEqual({ count: 1 });
    expect((await start(invited[0]!.email, invited[0]!.code)).status).toBe(201);
  });
});
