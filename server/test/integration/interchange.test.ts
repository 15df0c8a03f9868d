// Importing and exporting question files over HTTP: the report, dry runs that save nothing,
// appending, downloads in each format that import back the same, hostile files (400, nothing
// saved), ownership (404), roles (403), banks, and the audit trail.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditLogs } from '../../src/db/schema/index.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import type { Client } from '../support/http-client.ts';
import { signedIn } from '../support/fixtures.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/interchange/${name}`, import.meta.url), 'utf8');
const moodle = fixture('moodle-all.xml');
const gift = fixture('gift-all.gift');
const qti = fixture('qti3-items.xml');

let t: TestSystem;
let teacher: Client;
let otherTeacher: Client;
let student: Client;

beforeAll(async () => {
  t = await startTestSystem();
  teacher = await signedIn(t, 'teacher');
  otherTeacher = await signedIn(t, 'teacher');
  student = await signedIn(t, 'student');
});
afterAll(() => t?.close());

async function newExam(title = 'Imported quiz'): Promise<string> {
  const res = await teacher.post('/api/exams', { title, durationMinutes: 30, availableAnytime: true });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}
const importFile = (examId: string, body: Record<string, unknown>, c = teacher) =>
  c.post(`/api/exams/${examId}/questions/import-file`, body);
const questionsOf = async (examId: string) =>
  (await teacher.get(`/api/exams/${examId}/questions`)).body.questions as Record<string, unknown>[];
// The server's HTML sanitiser leaves line breaks where it drops a tag (a QTI blockquote), which
// the importer folds; white space aside, the questions are the same.
const editable = (q: Record<string, unknown>) => {
  const { id: _id, examId: _e, bankId: _b, position: _p, prompt, ...rest } = q;
  return { ...rest, prompt: String(prompt).replace(/\s+/g, ' ').trim() };
};
const importAudits = async (examId: string) =>
  t.system.db
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.action, 'questions.imported'), eq(auditLogs.targetId, examId)));

describe('import into an exam', () => {
  it('a dry run answers the report and saves nothing', async () => {
    const examId = await newExam();
    const res = await importFile(examId, { format: 'moodle_xml', text: moodle, dryRun: true });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.dryRun).toBe(true);
    expect(res.body.report).toMatchObject({ format: 'moodle_xml', imported: 14, skipped: 4 });
    expect(res.body.report.entries[0]).toEqual({
      index: 1,
      name: 'Capital of France',
      sourceType: 'multichoice',
      outcome: 'imported',
      type: 'single_choice',
      reason: null,
      warnings: ['Feedback on answers is not imported'],
    });
    expect(res.body.questions).toEqual([]);
    expect(await questionsOf(examId)).toEqual([]);
    expect(await importAudits(examId)).toEqual([]);
  });

  it('imports Moodle XML, then GIFT after it, and audits each import', async () => {
    const examId = await newExam();
    const first = await importFile(examId, { format: 'moodle_xml', text: moodle });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.questions).toHaveLength(14);
    const second = await importFile(examId, { format: 'gift', text: gift });
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body.report).toMatchObject({ imported: 13, skipped: 2 });
    const list = await questionsOf(examId);
    expect(list).toHaveLength(27);
    expect(list.map((q) => q.position)).toEqual([...Array(27).keys()]);
    expect(list[14]).toMatchObject({
      type: 'single_choice',
      prompt: "Who's buried in Grant's tomb?",
      tags: ['History'],
    });
    expect((await importAudits(examId)).map((a) => a.details)).toEqual([
      { count: 14, mode: 'append' },
      { count: 13, mode: 'append' },
    ]);
  });

  it.each([
    ['moodle_xml', moodle, 'moodle.xml', 'application/xml'],
    ['gift', gift, 'gift.txt', 'text/plain'],
    ['qti3', qti, 'qti.xml', 'application/xml'],
  ] as const)(
    '%s: export downloads a file that imports back as the same questions',
    async (format, text, ext, type) => {
      const examId = await newExam('Round trip');
      expect((await importFile(examId, { format, text })).status).toBe(200);
      const res = await teacher.get(`/api/exams/${examId}/questions/export/${format}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="round-trip-questions.${ext}"`);
      const copy = await newExam('Copy');
      const again = await importFile(copy, { format, text: res.body as string });
      expect(again.status, JSON.stringify(again.body)).toBe(200);
      expect(again.body.report.skipped).toBe(0);
      expect((await questionsOf(copy)).map(editable)).toEqual((await questionsOf(examId)).map(editable));
    },
  );
});

