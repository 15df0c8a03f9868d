// The results page's question statistics for the newer types: a short answer lists its most
// common answers (case and spaces folded) with a full-marks tick, a numeric one its answers in
// the key's unit, an essay how many are marked and the mean mark; prompts show as plain text, not
// HTML source; axe-core finds nothing serious on the page.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { request, type APIRequestContext, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createDb } from '../../../server/src/db/client.ts';
import { answers, questions } from '../../../server/src/db/schema/index.ts';
import { transitionAttempt } from '../../../server/src/modules/attempts/attempts.state.ts';
import { gradeAttempt } from '../../../server/src/modules/grading/grading.service.ts';
import { launchBrowser } from './chromium.ts';
import { apiAs, invite, newAccount, stamp, type Account } from './seed.ts';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const { db, pool } = createDb(inject('databaseUrl'), 2);

const QUESTIONS = [
  { type: 'short_answer', prompt: '<p>Capital of <strong>France</strong>?</p>', answerKey: { accepted: ['Paris'] } },
  {
    type: 'numeric',
    prompt: 'Length of the rod?',
    content: {
      units: [
        { unit: 'm', multiplier: 1 },
        { unit: 'cm', multiplier: 100 },
      ],
    },
    answerKey: { answers: [{ value: 1.5, tolerance: 0.05 }] },
  },
  { type: 'essay', prompt: 'Discuss <em>briefly</em>.', points: 4 },
];
/** Per student: short answer, numeric, essay. */
const RESPONSES = [
  [{ text: 'Paris' }, { value: 150, unit: 'cm' }, { html: '<p>First essay</p>' }],
  [{ text: '  PARIS ' }, { value: 1.5, unit: 'm' }, { html: '<p>Second essay</p>' }],
  [{ text: 'Lyon' }, { value: 2, unit: 'm' }, { html: '' }],
];

async function examWithAttempts(api: APIRequestContext) {
  const created = await api.post('/api/exams', {
    data: { title: `Stats per type ${stamp()}`, durationMinutes: 30, availableAnytime: true, shuffleQuestions: false },
  });
  const examId = (await created.json()).id as string;
  for (const q of QUESTIONS) expect((await api.post(`/api/exams/${examId}/questions`, { data: q })).status()).toBe(201);
  expect((await api.post(`/api/exams/${examId}/publish`)).status()).toBe(200);
  const qs = (await db.select().from(questions).where(eq(questions.examId, examId))).sort(
    (a, b) => a.position - b.position,
  );
  for (const [n, responses] of RESPONSES.entries()) {
    const email = `stats-${n}-${stamp()}@pupils.example`;
    const code = await invite(api, examId, email, `Pupil ${n}`);
    const student = await request.newContext({ baseURL: inject('baseUrl') });
    const started = await student.post('/api/attempts/start', { data: { email, code } });
    const attemptId = (await started.json()).attempt.id as string;
    expect((await student.post(`/api/attempts/${attemptId}/begin`)).status()).toBe(200);
    await student.dispose();
    await db
      .insert(answers)
      .values(responses.map((response, i) => ({ attemptId, questionId: qs[i]!.id, response, seq: i + 1 })));
    await transitionAttempt(db, attemptId, 'submitted');
    await gradeAttempt(db, attemptId);
    // Results count once final: the teacher marks the essays by hand (the empty one needs none).
    if (n < 2) {
      const mark = await api.put(`/api/exams/${examId}/grading/${attemptId}/questions/${qs[2]!.id}`, {
        data: { points: n === 0 ? 3 : 2, basedOn: null },
      });
      expect(mark.status()).toBe(200);
      await gradeAttempt(db, attemptId);
    }
  }
  return examId;
}

describe('question statistics for typed and hand-marked questions', { timeout: 90_000 }, () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let teacher: Account;
  let examId: string;

  beforeAll(async () => {
    teacher = await newAccount('teacher');
    const api = await apiAs(teacher);
    examId = await examWithAttempts(api);
    await api.dispose();
    browser = await launchBrowser();
    // bypassCSP only so axe-core can be injected.
    context = await browser.newContext({
      baseURL: inject('baseUrl'),
      viewport: { width: 1300, height: 900 },
      bypassCSP: true,
    });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(teacher.email);
    await page.getByLabel('Password').fill(teacher.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: /^Welcome, / }).waitFor();
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await pool.end();
  });

  it('lists the common answers and hand marks, readable and accessible', async () => {
    await page.goto(`/teach/exams/${examId}/results`);
    const stats = page.getByRole('table', { name: 'Statistics per question' });
    await stats.waitFor();
    const row = (name: RegExp) => stats.getByRole('row', { name });

    const short = row(/Capital of France\?/);
    await short.waitFor();
    expect(await short.textContent()).not.toContain('<strong>');
    const shortAnswers = short.getByRole('list', { name: 'Most common answers' }).getByRole('listitem');
    expect(await shortAnswers.allInnerTexts()).toEqual([
      expect.stringMatching(/^paris\s+2\s*\(full marks\)/),
      expect.stringMatching(/^lyon\s+1$/),
    ]);

    const numeric = row(/Length of the rod\?/).getByRole('list', { name: 'Most common answers' });
    expect(await numeric.getByRole('listitem').allInnerTexts()).toEqual([
      expect.stringMatching(/^1\.5 m\s+2\s*\(full marks\)/),
      expect.stringMatching(/^2 m\s+1$/),
    ]);

    // Two essays marked by hand (3 and 2 of 4); the empty one was settled at 0 without a mark.
    await row(/Discuss briefly\./)
      .getByText('2 marked, mean 2.5 of 4')
      .waitFor();

    await page.addScriptTag({ content: axeSource });
    const serious = await page.evaluate<string[]>(
      `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`,
    );
    expect(serious).toEqual([]);
  });
});
