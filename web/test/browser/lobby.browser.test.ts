// The exam lobby in a real browser: a student enters with a code and reads the duration,
// question count and what is monitored before any clock runs; in the 'proctor' start
// mode the exam begins by itself when the proctor clicks "Open the hall" in the hall
// page. And on a phone (390x844) the first question and its first option are on screen
// without scrolling once the exam starts.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { request, type APIRequestContext, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { launchBrowser } from './chromium.ts';

const baseUrl = inject('baseUrl');
const teacherEmail = inject('teacherEmail');
const teacherPassword = inject('teacherPassword');

const SHOTS = process.env.SCREENSHOT_DIR;
const stamp = Date.now().toString(36);
const proctorExamTitle = `Lobby together ${stamp}`;
const phoneExamTitle = `Phone exam with a rather long title about planets and primes ${stamp}`;
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

async function shot(page: Page, name: string) {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

/** Serious or critical axe-core violations on the page, as "rule: selector" lines. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate<string[]>(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`,
  );
}

describe('the exam lobby', { timeout: 120_000 }, () => {
  let browser: Browser;
  let teacher: APIRequestContext;
  const contexts: BrowserContext[] = [];

  async function createExam(title: string, settings: Record<string, unknown>, prompts: string[]) {
    const created = await teacher.post('/api/exams', {
      data: { title, durationMinutes: 20, availableAnytime: true, ...settings },
    });
    expect(created.status()).toBe(201);
    const id: string = (await created.json()).id;
    for (const prompt of prompts) {
      const res = await teacher.post(`/api/exams/${id}/questions`, {
        data: {
          type: 'single_choice',
          prompt,
          content: {
            options: [
              { id: 'a', text: 'Venus, the second planet from the Sun' },
              { id: 'b', text: 'Mars, the fourth planet from the Sun' },
              { id: 'c', text: 'Jupiter, the largest planet' },
              { id: 'd', text: 'Saturn, the one with the rings' },
            ],
          },
          answerKey: { correct: 'b' },
        },
      });
      expect(res.status()).toBe(201);
    }
    expect((await teacher.post(`/api/exams/${id}/publish`)).status()).toBe(200);
    return id;
  }

  async function invite(examId: string, name: string) {
    const email = `${name.toLowerCase().replace(/\W/g, '')}-${stamp}@pupils.example`;
    const res = await teacher.post(`/api/exams/${examId}/participants`, { data: { email, name } });
    expect(res.status()).toBe(201);
    return { email, code: (await res.json()).code as string };
  }

  /** `bypassCSP` only so axe-core can be injected; the page's own scripts run under the CSP as usual. */
  async function newPage(viewport: { width: number; height: number }, bypassCSP = false) {
    const context = await browser.newContext({ baseURL: baseUrl, viewport, bypassCSP });
    context.setDefaultTimeout(15_000);
    contexts.push(context);
    return context.newPage();
  }

  async function enterWithCode(page: Page, who: { email: string; code: string }) {
    await page.goto('/start');
    await page.getByLabel('Email').fill(who.email);
    await page.getByLabel('Access code').fill(who.code);
    await page.getByRole('button', { name: 'Enter the exam' }).click();
    await page.waitForURL(/\/attempts\/[0-9a-f-]+$/);
  }

  beforeAll(async () => {
    browser = await launchBrowser();
    teacher = await request.newContext({ baseURL: baseUrl });
    expect(
      (await teacher.post('/api/auth/sign-in', { data: { email: teacherEmail, password: teacherPassword } })).status(),
    ).toBe(200);
  }, 60_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await teacher?.dispose();
    await browser?.close();
  });

  it('shows the rules before the clock, and starts by itself when the proctor opens the hall', async () => {
    const examId = await createExam(
      proctorExamTitle,
      {
        startMode: 'proctor',
        maxAttempts: 2,
        instructions: 'Calculators allowed. Keep your phone in your bag.',
        proctoring: { enabled: true, blockCopyPaste: true, requireFullscreen: false, strictMode: false },
      },
      ['Which planet is known as the Red Planet?', 'Which planet is the largest?', 'Which planet has rings?'],
    );
    const ana = await invite(examId, 'Ana Lima');

    const student = await newPage({ width: 1100, height: 900 }, true);
    await enterWithCode(student, ana);
    await student.getByRole('heading', { name: proctorExamTitle, level: 1 }).waitFor();
    const facts = student.getByRole('region', { name: 'About this exam' });
    await facts.getByText('20 minutes').waitFor();
    expect(await facts.getByRole('definition').allTextContents()).toEqual([
      '20 minutes',
      '3',
      '1 of 2 allowed',
      'Started by your proctor, for everyone together',
    ]);
    await student.getByText('Calculators allowed. Keep your phone in your bag.').waitFor();
    const monitoring = student.getByRole('region', { name: 'What is monitored' });
    await monitoring.getByText('Switching to another tab or window').waitFor();
    await monitoring.getByText('Copy, cut, paste and the right-click menu are turned off').waitFor();
    await student.getByRole('status').filter({ hasText: 'Your proctor will start the exam.' }).waitFor();
    expect(await student.getByRole('button', { name: 'Start exam' }).isDisabled()).toBe(true);
    // No clock and no question before the start.
    expect(await student.getByRole('timer').count()).toBe(0);
    expect(await student.getByRole('group', { name: 'Which planet is known as the Red Planet?' }).count()).toBe(0);
    expect(await seriousViolations(student)).toEqual([]);
    await shot(student, 'lobby-waiting');

    // The proctor's hall: one waiting in the lobby, Ana "In the lobby".
    const hall = await newPage({ width: 1400, height: 1000 });
    await hall.goto('/sign-in');
    await hall.getByLabel('Email').fill(teacherEmail);
    await hall.getByLabel('Password').fill(teacherPassword);
    await hall.getByRole('button', { name: 'Sign in' }).click();
    await hall.getByRole('heading', { name: /^Welcome, / }).waitFor();
    await hall.goto(`/hall/${examId}`);
    const lobbyPanel = hall.getByRole('region', { name: 'Lobby' });
    await lobbyPanel.getByText('1 waiting in the lobby').waitFor();
    const anaRow = hall
      .getByRole('table', { name: /^Participants/ })
      .getByRole('row')
      .filter({ has: hall.getByRole('rowheader', { name: /Ana Lima/ }) });
    await anaRow.getByRole('cell', { name: 'In the lobby' }).waitFor();

    // Open the hall, after a confirmation that says who starts.
    await lobbyPanel.getByRole('button', { name: 'Open the hall' }).click();
    const dialog = hall.getByRole('dialog', { name: 'Open the hall?' });
    await dialog.getByText('The exam starts now for 1 student waiting in the lobby').waitFor();
    await dialog.getByRole('button', { name: 'Open the hall and start' }).click();

    // The student's page starts by itself: the question and a running clock, no click needed.
    await student.getByRole('group', { name: 'Which planet is known as the Red Planet?' }).waitFor();
    await student
      .getByRole('status')
      .filter({ hasText: 'Your proctor opened the hall: the exam has started.' })
      .waitFor();
    const timer = (await student.getByRole('timer').textContent())?.trim() ?? '';
    expect(timer).toMatch(/^(20:00|19:[0-5]\d)$/);
    await anaRow.getByRole('cell', { name: 'In progress' }).waitFor();
    await lobbyPanel.getByText('0 waiting in the lobby').waitFor();
    await lobbyPanel.getByText(/The hall opened at/).waitFor();
    await hall.getByRole('status').filter({ hasText: 'The hall is open.' }).first().waitFor();

    // A later arrival gets an enabled Start button.
    const bo = await invite(examId, 'Bo Berg');
    const late = await newPage({ width: 1100, height: 900 });
    await enterWithCode(late, bo);
    await late.getByRole('heading', { name: proctorExamTitle, level: 1 }).waitFor();
    const start = late.getByRole('button', { name: 'Start exam' });
    await expect.poll(() => start.isEnabled()).toBe(true);
    await start.click();
    await late.getByRole('group', { name: 'Which planet is known as the Red Planet?' }).waitFor();
  });

  it('on a 390x844 phone, the first question and its first option are on screen without scrolling', async () => {
    const examId = await createExam(
      phoneExamTitle,
      { instructions: 'Read every question twice. '.repeat(12), proctoring: { enabled: true } },
      Array.from({ length: 12 }, (_, i) => `Question ${i + 1}: which planet is known as the Red Planet?`),
    );
    const lia = await invite(examId, 'Lia Costa');
    const phone = await newPage({ width: 390, height: 844 });
    await enterWithCode(phone, lia);
    await phone.getByRole('heading', { name: phoneExamTitle, level: 1 }).waitFor();
    await phone.getByRole('button', { name: 'Start exam' }).click();

    const question = phone.getByRole('group', { name: 'Question 1: which planet is known as the Red Planet?' });
    await question.waitFor();
    await phone.getByRole('timer').waitFor();
    await shot(phone, 'phone-first-question');
    expect(await phone.evaluate(() => scrollY)).toBe(0);
    const viewport = { width: 390, height: 844 };
    const legend = await question.locator('legend').boundingBox();
    const firstOption = await question.getByRole('radio').first().boundingBox();
    const firstLabel = await question.getByText('Venus, the second planet from the Sun').boundingBox();
    for (const box of [legend, firstOption, firstLabel]) {
      expect(box).not.toBeNull();
      expect(box!.y).toBeGreaterThanOrEqual(0);
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.y + box!.height).toBeLessThanOrEqual(viewport.height);
      expect(box!.x + box!.width).toBeLessThanOrEqual(viewport.width);
    }
    // The question navigation folds away on a phone, and opens on request.
    const nav = phone.getByRole('navigation', { name: 'Questions' });
    expect(await nav.getByRole('button', { name: /^Question 1,/ }).count()).toBe(0);
    await nav.getByRole('button', { name: 'Show the question list' }).click();
    await nav.getByRole('button', { name: 'Question 12, not answered' }).waitFor();
    expect(await nav.getByRole('button', { name: 'Hide the question list' }).getAttribute('aria-expanded')).toBe(
      'true',
    );
  });
});
