// Accommodations in real browsers: a student is taking a 60-minute exam; their teacher gives
// them 25 % extra time from the participants page, with the keyboard only, in a dialog that
// axe-core finds no serious problem with; the student's page says so and their countdown
// grows by 15 minutes without a reload; the participants list marks them.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { APIRequestContext, Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from './chromium.ts';
import {
  apiAs,
  enterWithCode,
  invite,
  newAccount,
  publishedExam,
  THREE_QUESTIONS,
  shot,
  stamp,
  type Account,
} from './seed.ts';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const tag = stamp();
const email = `ana-${tag}@pupils.example`;

/** "59:41" or "1:05:09" as seconds. */
function seconds(text: string): number {
  return text
    .trim()
    .split(':')
    .map(Number)
    .reduce((total, n) => total * 60 + n, 0);
}

describe('a student gets 25 % extra time live', { timeout: 120_000 }, () => {
  let browser: Browser;
  let owner: Account;
  let teacher: APIRequestContext;
  let teacherContext: BrowserContext;
  let page: Page;
  let student: BrowserContext;
  let exam: Page;
  let examId = '';
  let code = '';

  beforeAll(async () => {
    browser = await launchBrowser();
    owner = await newAccount('teacher');
    teacher = await apiAs(owner);
    examId = await publishedExam(teacher, { title: `Extra time ${tag}`, durationMinutes: 60 }, THREE_QUESTIONS);
    code = await invite(teacher, examId, email, 'Ana Lima');
  }, 60_000);

  afterAll(async () => {
    await student?.close();
    await teacherContext?.close();
    await teacher?.dispose();
    await browser?.close();
  });

  it('the teacher sets it with the keyboard while the student is on the exam page, who sees it at once', async () => {
    student = await browser.newContext({ baseURL: inject('baseUrl'), viewport: { width: 1000, height: 900 } });
    student.setDefaultTimeout(15_000);
    exam = await student.newPage();
    await enterWithCode(exam, email, code);
    await exam.waitForURL(/\/attempts\/[0-9a-f-]+$/);
    await exam.getByText('60 minutes', { exact: false }).first().waitFor();
    await exam.getByRole('button', { name: 'Start exam' }).click();
    await exam.getByRole('group', { name: 'Which planet is known as the Red Planet?' }).waitFor();
    const before = seconds((await exam.getByRole('timer').textContent()) ?? '');
    expect(before).toBeGreaterThan(58 * 60);

    // The teacher, with bypassCSP only so axe-core can be injected.
    teacherContext = await browser.newContext({
      baseURL: inject('baseUrl'),
      viewport: { width: 1400, height: 1000 },
      bypassCSP: true,
    });
    teacherContext.setDefaultTimeout(15_000);
    page = await teacherContext.newPage();
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(owner.email);
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: /^Welcome, / }).waitFor();
    await page.goto(`/teach/exams/${examId}/participants`);
    const opener = page.getByRole('button', { name: `Accommodation for ${email}` });
    await opener.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Accommodation for Ana Lima' });
    await dialog.waitFor();
    // The dialog opens on its first field.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('acc-extraTimePercent');

    await page.addScriptTag({ content: axeSource });
    const violations = await page.evaluate<{ id: string; impact: string | null }[]>(
      `axe.run(document.querySelector('dialog[open]'), { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact })))`,
    );
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);

    // Too much is caught before anything is sent; focus goes to the field with the message.
    await page.keyboard.press('Control+A');
    await page.keyboard.type('400');
    await page.keyboard.press('Enter');
    await dialog.getByText('extraTimePercent must be at most 300').waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('acc-extraTimePercent');

    await page.keyboard.press('Control+A');
    await page.keyboard.type('25');
    await dialog.getByText('15 minutes extra: 1 hour 15 minutes in all instead of 1 hour.').waitFor();
    await shot(page, 'accommodation-dialog');
    await page.keyboard.press('Enter');
    await page
      .getByRole('status')
      .filter({
        hasText: `Saved for ${email}: extra time 25%. Their running attempt’s deadline moved later by 15 minutes, and they were told.`,
      })
      .waitFor();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('row').filter({ hasText: email }).getByText('+25% time').waitFor();

    // The student, on the exam page all along.
    await exam.getByRole('status').filter({ hasText: 'Your extra time (25%) was applied: +15 minutes.' }).waitFor();
    await expect
      .poll(async () => seconds((await exam.getByRole('timer').textContent()) ?? ''), { timeout: 10_000 })
      .toBeGreaterThan(before + 14 * 60);
    expect(seconds((await exam.getByRole('timer').textContent()) ?? '')).toBeLessThanOrEqual(before + 15 * 60);
    await shot(exam, 'accommodation-student');
  });

  it('a student in the lobby sees their own time, and a change while they wait', async () => {
    const boEmail = `bo-${tag}@pupils.example`;
    const boCode = await invite(teacher, examId, boEmail, 'Bo Berg');
    const list = await teacher.get(`/api/exams/${examId}/participants?search=${encodeURIComponent(boEmail)}`);
    const participantId = (await list.json()).participants[0].id as string;
    const put = (data: Record<string, unknown>) =>
      teacher.put(`/api/exams/${examId}/participants/${participantId}/accommodation`, { data });
    expect((await put({ extraTimeMinutes: 10 })).status()).toBe(200);

    const context = await browser.newContext({ baseURL: inject('baseUrl') });
    context.setDefaultTimeout(15_000);
    const lobby = await context.newPage();
    try {
      await enterWithCode(lobby, boEmail, boCode);
      await lobby.waitForURL(/\/attempts\/[0-9a-f-]+$/);
      await lobby.getByText('60 minutes + 10 minutes extra time').waitFor();
      expect((await put({ extraTimePercent: 20 })).status()).toBe(200);
      await lobby.getByText('60 minutes + 12 minutes extra time').waitFor();
    } finally {
      await context.close();
    }
  });
});
