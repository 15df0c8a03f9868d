// A teacher marks an essay by hand: the Grading tab lists it, the answer sheet shows the
// essay with its rubric, the rubric marks fill the points, and saving the last mark makes
// the result final; the student's result page waited for it and then shows the feedback.
// With blind grading the queue shows a candidate instead of the name.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createDb } from '../../../server/src/db/client.ts';
import { answers, exams, questions } from '../../../server/src/db/schema/index.ts';
import { transitionAttempt } from '../../../server/src/modules/attempts/attempts.state.ts';
import { gradeAttempt } from '../../../server/src/modules/grading/grading.service.ts';
import { launchBrowser } from './chromium.ts';
import { apiAs, invite, newAccount, shot, stamp, type Account } from './seed.ts';

const baseUrl = inject('baseUrl');
const { db, pool } = createDb(inject('databaseUrl'), 2);
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Serious and critical axe-core findings on the page as it is now. */
async function seriousAxe(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  const found = await page.evaluate<{ id: string; impact: string | null; at: string[] }[]>(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({
      id: v.id, impact: v.impact, at: v.nodes.map((n) => n.target.join(' ')),
    })))`,
  );
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} at ${v.at}`);
}

const ESSAY = 'Water molecules are polar, so they pull the ions of salt apart; oil is not polar.';

