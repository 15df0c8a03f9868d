// The codes CSV and the printable slips never invalidate codes already handed out; new codes
// come only from a reissue (one participant, or the confirmed bulk reissue of everyone not
// started, as CSV or as slips), and only for the count the teacher confirmed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import jsQRModule from 'jsqr';
import { PDFDocument } from 'pdf-lib';
import { auditLogs, examParticipants } from '../../src/db/schema/index.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { Client } from '../support/http-client.ts';
import { assignProctor, publishedExam, signedIn } from '../support/fixtures.ts';
import { issuedEarlierText, qrRuns, slipStartUrl } from '../../src/modules/participants/participants.slips.ts';

let t: TestSystem;
let teacher: Awaited<ReturnType<typeof signedIn>>;
beforeAll(async () => {
  t = await startTestSystem();
  teacher = await signedIn(t, 'teacher');
});
afterAll(() => t?.close());

// jsqr is CommonJS: what Node imports as its default is the function itself.
const jsQR = jsQRModule as unknown as typeof jsQRModule.default;
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

/** A PDF answer's bytes (the JSON client reads text), with the teacher's cookies and headers. */
async function pdfOf(c: Client, path: string, body?: unknown) {
  const res = await fetch(t.url + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      ...c.defaultHeaders,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(c.jar.size ? { cookie: c.cookieHeader() } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes };
}

/** How many pages and slips a slips PDF holds (the slip count is in its keywords). */
async function slipsIn(bytes: Uint8Array) {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  return { pages: doc.getPageCount(), keywords: doc.getKeywords(), title: doc.getTitle() };
}

describe('printable code slips', () => {
  it('print one slip per participant, 8 to a page, and change no code', async () => {
    const { examId, invited } = await examWith(9);
    const before = await storedCodes(examId);
    const res = await pdfOf(teacher, `/api/exams/${examId}/participants/codes/slips.pdf?tz=Europe/Berlin`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="?access-code-slips-/);
    expect(await slipsIn(res.bytes)).toMatchObject({ pages: 2, keywords: 'slips:9' });

    // Printing twice changes nothing: every code handed out still starts the exam.
    expect((await pdfOf(teacher, `/api/exams/${examId}/participants/codes/slips.pdf`)).status).toBe(200);
    expect(await storedCodes(examId)).toEqual(before);
    expect((await start(invited[4]!.email, invited[4]!.code)).status).toBe(201);

    const log = await auditOf(examId, 'participants.slips_printed');
    expect(log.map((l) => l.details)).toEqual([
      { slips: 9, newCodes: 0 },
      { slips: 9, newCodes: 0 },
    ]);
    expect(JSON.stringify(log)).not.toContain(invited[0]!.email);
  });

  it('say when a code was issued earlier, or used, instead of showing it', async () => {
    const issued = new Date('2026-12-01T08:30:00Z');
    const slip = { name: 'Ana', email: 'ana@x.example', code: null, codeIssuedAt: issued, codeUsedAt: null };
    expect(issuedEarlierText({ ...slip, codeStatus: 'unused' }, 'Europe/Berlin')).toBe(
      'Code issued earlier on 1 Dec 2026, 09:30 (Europe/Berlin); ask your teacher if you lost it.',
    );
    expect(
      issuedEarlierText({ ...slip, codeStatus: 'used', codeUsedAt: new Date('2026-12-02T09:00:00Z') }, 'UTC'),
    ).toMatch(/^Your code was used on 2 Dec 2026, 09:00 \(UTC\): you have started/);
  });

  it('carry a QR code that opens the start page with the email filled in, never the code', () => {
    const email = 'zoë+1@pupils.example';
    const url = slipStartUrl('https://exams.school.example', email);
    expect(url).toBe('https://exams.school.example/start?email=zo%C3%AB%2B1%40pupils.example');
    // Draw the slip's rectangles into pixels (4 px a module, 4 modules of quiet zone) and read them back.
    const { runs, modules } = qrRuns(url);
    const px = 4;
    const side = (modules + 8) * px;
    const rgba = new Uint8ClampedArray(side * side * 4).fill(255);
    for (const [x, y, len] of runs) {
      for (let row = (y + 4) * px; row < (y + 5) * px; row++) {
        for (let col = (x + 4) * px; col < (x + 4 + len) * px; col++) {
          rgba.fill(0, (row * side + col) * 4, (row * side + col) * 4 + 3);
        }
      }
    }
    const decoded = jsQR(rgba, side, side);
    expect(decoded?.data).toBe(url);
    expect(new URL(decoded!.data).searchParams.get('email')).toBe(email);
    expect([...new URL(decoded!.data).searchParams.keys()]).toEqual(['email']);
  });

  it('refuse a time zone that is not one, naming the field', async () => {
    const { examId } = await examWith(1);
    const res = await teacher.get(`/api/exams/${examId}/participants/codes/slips.pdf?tz=Mars/Olympus`);
    expect([res.status, res.body.error.fields[0].path]).toEqual([400, 'query.tz']);
  });

  it('are refused to students, proctors, other teachers and anonymous callers', async () => {
    const { examId } = await examWith(1);
    const proctor = await signedIn(t, 'proctor');
    await assignProctor(t, teacher, examId, proctor.user.id);
    const path = `/api/exams/${examId}/participants/codes/slips.pdf`;
    expect((await pdfOf(await signedIn(t, 'student'), path)).status).toBe(403);
    expect((await pdfOf(proctor, path)).status).toBe(403);
    expect((await pdfOf(await signedIn(t, 'teacher'), path)).status).toBe(404);
    expect((await pdfOf(new Client(t.url), path)).status).toBe(401);
    const admin = await pdfOf(await signedIn(t, 'admin'), path);
    expect([admin.status, (await slipsIn(admin.bytes)).keywords]).toEqual([200, 'slips:1']);
    expect(await auditOf(examId, 'participants.slips_printed')).toHaveLength(1);
  });
});

describe('reissue and print', () => {
  it('prints slips with the new codes for everyone not started, audited with the count', async () => {
    const { examId, invited } = await examWith(3);
    expect((await start(invited[0]!.email, invited[0]!.code)).status).toBe(201);
    const before = await storedCodes(examId);
    const res = await pdfOf(teacher, `/api/exams/${examId}/participants/codes/reissue`, {
      confirm: true,
      expected: 2,
      format: 'pdf',
      tz: 'Europe/Berlin',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(await slipsIn(res.bytes)).toMatchObject({ pages: 1, keywords: 'slips:2' });
    const after = await storedCodes(examId);
    const changed = after.filter((a) => before.find((b) => b.id === a.id)!.hash !== a.hash).map((a) => a.id);
    expect(changed.sort()).toEqual([invited[1]!.id, invited[2]!.id].sort());
    expect((await start(invited[1]!.email, invited[1]!.code)).status).toBe(401);
    const log = await auditOf(examId, 'participants.codes_reissued');
    expect(log.map((l) => l.details)).toEqual([{ count: 2, format: 'pdf' }]);
  });

  it('answers 409 and changes nothing when the confirmed count is no longer right', async () => {
    const { examId, invited } = await examWith(3);
    const preview = await teacher.get(`/api/exams/${examId}/participants/codes/reissue`);
    expect(preview.body).toEqual({ count: 3 });
    // Someone starts between the teacher's confirmation and the reissue.
    expect((await start(invited[2]!.email, invited[2]!.code)).status).toBe(201);
    const before = await storedCodes(examId);
    for (const format of ['csv', 'pdf']) {
      const res = await teacher.post(`/api/exams/${examId}/participants/codes/reissue`, {
        confirm: true,
        expected: 3,
        format,
      });
      expect(res.status).toBe(409);
      expect(res.body.error.message).toBe(
        'You confirmed new codes for 3 participants, but 2 have not started now (someone started, or was added or removed, meanwhile). Nothing was changed: check the count and confirm again.',
      );
    }
    expect(await storedCodes(examId)).toEqual(before);
    expect(await auditOf(examId, 'participants.codes_reissued')).toEqual([]);
    expect((await start(invited[0]!.email, invited[0]!.code)).status).toBe(201);

    for (const bad of [{ expected: -1 }, { expected: 1.5 }, { expected: '2' }, { format: 'docx' }, { tz: 'Nowhere' }]) {
      const res = await teacher.post(`/api/exams/${examId}/participants/codes/reissue`, { confirm: true, ...bad });
      expect([res.status, res.body.error.fields[0].path]).toEqual([400, `body.${Object.keys(bad)[0]}`]);
    }
    const ok = await teacher.post(`/api/exams/${examId}/participants/codes/reissue`, { confirm: true, expected: 1 });
    expect(ok.status).toBe(200);
    expect(csvRows(ok.body as string).map((r) => r[0])).toEqual(['email', invited[1]!.email]);
  });
});
