// Question banks in a real browser: from the course page a teacher creates a bank, writes a
// question into it with the question form, and on the exam's questions page adds a section
// drawing at random from the bank: asking for more than the tag holds is refused with how
// many match, a smaller draw is added and the exam's question count follows. axe-core finds
// nothing serious on the bank page and the questions page with the sections panel.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { APIRequestContext, Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from './chromium.ts';
import { apiAs, newAccount, stamp, type Account } from './seed.ts';

const baseUrl = inject('baseUrl');

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate<string[]>(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`,
  );
}

describe('a question bank and an exam drawing from it', { timeout: 180_000 }, () => {
  let browser: Browser;
  let context: BrowserContext | undefined;
  let teacherAccount: Account;
  let teacher: APIRequestContext;
  let courseId = '';
  let examId = '';
  const bankName = `Algebra pool ${stamp()}`;

  beforeAll(async () => {
    browser = await launchBrowser();
    teacherAccount = await newAccount('teacher');
    teacher = await apiAs(teacherAccount);
    const course = await teacher.post('/api/courses', { data: { name: `Maths ${stamp()}` } });
    expect(course.status()).toBe(201);
    courseId = (await course.json()).id;
    const exam = await teacher.post('/api/exams', {
      data: { title: `Algebra test ${stamp()}`, durationMinutes: 20, availableAnytime: true, courseId },
    });
    expect(exam.status()).toBe(201);
    examId = (await exam.json()).id;
    const own = await teacher.post(`/api/exams/${examId}/questions`, {
      data: { type: 'true_false', prompt: 'Zero is even.', answerKey: { correct: true } },
    });
    expect(own.status()).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await teacher?.dispose();
  });

  it('creates a bank, writes a question into it and draws from it in a section', async () => {
    // bypassCSP: only so axe-core can be injected; the pages' own scripts run under the CSP as usual.
    context = await browser.newContext({ baseURL: baseUrl, bypassCSP: true, viewport: { width: 1400, height: 1000 } });
    context.setDefaultTimeout(15_000);
    const signIn = await context.request.post('/api/auth/sign-in', {
      data: { email: teacherAccount.email, password: teacherAccount.password },
      headers: { origin: baseUrl },
    });
    expect(signIn.status()).toBe(200);
    const page = await context.newPage();

    await page.goto(`/teach/courses/${courseId}`);
    await page.getByRole('link', { name: 'Question banks' }).click();
    await page.getByRole('heading', { name: 'Question banks', level: 1 }).waitFor();
    await page.getByLabel('Name').fill(bankName);
    await page.getByRole('button', { name: 'Create bank' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain(`“${bankName}” created`);
    await page.getByRole('link', { name: bankName }).click();
    await page.getByRole('heading', { name: bankName, level: 1 }).waitFor();

    // One question through the form, as a teacher writes it.
    await page.getByRole('button', { name: 'Add question' }).click();
    await page.getByLabel('Type').selectOption({ label: 'True or false' });
    await page.getByLabel('Statement').fill('x + x = 2x for every number x.');
    await page.getByLabel('True', { exact: true }).check();
    await page.getByText('Explanation, difficulty and tags').click();
    await page.getByLabel('Tags').fill('algebra');
    await page.getByRole('button', { name: 'Add question' }).click();
    await page.getByRole('heading', { name: 'Questions (1)' }).waitFor();
    const bankId = new URL(page.url()).pathname.split('/').pop()!;
    const listed = await (await teacher.get(`/api/banks/${bankId}/questions`)).json();
    expect(listed.questions).toMatchObject([{ type: 'true_false', tags: ['algebra'], answerKey: { correct: true } }]);

    // Five more through the API: six 'algebra' questions in all.
    for (let i = 0; i < 5; i++) {
      const res = await teacher.post(`/api/banks/${bankId}/questions`, {
        data: {
          type: 'true_false',
          prompt: `${i} squared is ${i * i}.`,
          answerKey: { correct: true },
          tags: ['algebra'],
        },
      });
      expect(res.status()).toBe(201);
    }
    await page.reload();
    await page.getByRole('heading', { name: 'Questions (6)' }).waitFor();
    await page.getByRole('heading', { name: 'Statistics across exams' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    // The exam's questions page: a random section of the bank's 'algebra' questions.
    await page.goto(`/teach/exams/${examId}/questions`);
    await page.getByRole('button', { name: 'Add a section from a bank' }).click();
    await page.getByLabel('Bank', { exact: true }).selectOption({ label: `${bankName} (6)` });
    await page.getByLabel('Questions to draw').fill('10');
    await page.getByLabel('Only with tag').selectOption('algebra');
    await page.getByRole('button', { name: 'Add section' }).click();
    // The server's 409 in the form's alert, and on the field it names.
    await page.getByRole('alert').filter({ hasText: 'Only 6 questions of' }).waitFor();
    await page.locator('.field-error', { hasText: 'Only 6 questions match; draw at most 6' }).waitFor();
    await page.getByLabel('Questions to draw').fill('4');
    await page.getByRole('button', { name: 'Add section' }).click();
    await expect
      .poll(() => page.locator('.sections-panel [role="status"]').textContent())
      .toContain('4 drawn at random per student');
    await page
      .getByText(`4 drawn at random per student from “${bankName}” (tag “algebra”).`, { exact: true })
      .waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    const exam = await (await teacher.get(`/api/exams/${examId}`)).json();
    expect(exam.questionCount).toBe(1 + 4);
  });
});
