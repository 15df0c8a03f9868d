// A student's device fails mid-exam: the proctor issues a resume code from the live hall,
// the student enters it on /start in a second browser, carries on the same attempt with
// every answer kept, answers more and submits; the first browser says the exam moved.
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
  type Account,
} from './seed.ts';

const baseUrl = inject('baseUrl');
const databaseUrl = inject('databaseUrl');

const tag = stamp();
const examTitle = `Resume elsewhere ${tag}`;
const email = `cai-${tag}@pupils.example`;

const status = (page: Page, text: string | RegExp) =>
  page.getByRole('status').filter({ hasText: text }).first().waitFor();

describe('a student resumes the same attempt on another device', { timeout: 120_000 }, () => {
  let browser: Browser;
  let owner: Account;
  let teacher: APIRequestContext;
  let db: pg.Client;
  let proctor: BrowserContext;
  let hall: Page;
  let laptop: BrowserContext;
  let first: Page;
  let tablet: BrowserContext;
  let second: Page;
  let examId = '';
  let accessCode = '';
  let attemptId = '';
  let resumeCode = '';

  const saved = async () =>
    (
      await db.query<{ prompt: string; response: unknown }>(
        `select q.prompt, a.response from answers a join questions q on q.id = a.question_id
          where a.attempt_id = $1 order by q.position`,
        [attemptId],
      )
    ).rows;

  beforeAll(async () => {
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    browser = await launchBrowser();
    owner = await newAccount('teacher');
    teacher = await apiAs(owner);
    examId = await publishedExam(teacher, { title: examTitle }, THREE_QUESTIONS);
    accessCode = await invite(teacher, examId, email, 'Cai Moreno');
  }, 60_000);

  afterAll(async () => {
    await tablet?.close();
    await laptop?.close();
    await proctor?.close();
    await teacher?.dispose();
    await browser?.close();
    await db?.end();
  });

  it('answers two questions on the first device', async () => {
    laptop = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1000, height: 900 } });
    laptop.setDefaultTimeout(15_000);
    first = await laptop.newPage();
    await enterWithCode(first, email, accessCode);
    await first.waitForURL(/\/attempts\/[0-9a-f-]+$/);
    await first.getByRole('button', { name: 'Start exam' }).click();
    attemptId = new URL(first.url()).pathname.split('/').pop()!;
    await first.getByRole('radio', { name: 'Mars' }).check();
    await first.getByRole('button', { name: 'Next' }).click();
    await first.getByRole('radio', { name: 'Lisbon' }).check();
    await status(first, 'All answers saved');
    await expect.poll(async () => (await saved()).length).toBe(2);
  });

  it('the proctor creates a resume code in the hall, shown once with its expiry and a copy button', async () => {
    ({ context: proctor, page: hall } = await signedInPage(browser, owner));
    await hall.goto(`/hall/${examId}`);
    await hall.getByRole('heading', { name: examTitle, level: 1 }).waitFor();
    await hall.getByRole('button', { name: 'Actions for Cai Moreno' }).click();
    const panel = hall.getByRole('region', { name: 'Cai Moreno' });
    const group = panel.getByRole('group', { name: 'Resume on another device' });
    // Keyboard: the action is a button reached and pressed without a mouse.
    await group.getByRole('button', { name: 'Let this student resume on another device' }).focus();
    await hall.keyboard.press('Enter');
    const code = group.getByTestId('resume-code');
    await code.waitFor();
    resumeCode = (await code.textContent())!.trim();
    expect(resumeCode).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    await group.getByText(/^Valid until /).waitFor();
    await group.getByRole('button', { name: 'Copy resume code for Cai Moreno' }).waitFor();
    await hall.getByRole('status').filter({ hasText: 'Resume code for Cai Moreno created' }).waitFor();
    // Focus is on the code, not sent back to the roster: the proctor reads it out or copies it next.
    expect(await hall.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'Resume code for Cai Moreno',
    );
    await shot(hall, 'resume-code-issued');
  });

  it('on a second device the used access code says what to do, and the resume code carries on the same attempt', async () => {
    tablet = await browser.newContext({ baseURL: baseUrl, viewport: { width: 900, height: 900 } });
    tablet.setDefaultTimeout(15_000);
    second = await tablet.newPage();
    await enterWithCode(second, email, accessCode);
    const refusal = second.getByRole('alert').filter({ hasText: 'This code was already used.' });
    await refusal.getByText('ask your proctor for a resume code').waitFor();
    await refusal.getByRole('link', { name: 'I have a resume code' }).click();

    const resume = second.getByRole('region', { name: 'Resume on this device' });
    // The email typed above carries over and the focus waits in the code field.
    expect(await resume.getByLabel('Email').inputValue()).toBe(email);
    expect(await second.evaluate(() => document.activeElement?.id)).toBe('resume-code');
    await resume.getByLabel('Resume code').fill('ZZZZ-ZZZZ-ZZZZ');
    await resume.getByRole('button', { name: 'Resume exam on this device' }).click();
    await resume.getByRole('alert').filter({ hasText: 'do not match' }).waitFor();
    await shot(second, 'resume-start-page');

    await resume.getByLabel('Resume code').fill(resumeCode.toLowerCase());
    await resume.getByRole('button', { name: 'Resume exam on this device' }).click();
    await second.waitForURL(new RegExp(`/attempts/${attemptId}$`));
    await status(second, 'All answers saved');
    // Every answer made on the first device is here.
    expect(await second.getByRole('radio', { name: 'Mars' }).isChecked()).toBe(true);
    await second.getByRole('button', { name: 'Next' }).click();
    expect(await second.getByRole('radio', { name: 'Lisbon' }).isChecked()).toBe(true);
  });

  it('the first device says the exam moved, and can no longer answer', async () => {
    const banner = first.getByRole('alert').filter({ hasText: 'Your exam moved to another device' });
    await banner.waitFor();
    await banner.getByText('ask your proctor for a new resume code').waitFor();
    expect(await first.getByRole('radio', { name: 'Lisbon' }).isDisabled()).toBe(true);
    await first.getByText('Submit on the device your exam moved to.').waitFor();
    expect(await first.getByRole('button', { name: 'Submit exam' }).isDisabled()).toBe(true);
    // Not "offline, reconnecting": this page stays away on purpose.
    expect(await first.getByText(/^Offline/).count()).toBe(0);
    await shot(first, 'resume-old-device');
  });

  it('answers the last question and submits on the second device', async () => {
    await second.getByRole('button', { name: 'Next' }).click();
    await second.getByRole('radio', { name: 'Carbon dioxide' }).check();
    await status(second, 'All answers saved');
    await second.getByRole('button', { name: 'Submit exam' }).click();
    const dialog = second.getByRole('dialog', { name: 'Submit your exam?' });
    await dialog.getByText('You answered all 3 questions.').waitFor();
    await dialog.getByRole('button', { name: 'Submit exam' }).click();
    await second.getByRole('heading', { name: 'Your exam is submitted', level: 1 }).waitFor();

    expect(await saved()).toEqual([
      { prompt: 'Which planet is known as the Red Planet?', response: { optionId: 'b' } },
      { prompt: 'What is the capital of Portugal?', response: { optionId: 'b' } },
      { prompt: 'Which gas do plants take in?', response: { optionId: 'b' } },
    ]);
    const attempts = await db.query('select id, status from attempts where exam_id = $1', [examId]);
    expect(attempts.rows).toEqual([{ id: attemptId, status: 'submitted' }]);
    const audit = await db.query<{ action: string }>('select action from audit_logs where target_id = $1 order by id', [
      attemptId,
    ]);
    expect(audit.rows.map((r) => r.action)).toEqual(
      expect.arrayContaining(['attempt.resume_code_issued', 'attempt.resumed_on_new_device', 'attempt.submitted']),
    );
  });
});