describe('hostile and empty files: 400 naming body.text, nothing saved', () => {
  const xxe = `<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]><quiz><question type="truefalse"><questiontext><text>&x;</text></questiontext><answer fraction="100"><text>true</text></answer></question></quiz>`;
  const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><quiz>&c;</quiz>`;
  it.each([
    ['XXE entity', 'moodle_xml', xxe, /DTD or entities/],
    ['billion laughs', 'qti3', laughs, /DTD or entities/],
    ['garbage', 'moodle_xml', '\u00ff\u00fe garbage', /not well-formed XML/],
    ['a 6 MB file', 'gift', `Big {T}\n\n${'x'.repeat(6 * 1024 * 1024)}`, /too large: at most 5 MB/],
    ['no questions', 'moodle_xml', '<quiz></quiz>', /This Moodle XML file has no questions/],
    [
      'nothing that maps',
      'gift',
      '::D:: Just a description.',
      /None of the 1 questions in this GIFT file can be imported: GIFT description/,
    ],
  ])('%s', async (_label, format, text, message) => {
    const examId = await newExam();
    const res = await importFile(examId, { format, text });
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(400);
    expect(res.body.error.message).toMatch(message);
    expect(res.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['body.text']);
    expect(await questionsOf(examId)).toEqual([]);
    expect(await importAudits(examId)).toEqual([]);
  });

  it('an unknown format is a 400 naming the field', async () => {
    const examId = await newExam();
    const res = await importFile(examId, { format: 'docx', text: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.error.fields[0].path).toBe('body.format');
    const exp = await teacher.get(`/api/exams/${examId}/questions/export/docx`);
    expect(exp.status).toBe(400);
    expect(exp.body.error.fields[0].path).toBe('params.format');
  });
});

describe('who may', () => {
  it("another teacher gets 404 for someone else's exam; a student 403", async () => {
    const examId = await newExam();
    expect((await importFile(examId, { format: 'gift', text: gift }, otherTeacher)).status).toBe(404);
    expect((await importFile(examId, { format: 'gift', text: gift, dryRun: true }, otherTeacher)).status).toBe(404);
    expect((await otherTeacher.get(`/api/exams/${examId}/questions/export/gift`)).status).toBe(404);
    expect((await importFile(examId, { format: 'gift', text: gift }, student)).status).toBe(403);
    expect((await student.get(`/api/exams/${examId}/questions/export/qti3`)).status).toBe(403);
    expect(await questionsOf(examId)).toEqual([]);
  });
});

describe('banks', () => {
  it('imports into a bank of the teacher’s course and exports it; not into another teacher’s bank', async () => {
    const course = await teacher.post('/api/courses', { name: 'Imported course' });
    expect(course.status).toBe(201);
    const bank = await teacher.post(`/api/courses/${course.body.id}/banks`, { name: 'Moodle pool' });
    expect(bank.status, JSON.stringify(bank.body)).toBe(201);
    const bankId = bank.body.id as string;
    const dry = await teacher.post(`/api/banks/${bankId}/questions/import-file`, {
      format: 'qti3',
      text: qti,
      dryRun: true,
    });
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect((await teacher.get(`/api/banks/${bankId}/questions`)).body.questions).toEqual([]);
    const res = await teacher.post(`/api/banks/${bankId}/questions/import-file`, { format: 'qti3', text: qti });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.questions).toHaveLength(9);
    expect(res.body.questions.every((q: { bankId: string }) => q.bankId === bankId)).toBe(true);
    const exp = await teacher.get(`/api/banks/${bankId}/questions/export/gift`);
    expect(exp.status).toBe(200);
    expect(exp.headers.get('content-disposition')).toBe('attachment; filename="moodle-pool-questions.gift.txt"');
    expect(exp.body).toContain('::Look at the map. What is the capital of::');
    expect(
      (await otherTeacher.post(`/api/banks/${bankId}/questions/import-file`, { format: 'qti3', text: qti })).status,
    ).toBe(404);
    expect((await otherTeacher.get(`/api/banks/${bankId}/questions/export/gift`)).status).toBe(404);
  });
});
