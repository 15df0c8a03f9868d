import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Download, Page } from 'playwright-core';
import { downloadedBytes, launchBrowser } from './chromium.ts';

const baseUrl = inject('baseUrl');
const teacherEmail = inject('teacherEmail');
const teacherPassword = inject('teacherPassword');
const studentEmail = inject('studentEmail');
const studentPassword = inject('studentPassword');

const SHOTS = process.env.SCREENSHOT_DIR;
const examTitle = `Cell biology quiz ${Date.now().toString(36)}`;
// Unique: other files' courses of the demo teacher (courses.browser's "Biology 101 <tag>") list on /teach too.
const courseName = `Biology 101 ${Date.now().toString(36)}`;

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

/** The status region that says `text`, once it says it. */
async function status(page: Page, text: string | RegExp) {
  await page.getByRole('status').filter({ hasText: text }).first().waitFor();
}

async function addChoiceQuestion(
  page: Page,
  type: 'Single choice' | 'Multiple choice',
  prompt: string,
  options: string[],
  correct: number[],
) {
  await page.getByRole('button', { name: 'Add question' }).click();
  const form = page.getByRole('form', { name: 'New question' });
  await form.getByLabel('Type').selectOption({ label: type });
  await form.getByLabel('Question', { exact: true }).fill(prompt);
  for (let i = 0; i < options.length; i++) {
    if (i >= 2) await form.getByRole('button', { name: 'Add option' }).click();
    await form.getByLabel(`Option ${i + 1}`, { exact: true }).fill(options[i]!);
  }
  for (const i of correct) await form.getByLabel(`Correct: option ${i + 1}`).check();
  await form.getByRole('button', { name: 'Add question' }).click();
  await form.waitFor({ state: 'detached' });
}

async function downloaded(page: Page, click: () => Promise<void>): Promise<{ name: string; text: string }> {
  const [download]: [Download, void] = await Promise.all([page.waitForEvent('download'), click()]);
  return { name: download.suggestedFilename(), text: (await downloadedBytes(download)).toString('utf8') };
}

