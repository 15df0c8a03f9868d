// Question files in a real browser: on an exam's questions page a teacher chooses a GIFT file
// (the format is recognised), checks it and reads what each question becomes (skipped ones with
// the reason) before anything is saved, imports it, then a Moodle XML file after it, and
// downloads the questions as Moodle XML; a QTI file goes into a question bank the same way.
// axe-core finds nothing serious with the report shown.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { APIRequestContext, Browser, BrowserContext, Page } from 'playwright-core';
import { downloadedBytes, launchBrowser } from './chromium.ts';
import { apiAs, newAccount, stamp, type Account } from './seed.ts';

const baseUrl = inject('baseUrl');
const fixture = (name: string) =>
  fileURLToPath(new URL(`../../../server/test/fixtures/interchange/${name}`, import.meta.url));
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate<string[]>(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`,
  );
}

describe('importing and exporting question files', { timeout: 180_000 }, () => {
  let browser: Browser;
  let context: BrowserContext | undefined;
  let teacherAccount: Account;
  let teacher: APIRequestContext;
  let examId = '';

  beforeAll(async () => {
    browser = await launchBrowser();
    teacherAccount = await newAccount('teacher');
    teacher = await apiAs(teacherAccount);
    const exam = await teacher.post('/api/exams', {
      data: { title: `Imported ${stamp()}`, durationMinutes: 20, availableAnytime: true },
    });
    expect(exam.status()).toBe(201);
    examId = (await exam.json()).id;
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await teacher?.dispose();
  });

  const count = async () => (await (await teacher.get(`/api/exams/${examId}/questions`)).json()).questions.length;

  it('checks a GIFT file, imports it, imports Moodle XML after it and downloads Moodle XML', async () => {
    // bypassCSP: only so axe-core can be injected; the page's own scripts run under the CSP as usual.
    context = await browser.newContext({ baseURL: baseUrl, bypassCSP: true, viewport: { width: 1400, height: 1000 } });
    context.setDefaultTimeout(15_000);
    const signIn = await context.request.post('/api/auth/sign-in', {
      data: { email: teacherAccount.email, password: teacherAccount.password },
      headers: { origin: baseUrl },
    });
    expect(signIn.status()).toBe(200);
    const page = await context.newPage();
    await page.goto(`/teach/exams/${examId}/questions`);
    await page.getByRole('heading', { name: 'Moodle, GIFT and QTI files' }).waitFor();

    const file = page.getByLabel(/^Question file/);
    await file.setInputFiles(fixture('gift-all.gift'));
    await expect.poll(() => page.getByLabel('GIFT', { exact: true }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Check file' }).click();
    const report = page.getByRole('table', { name: /What happens to each question of gift-all\.gift/ });
    await report.waitFor();
    expect(await report.getByRole('row').count()).toBe(16);
    const description = report.getByRole('row', { name: /Description/ });
    await expect.poll(() => description.textContent()).toContain('GIFT description items are information text');
    expect(await report.getByRole('row', { name: /^3 Sun rises/ }).textContent()).toContain(
      'Imported as True or false',
    );
    expect(await page.getByRole('status').filter({ hasText: 'Nothing is saved yet' }).count()).toBe(1);
    expect(await count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Import 13 questions' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Imported 13 questions from gift-all.gift; 2 skipped.' })
      .waitFor();
    expect(await count()).toBe(13);

    await file.setInputFiles(fixture('moodle-all.xml'));
    await expect.poll(() => page.getByLabel('Moodle XML', { exact: true }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Check file' }).click();
    await page.getByRole('table', { name: /moodle-all\.xml/ }).waitFor();
    await page.getByRole('button', { name: 'Import 14 questions' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Imported 14 questions from moodle-all.xml; 4 skipped.' })
      .waitFor();
    expect(await count()).toBe(27);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export Moodle XML' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^imported-.*-questions\.moodle\.xml$/);
    const xml = (await downloadedBytes(download)).toString('utf8');
    expect(xml.match(/<question type=/g)).toHaveLength(27);
  });

  it('imports a QTI 3.0 file into a question bank from the bank page', async () => {
    const course = await teacher.post('/api/courses', { data: { name: `QTI course ${stamp()}` } });
    expect(course.status()).toBe(201);
    const bank = await teacher.post(`/api/courses/${(await course.json()).id}/banks`, { data: { name: 'QTI pool' } });
    expect(bank.status()).toBe(201);
    const bankId = (await bank.json()).id as string;
    const page = await context!.newPage();
    await page.goto(`/teach/banks/${bankId}`);
    await page.getByRole('heading', { name: 'Questions (0)' }).waitFor();
    await page.getByLabel(/^Question file/).setInputFiles(fixture('qti3-items.xml'));
    await expect.poll(() => page.getByLabel('QTI 3.0', { exact: true }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Check file' }).click();
    const report = page.getByRole('table', { name: /qti3-items\.xml/ });
    await report.waitFor();
    expect(await report.getByRole('row', { name: /Airport on the map/ }).textContent()).toContain(
      'QTI qti-hotspot-interaction has no equivalent here',
    );
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Import 9 questions' }).click();
    await page.getByRole('heading', { name: 'Questions (9)' }).waitFor();
    const listed = await (await teacher.get(`/api/banks/${bankId}/questions`)).json();
    expect(listed.questions.map((q: { type: string }) => q.type)).toContain('ordering');
  });

  it('a file in which nothing maps is refused with the reason, and the file input is focused', async () => {
    const page = await context!.newPage();
    await page.goto(`/teach/exams/${examId}/questions`);
    const file = page.getByLabel(/^Question file/);
    await file.setInputFiles({
      name: 'notes.gift',
      mimeType: 'text/plain',
      buffer: Buffer.from('::D:: Just some text.'),
    });
    await page.getByRole('button', { name: 'Check file' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'None of the 1 questions in this GIFT file can be imported' })
      .waitFor();
    await expect.poll(() => file.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await count()).toBe(27);
  });
});
