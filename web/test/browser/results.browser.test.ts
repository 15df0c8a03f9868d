import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Browser, BrowserContext, Download, Page } from 'playwright-core';
import { createDb } from '../../../server/src/db/client.ts';
import { answers, attempts, certificates, questions } from '../../../server/src/db/schema/index.ts';
import { transitionAttempt } from '../../../server/src/modules/attempts/attempts.state.ts';
import { gradeAttempt } from '../../../server/src/modules/grading/grading.service.ts';
import { Client } from '../../../server/test/support/http-client.ts';
import { downloadedBytes, launchBrowser } from './chromium.ts';

const baseUrl = inject('baseUrl');
const teacherEmail = inject('teacherEmail');
const teacherPassword = inject('teacherPassword');
const { db, pool } = createDb(inject('databaseUrl'), 2);
const SHOTS = process.env.SCREENSHOT_DIR;

async function shot(page: Page, name: string) {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

async function signIn(page: Page, email: string, password: string) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: /^Welcome, /, level: 1 }).waitFor();
}

async function status(page: Page, text: string | RegExp) {
  await page.getByRole('status').filter({ hasText: text }).first().waitFor();
}

const isFocused = (page: Page, label: string) =>
  page.getByLabel(label, { exact: true }).evaluate((el) => el === document.activeElement);

/** An exam of the demo teacher with two graded attempts (one with an issued certificate), made through the API. */
async function examWithResults() {
  const api = new Client(baseUrl);
  expect((await api.signIn(teacherEmail, teacherPassword)).status).toBe(200);
  const exam = (
    await api.post('/api/exams', {
      title: `Results drill ${Date.now().toString(36)}`,
      durationMinutes: 30,
      availableAnytime: true,
      resultsPolicy: 'on_release',
      passingScore: 50,
    })
  ).body as { id: string; title: string };
  for (const prompt of ['The sky is blue.', 'Water boils at 50 °C at sea level.']) {
    const q = await api.post(`/api/exams/${exam.id}/questions`, {
      type: 'true_false',
      prompt,
      answerKey: { correct: prompt.startsWith('The sky') },
    });
    expect(q.status).toBe(201);
  }
  expect((await api.post(`/api/exams/${exam.id}/publish`)).status).toBe(200);
  const qs = await db.select().from(questions).where(eq(questions.examId, exam.id));
  const taken: { attemptId: string; email: string }[] = [];
  for (const [who, right] of [
    ['ada', 2],
    ['ben', 1],
  ] as const) {
    const email = `${who}-${Date.now().toString(36)}@pupils.example`;
    const invited = await api.post(`/api/exams/${exam.id}/participants`, { email, name: `${who} tester` });
    const s = new Client(baseUrl);
    const started = await s.post('/api/attempts/start', { email, code: invited.body.code });
    const attemptId = started.body.attempt.id as string;
    expect((await s.post(`/api/attempts/${attemptId}/begin`)).status).toBe(200);
    for (const [i, q] of qs.entries()) {
      const correct = (q.answerKey as { correct: boolean }).correct;
      await db
        .insert(answers)
        .values({ attemptId, questionId: q.id, response: { value: i < right ? correct : !correct }, seq: i + 1 });
    }
    await transitionAttempt(db, attemptId, 'submitted');
    await gradeAttempt(db, attemptId);
    taken.push({ attemptId, email });
  }
  await db.update(attempts).set({ riskScore: 64 }).where(eq(attempts.id, taken[1]!.attemptId));
  const [ada] = await db.select().from(attempts).where(eq(attempts.id, taken[0]!.attemptId));
  await db.insert(certificates).values({
    userId: ada!.userId,
    examId: exam.id,
    attemptId: ada!.id,
    publicId: `browserresults${Date.now().toString(36)}xxxxxxxx`,
    status: 'issued',
    metadata: {},
    metadataHash: `0x${'a'.repeat(64)}`,
    tokenId: String(Date.now()),
    txHash: `0x${'b'.repeat(64)}`,
    chainId: 31337,
    contractAddress: `0x${'c'.repeat(40)}`,
    issuedAt: new Date(),
  });
  return { exam, taken };
}