describe('exams from the teacher to the student', { timeout: 90_000 }, () => {
  let browser: Browser;
  let teacher: BrowserContext;
  let student: BrowserContext;
  let page: Page;
  let examUrl = '';
  let code = '';

  beforeAll(async () => {
    browser = await launchBrowser();
    teacher = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1200, height: 900 } });
    await teacher.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
    teacher.setDefaultTimeout(10_000);
    page = await teacher.newPage();
  }, 60_000);

  afterAll(async () => {
    await student?.close();
    await teacher?.close();
    await browser?.close();
  });

  it('a teacher creates an exam with three question types', async () => {
    await signIn(page, teacherEmail, teacherPassword);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Teach' }).click();
    await page.getByRole('heading', { name: 'Teach', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'New exam' }).first().click();

    await page.getByRole('heading', { name: 'New exam', level: 1 }).waitFor();
    // An empty title is caught before anything is sent, and focus goes to it.
    await page.getByRole('button', { name: 'Create exam' }).click();
    await page.getByRole('alert').filter({ hasText: 'Check the highlighted settings' }).waitFor();
    expect(await page.getByLabel('Title').evaluate((el) => el === document.activeElement)).toBe(true);
    await shot(page, 'new-exam-errors');

    await page.getByLabel('Title').fill(examTitle);
    await page.getByLabel('Duration in minutes').fill('45');
    await page.getByLabel('Available any time').check();
    await page.getByRole('button', { name: 'Create exam' }).click();

    await page.waitForURL(/\/teach\/exams\/[0-9a-f-]+\/questions$/);
    examUrl = page.url().replace(/\/questions$/, '');
    await page.getByRole('heading', { name: examTitle, level: 1 }).waitFor();
    await status(page, 'created as a draft');

    // Publishing without questions is refused, with the reason.
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByRole('alert').filter({ hasText: 'cannot be published yet' }).waitFor();

    await addChoiceQuestion(page, 'Single choice', 'Which organelle makes ATP?', ['Ribosome', 'Mitochondrion'], [1]);
    await status(page, 'Question 1 added.');
    await addChoiceQuestion(
      page,
      'Multiple choice',
      'Which of these are found in plant cells?',
      ['Cell wall', 'Centrioles', 'Chloroplasts'],
      [0, 2],
    );
    await status(page, 'Question 2 added.');

    await page.getByRole('button', { name: 'Add question' }).click();
    const tf = page.getByRole('form', { name: 'New question' });
    await tf.getByLabel('Type').selectOption({ label: 'True or false' });
    await tf.getByLabel('Statement').fill('Red blood cells have a nucleus.');
    await tf.getByRole('button', { name: 'Add question' }).click();
    // No correct answer chosen: the form says so and keeps the question.
    await tf.getByText('Choose whether the statement is true or false').first().waitFor();
    await tf.getByLabel('False').check();
    await tf.getByRole('button', { name: 'Add question' }).click();
    await status(page, 'Question 3 added.');

    await page.getByRole('button', { name: 'Move up question 3' }).click();
    await status(page, 'Question moved to position 2 of 3.');
    const headings = page.locator('.question-card .prompt');
    expect(await headings.allTextContents()).toEqual([
      'Which organelle makes ATP?',
      'Red blood cells have a nucleus.',
      'Which of these are found in plant cells?',
    ]);
    await shot(page, 'questions');

    await page.getByRole('button', { name: 'Preview as student' }).click();
    const preview = page.getByRole('region', { name: /Student preview/ });
    await preview.getByRole('heading', { name: /Question 3/ }).waitFor();
    expect(await preview.getByRole('radio').count()).toBe(4); // 2 options + true/false
    expect(await preview.getByRole('checkbox').count()).toBe(3);
    expect(await preview.getByText(/correct/i).count()).toBe(0);
    await shot(page, 'preview');
    await page.getByRole('button', { name: 'Preview as student' }).click();

    await page.getByRole('button', { name: 'Publish' }).click();
    await status(page, /^Published\./);
    await page.getByRole('heading', { name: examTitle, level: 1 }).getByText('Published').waitFor();
  });

  it('uploads a CSV with one bad row and copies a code', async () => {
    await page.getByRole('navigation', { name: 'Exam sections' }).getByRole('link', { name: 'Participants' }).click();
    await page.getByRole('heading', { name: 'Participants', level: 2 }).waitFor();

    const csv = ['email,name', 'ana@pupils.example,Ana Alves', 'not-an-email,Bad Row', 'bo@pupils.example,Bo Berg', ''];
    await page.getByLabel('CSV file', { exact: true }).setInputFiles({
      name: 'class.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv.join('\n')),
    });
    await page.getByRole('button', { name: 'Upload and import' }).click();

    const results = page.getByRole('table', { name: /Outcome of each row/ });
    await page.getByRole('heading', { name: 'Import results: 2 added, 0 skipped, 1 rejected' }).waitFor();
    const bad = results.getByRole('row', { name: /not-an-email/ });
    expect(await bad.getByText('Rejected').count()).toBe(1);
    expect((await bad.textContent()) ?? '').toContain('not a valid email');

    const ana = results.getByRole('row', { name: /ana@pupils\.example/ });
    const shown = ((await ana.locator('.access-code').textContent()) ?? '').trim();
    expect(shown).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4})+$/);
    await ana.getByRole('button', { name: 'Copy access code for ana@pupils.example' }).click();
    await ana.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
    code = await page.evaluate(() => navigator.clipboard.readText());
    expect(code).toBe(shown);

    // The list below shows both new participants, their codes still visible on this page.
    await page.getByRole('heading', { name: 'All participants (2)' }).waitFor();
    await shot(page, 'participants');
  });

  it('a student starts the exam with that code in another browser', async () => {
    student = await browser.newContext({ baseURL: baseUrl });
    student.setDefaultTimeout(10_000);
    const s = await student.newPage();
    await s.goto('/sign-in');
    await s.getByRole('link', { name: 'Have an access code? Start your exam' }).click();
    await s.getByRole('heading', { name: 'Start your exam', level: 1 }).waitFor();

    // A wrong code is refused with a message, not a crash.
    await s.getByLabel('Email').fill('ana@pupils.example');
    await s.getByLabel('Access code').fill('AAAA-BBBB-CCCC');
    await s.getByRole('button', { name: 'Enter the exam' }).click();
    await s.getByRole('alert').filter({ hasText: 'do not match an invitation' }).waitFor();
    await shot(s, 'start-error');

    // Typed the way people do: lower case, no dashes.
    await s.getByLabel('Access code').fill(code.replaceAll('-', '').toLowerCase());
    await s.getByRole('button', { name: 'Enter the exam' }).click();
    await s.waitForURL(/\/attempts\/[0-9a-f-]+$/);
    await s.getByRole('heading', { name: examTitle, level: 1 }).waitFor();
    // The lobby first: the clock starts with Start exam.
    await s.getByText('The clock starts when you select').waitFor();
    await s.getByRole('button', { name: 'Start exam' }).click();
    const timer = s.getByRole('timer');
    expect((await timer.textContent())?.trim()).toMatch(/^(45:00|44:[0-5]\d)$/);
    await shot(s, 'attempt');

    // The same code cannot start a second attempt.
    await s.goto('/start');
    await s.getByLabel('Email').fill('ana@pupils.example');
    await s.getByLabel('Access code').fill(code);
    await s.getByRole('button', { name: 'Enter the exam' }).click();
    await s.getByRole('alert').filter({ hasText: /\S/ }).waitFor();
    expect(new URL(s.url()).pathname).toBe('/start');
  });

  it('a signed-in student starts an exam from "My exams"', async () => {
    await page.goto(examUrl + '/participants');
    await page.getByLabel('Email', { exact: true }).fill(studentEmail);
    await page.getByRole('button', { name: 'Add participant' }).click();
    await page.getByText(`Added ${studentEmail}`).waitFor();

    const s = await student.newPage();
    await signIn(s, studentEmail, studentPassword);
    const card = s.getByRole('listitem').filter({ has: s.getByRole('heading', { name: examTitle }) });
    await card.getByRole('button', { name: `Enter ${examTitle}` }).click();
    await s.waitForURL(/\/attempts\/[0-9a-f-]+$/);
    // The lobby; back home, the card leads to the same lobby, where Start exam starts the clock.
    await s.getByRole('button', { name: 'Start exam' }).waitFor();
    await s.goto('/');
    await card.getByRole('link', { name: `Go to the lobby of ${examTitle}` }).click();
    await s.getByRole('button', { name: 'Start exam' }).click();
    await s.getByRole('timer').waitFor();

    await s.goto('/');
    await card.getByRole('link', { name: `Continue ${examTitle}` }).waitFor();
    await shot(s, 'student-home');
    await page.goto('/teach');
    await page.getByRole('link', { name: examTitle, exact: true }).waitFor();
    await shot(page, 'teach');
  });

  it('a teacher edits, exports and imports questions, downloads participants and codes, and reissues codes', async () => {
    await page.goto('/teach');
    await page.getByLabel('Name', { exact: true }).fill(courseName);
    await page.getByRole('button', { name: 'Create course' }).click();
    await status(page, `Course “${courseName}” created.`);
    await page.getByRole('link', { name: `New exam in ${courseName}`, exact: true }).click();
    await page.getByRole('heading', { name: 'New exam', level: 1 }).waitFor();
    expect(await page.getByLabel('Course', { exact: true }).locator('option:checked').textContent()).toBe(courseName);
    await page.getByLabel('Title').fill('Second exam');
    await page.getByLabel('Opens').fill('2030-01-10T09:00');
    await page.getByLabel('Closes').fill('2030-01-10T08:00');
    await page.getByRole('button', { name: 'Create exam' }).click();
    await page.getByText('End time must be after the start time').first().waitFor();
    await page.getByLabel('Closes').fill('2030-01-10T11:00');
    await page.getByRole('button', { name: 'Create exam' }).click();
    await page.waitForURL(/\/questions$/);

    await addChoiceQuestion(page, 'Single choice', 'Two plus two?', ['Three', 'Four'], [1]);
    await page.getByRole('button', { name: 'Edit question 1' }).click();
    const edit = page.getByRole('form', { name: 'Edit question 1' });
    await edit.getByLabel('Question', { exact: true }).fill('What is two plus two?');
    await edit.getByRole('button', { name: 'Save question' }).click();
    await status(page, 'Question 1 saved.');

    const exported = await downloaded(page, () =>
      page.getByRole('button', { name: 'Export questions (JSON)' }).click(),
    );
    expect(exported.name).toMatch(/\.json$/);
    expect(JSON.parse(exported.text).questions[0].prompt).toBe('What is two plus two?');
    await page.getByLabel('Questions file').setInputFiles({
      name: 'questions.json',
      mimeType: 'application/json',
      buffer: Buffer.from(exported.text),
    });
    await page.getByRole('button', { name: 'Import questions' }).click();
    await status(page, 'Imported 1 question.');
    await page.getByRole('heading', { name: 'Questions (2)' }).waitFor();

    await page.getByRole('button', { name: 'Delete question 2' }).click();
    await page
      .getByRole('dialog', { name: 'Delete this question?' })
      .getByRole('button', { name: 'Delete question' })
      .click();
    await status(page, 'Question 2 deleted.');

    await page.getByRole('navigation', { name: 'Exam sections' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Duration in minutes').fill('20');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await status(page, 'Settings saved.');
    expect(await page.getByLabel('Duration in minutes').inputValue()).toBe('20');

    await page.getByRole('navigation', { name: 'Exam sections' }).getByRole('link', { name: 'Participants' }).click();
    await page.getByLabel('Email', { exact: true }).fill('cy@pupils.example');
    await page.getByRole('button', { name: 'Add participant' }).click();
    await page.getByText('Added cy@pupils.example').waitFor();
    const first = ((await page.locator('.added .access-code').textContent()) ?? '').trim();

    await page.getByRole('button', { name: 'New code for cy@pupils.example' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Issue new code' }).click();
    await status(page, 'New access code for cy@pupils.example');
    const row = page.getByRole('row', { name: /cy@pupils\.example/ });
    const second = ((await row.locator('.access-code').textContent()) ?? '').trim();
    expect(second).not.toBe(first);

    const list = await downloaded(page, () => page.getByRole('button', { name: 'Download participants CSV' }).click());
    expect(list.text).toContain('cy@pupils.example');
    expect(list.text).not.toContain(second);

    // The codes CSV changes nothing: the code handed out stays valid and cannot be shown again.
    const codes = await downloaded(page, () => page.getByRole('button', { name: 'Download codes CSV' }).click());
    expect(codes.text).toContain('cy@pupils.example');
    expect(codes.text).toMatch(/issued earlier on [^;]+; reissue to get a new one/);
    expect(codes.text).not.toContain(second);
    await status(page, 'Codes already handed out still work');
    expect(await row.locator('.access-code').textContent()).toContain(second);

    // Cancelling the bulk reissue issues nothing.
    const reissueButton = page.getByRole('button', { name: 'Reissue codes for everyone not started…' });
    await reissueButton.click();
    const dialog = page.getByRole('dialog', { name: 'Reissue codes for the 1 participant who has not started?' });
    await dialog.getByText('Their current codes stop working').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await row.locator('.access-code').textContent()).toContain(second);

    await reissueButton.click();
    const reissued = await downloaded(page, () =>
      dialog.getByRole('button', { name: 'Reissue 1 code and download' }).click(),
    );
    await status(page, 'Reissued codes for the 1 participant who has not started');
    expect(reissued.text).toContain('cy@pupils.example');
    expect(reissued.text).toMatch(/[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/);
    expect(reissued.text).not.toContain(second);
    const fresh = reissued.text.match(/[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/)![0];
    await row.getByText(`ends in ${fresh.slice(-4)}`).waitFor();
  });
});
