// The proctor's live hall in a real browser, next to a student taking the exam in
// another browser context: progress and a tab-switch alert arrive without a reload,
// the alert is reviewed with its risk breakdown, and the proctor's extension, message,
// pause and termination reach the student at once (the student's own side, offline
// and reload included, is student-exam.browser.test.ts).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
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
  signedInPage,
  stamp,
  switchTabAndBack,
  type Account,
} from './seed.ts';

const databaseUrl = inject('databaseUrl');

const tag = stamp();
const examTitle = `Hall watch ${tag}`;
const anaEmail = `ana-${tag}@pupils.example`;
const boEmail = `bo-${tag}@pupils.example`;

/** "29:41" or "1:05:09" as seconds. */
function seconds(text: string): number {
  return text
    .trim()
    .split(':')
    .map(Number)
    .reduce((total, n) => total * 60 + n, 0);
}

describe('a proctor watches a student live', { timeout: 120_000 }, () => {
  let browser: Browser;
  let owner: Account;
  let teacher: APIRequestContext;
  let db: pg.Client;
  let proctor: BrowserContext;
  let hall: Page;
  let student: BrowserContext;
  let exam: Page;
  let examId = '';
  let anaCode = '';
  let attemptId = '';

  /** The hall table, Ana's row in it, and one of its cells by column. */
  const roster = () => hall.getByRole('table', { name: /^Participants/ });
  const row = () =>
    roster()
      .getByRole('row')
      .filter({ has: hall.getByRole('rowheader', { name: /Ana Lima/ }) });
  const cell = (n: 'status' | 'answered' | 'time' | 'risk' | 'alerts') =>
    row().getByRole('cell').nth(['status', 'answered', 'time', 'risk', 'alerts'].indexOf(n));
  const panel = () => hall.getByRole('region', { name: 'Ana Lima' });

  async function studentTimer() {
    return seconds((await exam.getByRole('timer').textContent()) ?? '');
  }

  beforeAll(async () => {
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    browser = await launchBrowser();
    owner = await newAccount('teacher');
    teacher = await apiAs(owner);
    examId = await publishedExam(teacher, { title: examTitle, proctoring: { enabled: true } }, THREE_QUESTIONS);
    anaCode = await invite(teacher, examId, anaEmail, 'Ana Lima');
    await invite(teacher, examId, boEmail, 'Bo Berg');
  }, 60_000);

  afterAll(async () => {
    await student?.close();
    await proctor?.close();
    await teacher?.dispose();
    await browser?.close();
    await db?.end();
  });

  it('opens the hall from the header and the exam page, with everyone not started yet', async () => {
    ({ context: proctor, page: hall } = await signedInPage(browser, owner));

    // An exam that does not exist (or is not yours) says so, with a way back.
    await hall.goto('/hall/00000000-0000-4000-8000-000000000000');
    await hall
      .getByRole('alert')
      .filter({ hasText: /not found/i })
      .waitFor();
    await hall.getByRole('link', { name: 'Back to the exams you can watch' }).waitFor();

    // The teacher's exam page links to its hall.
    await hall.goto(`/teach/exams/${examId}`);
    expect(await hall.getByRole('link', { name: 'Open live hall' }).getAttribute('href')).toBe(`/hall/${examId}`);

    await hall.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Live hall' }).click();
    await hall.getByRole('heading', { name: 'Live hall', level: 1 }).waitFor();
    const listed = hall.getByRole('row').filter({ has: hall.getByRole('link', { name: examTitle }) });
    // Soft: a wrong count is worth reporting, not worth skipping the live part for.
    expect.soft(await listed.getByRole('cell').allTextContents()).toEqual(['Any time', '0', '2']);
    await shot(hall, 'hall-list');
    await listed.getByRole('link', { name: examTitle }).click();

    await hall.getByRole('heading', { name: examTitle, level: 1 }).waitFor();
    await hall.getByText('Live', { exact: true }).waitFor();
    await hall.getByText('2 of 2 shown').waitFor();
    await cell('status')
      .filter({ hasText: /^Not started$/ })
      .waitFor();
    await cell('answered').filter({ hasText: /^—$/ }).waitFor();
  });

  it('sees the student start and answer, without a reload', async () => {
    student = await browser.newContext({ baseURL: inject('baseUrl'), viewport: { width: 1000, height: 900 } });
    student.setDefaultTimeout(15_000);
    exam = await student.newPage();
    await enterWithCode(exam, anaEmail, anaCode);
    await exam.waitForURL(/\/attempts\/[0-9a-f-]+$/);
    await exam.getByRole('button', { name: 'Start exam' }).click();
    attemptId = new URL(exam.url()).pathname.split('/').pop()!;
    await exam.getByRole('group', { name: 'Which planet is known as the Red Planet?' }).waitFor();

    await cell('status')
      .filter({ hasText: /^In progress$/ })
      .waitFor();
    await cell('answered')
      .filter({ hasText: /^0\/3$/ })
      .waitFor();
    expect(seconds((await cell('time').textContent()) ?? '')).toBeGreaterThan(28 * 60);
    await hall.getByText('2 of 2 shown; 1 in progress; 0 disconnected').waitFor();

    // Each committed answer raises the count the proctor sees.
    await exam.getByRole('radio', { name: 'Mars' }).check();
    await exam.getByRole('status').filter({ hasText: 'All answers saved' }).first().waitFor();
    await cell('answered')
      .filter({ hasText: /^1\/3$/ })
      .waitFor();
    await exam.getByRole('button', { name: 'Next' }).click();
    await exam.getByRole('radio', { name: 'Lisbon' }).check();
    await cell('answered')
      .filter({ hasText: /^2\/3$/ })
      .waitFor();
  });

  it('receives a tab-switch alert live, announced, with the risk breakdown, and acknowledges it', async () => {
    await switchTabAndBack(exam);

    const alerts = hall.getByRole('region', { name: /^Alerts/ });
    const alert = alerts.getByRole('listitem').filter({ hasText: 'Tab hidden' });
    await alert.waitFor();
    expect(await alert.getByRole('button', { name: 'Ana Lima', exact: true }).count()).toBe(1);
    await alert.getByText('medium').waitFor();
    await hall.getByRole('status').filter({ hasText: 'New alert: tab hidden — Ana Lima' }).waitFor();
    await cell('risk').filter({ hasText: /^10$/ }).waitFor();
    await cell('alerts').filter({ hasText: /^1$/ }).waitFor();
    await shot(hall, 'hall-alert');

    // The student's name opens their panel with the risk breakdown.
    await alert.getByRole('button', { name: 'Ana Lima', exact: true }).click();
    const risk = panel().getByRole('table', { name: /Risk score 10 of 100/ });
    expect(await risk.getByRole('row').nth(1).getByRole('cell').allTextContents()).toEqual(['1', '10', '10']);
    expect(await risk.getByRole('rowheader').textContent()).toBe('Tab hidden');

    await alert.getByRole('button', { name: /^Acknowledge/ }).click();
    await alerts.getByText('No open alerts.').waitFor();
    await cell('alerts').filter({ hasText: /^—$/ }).waitFor();
    await alerts.getByRole('radio', { name: 'All' }).check();
    await alert.getByText('Acknowledged').waitFor();
    const reviewed = await db.query('select review_status from proctoring_events where attempt_id = $1', [attemptId]);
    expect(reviewed.rows).toEqual([{ review_status: 'acknowledged' }]);
  });

  it('extends the time, and the student’s countdown grows without a reload', async () => {
    const before = await studentTimer();
    const hallBefore = seconds((await cell('time').textContent()) ?? '');

    await row().getByRole('button', { name: 'Actions for Ana Lima' }).click();
    await panel().getByRole('heading', { name: 'Ana Lima' }).waitFor();
    // Out of range is caught before anything is sent.
    await panel().getByLabel('Extra minutes').fill('700');
    await panel().getByRole('button', { name: 'Extend time' }).click();
    await panel().getByText('At most 600 minutes').waitFor();
    expect(await hall.evaluate(() => document.activeElement?.id)).toBe('act-minutes');

    await panel().getByLabel('Extra minutes').fill('10');
    await panel().getByRole('button', { name: 'Extend time' }).click();
    await hall.getByRole('status').filter({ hasText: 'Added 10 minutes for Ana Lima' }).waitFor();
    // Focus is back on the row's button, for the next action.
    expect(
      await row()
        .getByRole('button', { name: 'Actions for Ana Lima' })
        .evaluate((el) => el === document.activeElement),
    ).toBe(true);

    await expect.poll(studentTimer, { timeout: 10_000 }).toBeGreaterThan(before + 9 * 60);
    expect(await studentTimer()).toBeLessThanOrEqual(before + 10 * 60);
    expect(seconds((await cell('time').textContent()) ?? '')).toBeGreaterThan(hallBefore + 9 * 60);
    await shot(hall, 'hall-extended');
  });

  it('messages, pauses and resumes the student at once', async () => {
    await row().getByRole('button', { name: 'Actions for Ana Lima' }).click();
    await panel().getByLabel('Message to Ana Lima').fill('Please keep your eyes on your own screen.');
    await panel().getByRole('button', { name: 'Send message' }).click();
    await hall.getByRole('status').filter({ hasText: 'Message sent to Ana Lima.' }).waitFor();
    await exam.getByText('Please keep your eyes on your own screen.').waitFor();

    await panel().getByLabel('Reason for pausing').fill('Fire drill');
    await panel().getByRole('button', { name: 'Pause attempt' }).click();
    await cell('status')
      .filter({ hasText: /^Paused$/ })
      .waitFor();
    await exam.getByText('Paused by the proctor.').first().waitFor();
    const frozen = await studentTimer();
    await hall.waitForTimeout(1500);
    expect(await studentTimer()).toBe(frozen);

    await panel().getByRole('button', { name: 'Resume attempt' }).click();
    await cell('status')
      .filter({ hasText: /^In progress$/ })
      .waitFor();
    await exam.getByText('The proctor resumed your exam.').first().waitFor();

    // Escape closes the panel and puts focus back on the row.
    await panel().getByLabel('Message to Ana Lima').press('Escape');
    await panel().waitFor({ state: 'detached' });
    expect(
      await row()
        .getByRole('button', { name: 'Actions for Ana Lima' })
        .evaluate((el) => el === document.activeElement),
    ).toBe(true);
  });

  it('filters and sorts the roster', async () => {
    await hall.getByLabel('Status').selectOption({ label: 'Not started' });
    await hall.getByText('1 of 2 shown').waitFor();
    expect(await roster().getByRole('rowheader').allTextContents()).toEqual([expect.stringContaining('Bo Berg')]);
    await hall.getByLabel('Status').selectOption({ label: 'All' });
    await hall.getByLabel('Search').fill('ANA-');
    await hall.getByText('1 of 2 shown').waitFor();
    await hall.getByLabel('Search').fill('');
    await hall.getByLabel('Has open alerts').check();
    await hall.getByText('No participants match these filters.').waitFor();
    await hall.getByLabel('Has open alerts').uncheck();
    await hall.getByLabel('Risk at least').fill('5');
    await hall.getByText('1 of 2 shown').waitFor();
    await hall.getByLabel('Risk at least').fill('0');

    const risk = hall.getByRole('columnheader', { name: /Risk/ });
    await risk.getByRole('button').click();
    expect(await risk.getAttribute('aria-sort')).toBe('descending');
    expect(await hall.getByRole('columnheader', { name: /Student/ }).getAttribute('aria-sort')).toBeNull();
    expect((await roster().getByRole('rowheader').allTextContents())[0]).toContain('Ana Lima');
    await risk.getByRole('button').click();
    expect(await risk.getAttribute('aria-sort')).toBe('ascending');
    expect((await roster().getByRole('rowheader').allTextContents())[0]).toContain('Bo Berg');
  });

  it('shows a student who drops out as disconnected, and terminates the attempt with a reason', async () => {
    await exam.close();
    await cell('status')
      .filter({ hasText: /^Disconnected for \d+ s$/ })
      .waitFor();
    await hall.getByText('0 in progress; 1 disconnected').waitFor();

    await row().getByRole('button', { name: 'Actions for Ana Lima' }).click();
    await panel().getByRole('button', { name: 'Terminate attempt…' }).click();
    await panel().getByText('Give a reason (at least 3 characters)').waitFor();

    await panel().getByLabel('Reason for terminating').fill('Phone in use during the exam');
    await panel().getByRole('button', { name: 'Terminate attempt…' }).click();
    const confirm = hall.getByRole('dialog', { name: 'Terminate Ana Lima’s attempt?' });
    await confirm.getByText('will not be graded').waitFor();
    await shot(hall, 'hall-terminate');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect((await cell('status').innerText()).trim()).toMatch(/^Disconnected/);

    await panel().getByRole('button', { name: 'Terminate attempt…' }).click();
    await confirm.getByRole('button', { name: 'Terminate attempt' }).click();
    await hall.getByRole('status').filter({ hasText: 'Terminated Ana Lima’s attempt.' }).waitFor();
    await cell('status')
      .filter({ hasText: /^Terminated$/ })
      .waitFor();

    const audit = await db.query<{ action: string }>(
      'select action from audit_logs where target_id = $1 order by created_at',
      [attemptId],
    );
    expect(audit.rows.map((r) => r.action)).toEqual(
      expect.arrayContaining(['hall.extend', 'hall.message', 'hall.pause', 'hall.resume', 'hall.terminate']),
    );
    const [ended] = (await db.query('select status, ended_reason from attempts where id = $1', [attemptId])).rows;
    expect(ended).toEqual({ status: 'invalidated', ended_reason: 'Phone in use during the exam' });
    await shot(hall, 'hall-terminated');
  });
});