describe('grading an essay by hand', { timeout: 120_000 }, () => {
  let browser: Browser;
  let teacher: Account;
  let examId: string;
  let attemptId: string;
  const studentName = `Noor Essayist ${stamp()}`;
  let student: BrowserContext;
  let teacherPage: Page;
  let teacherContext: BrowserContext;

  beforeAll(async () => {
    teacher = await newAccount('teacher');
    const api = await apiAs(teacher);
    const created = await api.post('/api/exams', {
      data: {
        title: `Essay drill ${stamp()}`,
        durationMinutes: 30,
        availableAnytime: true,
        resultsPolicy: 'immediately',
        allowReview: true,
        passingScore: 50,
      },
    });
    examId = (await created.json()).id;
    const tf = await api.post(`/api/exams/${examId}/questions`, {
      data: { type: 'true_false', prompt: 'Salt is an ionic compound.', answerKey: { correct: true } },
    });
    expect(tf.status()).toBe(201);
    const essay = await api.post(`/api/exams/${examId}/questions`, {
      data: {
        type: 'essay',
        prompt: 'Why does salt dissolve in water?',
        points: 5,
        content: { wordLimit: 200 },
        answerKey: {
          rubric: [
            { id: 'polar', criterion: 'Polarity', points: 3 },
            { id: 'ions', criterion: 'Ions', points: 2 },
          ],
          guidance: 'Both polarity and ions for full marks.',
        },
      },
    });
    expect(essay.status(), await essay.text()).toBe(201);
    expect((await api.post(`/api/exams/${examId}/publish`)).status()).toBe(200);
    const email = `noor-${stamp()}@pupils.example`;
    const code = await invite(api, examId, email, studentName);

    browser = await launchBrowser();
    // The student's browser holds the attempt cookie: their result page is theirs to open.
    student = await browser.newContext({ baseURL: baseUrl });
    const started = await student.request.post('/api/attempts/start', { data: { email, code } });
    expect(started.status()).toBe(201);
    attemptId = (await started.json()).attempt.id;
    expect((await student.request.post(`/api/attempts/${attemptId}/begin`)).status()).toBe(200);
    const qs = await db.select().from(questions).where(eq(questions.examId, examId));
    for (const [i, q] of qs.entries()) {
      const response = q.type === 'essay' ? { html: `<p>${ESSAY}</p>` } : { value: true };
      await db.insert(answers).values({ attemptId, questionId: q.id, response, seq: i + 1 });
    }
    await transitionAttempt(db, attemptId, 'submitted');
    await gradeAttempt(db, attemptId);
    // bypassCSP only so axe-core can be injected.
    teacherContext = await browser.newContext({
      baseURL: baseUrl,
      bypassCSP: true,
      viewport: { width: 1300, height: 900 },
    });
    teacherContext.setDefaultTimeout(15_000);
    teacherPage = await teacherContext.newPage();
    await teacherPage.goto('/sign-in');
    await teacherPage.getByLabel('Email').fill(teacher.email);
    await teacherPage.getByLabel('Password').fill(teacher.password);
    await teacherPage.getByRole('button', { name: 'Sign in' }).click();
    await teacherPage.getByRole('heading', { name: /^Welcome, / }).waitFor();
  }, 90_000);

  afterAll(async () => {
    await student?.close();
    await teacherContext?.close();
    await browser?.close();
    await pool.end();
  });

  it('the student waits for hand grading, the teacher marks the essay, the student sees the result and feedback', async () => {
    const studentPage = await student.newPage();
    // The page's own clock, so its 30-second re-check can be fast-forwarded instead of waited for.
    await studentPage.clock.install();
    await studentPage.goto(`/attempts/${attemptId}`);
    await studentPage.getByText(/waiting for hand grading \(1 answer to mark\)/).waitFor();

    const page = teacherPage;
    await page.goto(`/teach/exams/${examId}`);
    await page.getByRole('navigation', { name: 'Exam sections' }).getByRole('link', { name: 'Grading' }).click();
    await page.getByRole('heading', { name: 'Grading by hand', level: 2 }).waitFor();
    await page.getByText('1 answer waiting for a mark in 1 attempt').waitFor();
    await page.getByRole('button', { name: 'By question' }).click();
    expect(await page.getByRole('button', { name: 'By question' }).getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('row', { name: /Why does salt dissolve/ }).waitFor();
    expect(await seriousAxe(page)).toEqual([]);
    await page.getByRole('button', { name: 'By student' }).click();
    expect(await seriousAxe(page)).toEqual([]);
    await page.getByRole('link', { name: studentName }).click();

    await page.getByRole('heading', { name: `Answer sheet of ${studentName}`, level: 2 }).waitFor();
    await page.getByText(ESSAY).waitFor();
    await page.getByText('Waiting for a mark').waitFor();
    await page.getByText('Both polarity and ions for full marks.').waitFor();
    await shot(page, 'grading-sheet');
    expect(await seriousAxe(page)).toEqual([]);
    // A mark above the question's points is refused on the page, the field says why.
    await page.getByLabel('Points (0 to 5)').fill('7');
    await page.getByRole('button', { name: 'Save mark' }).click();
    await page.getByText('Points must be from 0 to 5.').waitFor();
    expect(await page.getByLabel('Points (0 to 5)').getAttribute('aria-invalid')).toBe('true');
    // The rubric fills the points.
    await page.getByLabel('Polarity (of 3)').fill('3');
    await page.getByLabel('Ions (of 2)').fill('1');
    expect(await page.getByLabel('Points (0 to 5)').inputValue()).toBe('4');
    await page.getByLabel(/^Feedback/).fill('Good on polarity; say how water surrounds each ion.');
    await page.getByRole('button', { name: 'Save mark' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Saved Question 2: 4 of 5 points. Every answer is marked' })
      .waitFor();
    await page.getByText('All marked: the result is final').waitFor();
    await page.getByText(/marked by hand by Teacher/).waitFor();
    expect(await seriousAxe(page)).toEqual([]);

    // The student's open page asks again (every 30 s while hand grading) and shows the result and feedback.
    await studentPage.clock.fastForward(31_000);
    await studentPage.getByRole('heading', { name: 'Your result' }).waitFor();
    await studentPage.getByText('5 of 6 points').waitFor();
    await studentPage.getByText('Good on polarity; say how water surrounds each ion.').waitFor();
    await shot(studentPage, 'grading-student-feedback');
  });

  it('hides the name in the queue with blind grading', async () => {
    await db.update(exams).set({ blindGrading: true }).where(eq(exams.id, examId));
    const page = teacherPage;
    // Back in the queue through a re-mark request from the sheet.
    await page.goto(`/teach/exams/${examId}/grading/${attemptId}`);
    await page.getByRole('heading', { name: /^Answer sheet of Candidate \d+$/ }).waitFor();
    expect(await page.getByText(studentName).count()).toBe(0);
    await page.getByRole('button', { name: 'Mark by hand question 1' }).click();
    await page.getByRole('status').filter({ hasText: 'Question 1 is back in the queue' }).waitFor();
    await page.goto(`/teach/exams/${examId}/grading`);
    await page.getByText('Blind grading is on').waitFor();
    await page.getByRole('link', { name: /^Candidate \d+$/ }).waitFor();
    expect(await page.getByText(studentName).count()).toBe(0);
    // The results table marks the score provisional and leads to the same sheet.
    await page.goto(`/teach/exams/${examId}/results`);
    await page.getByText('1 to mark by hand: provisional').waitFor();
    await page.getByRole('link', { name: `Answer sheet of ${studentName}` }).click();
    await page.getByRole('heading', { name: /^Answer sheet of Candidate \d+$/ }).waitFor();
  });
});