describe('a teacher works through the results of an exam', { timeout: 90_000 }, () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let made: Awaited<ReturnType<typeof examWithResults>>;

  beforeAll(async () => {
    made = await examWithResults();
    browser = await launchBrowser();
    context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1300, height: 900 } });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    await signIn(page, teacherEmail, teacherPassword);
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await pool.end();
  });

  it('shows the summary, sorts the table, releases, overrides a score and downloads the CSV', async () => {
    await page.goto(`/teach/exams/${made.exam.id}`);
    await page.getByRole('navigation', { name: 'Exam sections' }).getByRole('link', { name: 'Results' }).click();
    await page.getByRole('heading', { name: 'Results', level: 2 }).waitFor();
    const table = page.getByRole('table', { name: /^Results, sorted by/ });
    await table.waitFor();
    expect(await table.getByRole('row').count()).toBe(3);
    await page.getByText('Pass rate').waitFor();

    // Highest risk first on the first click.
    await table.getByRole('button', { name: 'Risk' }).click();
    expect(await table.getByRole('columnheader', { name: 'Risk' }).getAttribute('aria-sort')).toBe('descending');
    expect(await table.getByRole('row').nth(1).textContent()).toContain(made.taken[1]!.email);

    await page.getByRole('button', { name: 'Release results to students' }).click();
    await page
      .getByRole('dialog', { name: 'Release results to students?' })
      .getByRole('button', { name: 'Release results' })
      .click();
    await status(page, 'Results released. 2 students');
    await page.getByText('Released to students').waitFor();

    // Override: an out-of-range score is caught next to its field, with focus on it.
    const ben = table.getByRole('row', { name: new RegExp(made.taken[1]!.email) });
    const opener = ben.getByRole('button', { name: /^Override score/ });
    await opener.click();
    const dialog = page.getByRole('dialog', { name: 'Override score' });
    await dialog.getByLabel(/^New score/).fill('5');
    await dialog.getByRole('button', { name: 'Save score' }).click();
    await dialog.getByText('Score must be at most 2').waitFor();
    await dialog.getByText('Reason must be at least 3 characters').waitFor();
    expect(await dialog.getByLabel(/^New score/).evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await dialog.getByLabel(/^New score/).getAttribute('aria-invalid')).toBe('true');
    await shot(page, 'results-override-errors');
    await dialog.getByLabel(/^New score/).fill('1.5');
    await dialog.getByLabel('Reason').fill('Second statement was ambiguous');
    await dialog.getByRole('button', { name: 'Save score' }).click();
    await status(page, /Score of ben tester set to 1\.5 \/ 2 \(75%, passed\)/);
    await ben.getByText('Set by hand').waitFor();
    expect(await opener.evaluate((el) => el === document.activeElement)).toBe(true);

    const [download]: [Download, void] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download results CSV' }).click(),
    ]);
    const csv = (await downloadedBytes(download)).toString('utf8');
    expect(csv).toContain(made.taken[1]!.email);
    expect(csv).toContain('Second statement was ambiguous');

    // Per-question statistics.
    const stats = page.getByRole('table', { name: 'Statistics per question' });
    expect(await stats.getByRole('row').count()).toBe(3);
    await shot(page, 'results');
  });

  it('asks for a public, non-personal reason before revoking a certificate', async () => {
    const table = page.getByRole('table', { name: /^Results, sorted by/ });
    const ada = table.getByRole('row', { name: new RegExp(made.taken[0]!.email) });
    await ada.getByRole('link', { name: /^Verify/ }).waitFor();
    const opener = ada.getByRole('button', { name: /^Revoke certificate/ });
    await opener.click();
    const dialog = page.getByRole('dialog', { name: /^Revoke the certificate of/ });
    await dialog.getByText('The reason is public').waitFor();
    await dialog.getByRole('button', { name: 'Revoke certificate' }).click();
    await dialog.getByText('Give a reason').waitFor();
    await shot(page, 'results-revoke');
    expect(await isFocused(page, 'Public reason')).toBe(true);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await opener.evaluate((el) => el === document.activeElement)).toBe(true);
  });
});
