// A course in a real browser: the teacher edits it, imports a CSV roster (a proctor and
// two students), reads each row's outcome and the exact student count on the roster and
// the course list; the proctor then opens the exam's hall and finds themselves listed
// under "Who may proctor this exam".
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { request, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import { hashPassword } from '../../../server/src/modules/auth/auth.passwords.ts';
import { launchBrowser } from './chromium.ts';

const baseUrl = inject('baseUrl');
const databaseUrl = inject('databaseUrl');
const teacherEmail = inject('teacherEmail');
const teacherPassword = inject('teacherPassword');

const tag = Date.now().toString(36);
const proctorEmail = `priya-${tag}@staff.example`;
const proctorPassword = `pw-${tag}-proctor-browser`;
const anaEmail = `ana-${tag}@pupils.example`;
const boEmail = `bo-${tag}@pupils.example`;

async function signIn(page: Page, email: string, password: string) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
}

describe('a course and its roster', { timeout: 120_000 }, () => {
  let browser: Browser;
  let api: APIRequestContext;
  const db = new pg.Client({ connectionString: databaseUrl });
  let courseId = '';
  let examId = '';

  beforeAll(async () => {
    await db.connect();
    // Staff accounts are an administrator's to create; the test makes the proctor's directly.
    await db.query(
      `insert into users (email, name, role, status, password_hash) values ($1, $2, 'proctor', 'active', $3)`,
      [proctorEmail, `Priya Proctor ${tag}`, await hashPassword(proctorPassword)],
    );
    api = await request.newContext({ baseURL: baseUrl });
    expect(
      (await api.post('/api/auth/sign-in', { data: { email: teacherEmail, password: teacherPassword } })).status(),
    ).toBe(200);
    const course = await api.post('/api/courses', { data: { name: `Biology ${tag}`, subject: 'Biology' } });
    expect(course.status()).toBe(201);
    courseId = (await course.json()).id;
    const exam = await api.post('/api/exams', {
      data: { title: `Cells quiz ${tag}`, durationMinutes: 20, availableAnytime: true, courseId },
    });
    expect(exam.status()).toBe(201);
    examId = (await exam.json()).id;
    const q = await api.post(`/api/exams/${examId}/questions`, {
      data: {
        type: 'single_choice',
        prompt: 'Which organelle makes energy?',
        content: {
          options: [
            { id: 'a', text: 'Mitochondrion' },
            { id: 'b', text: 'Nucleus' },
          ],
        },
        answerKey: { correct: 'a' },
      },
    });
    expect(q.status()).toBe(201);
    expect((await api.post(`/api/exams/${examId}/publish`)).status()).toBe(200);
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.dispose();
    await db.end();
  });

  it('edits the course, imports the roster with outcomes, and the proctor sees the hall listing them', async () => {
    const teacher = await browser.newContext({ baseURL: baseUrl });
    teacher.setDefaultTimeout(15_000);
    const page = await teacher.newPage();
    await signIn(page, teacherEmail, teacherPassword);

    // Edit the course from its page.
    await page.goto(`/teach/courses/${courseId}`);
    await page.getByRole('heading', { level: 1, name: `Biology ${tag}` }).waitFor();
    await page.getByRole('button', { name: 'Edit course' }).click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('course-name');
    await page.getByLabel('Name').fill(`Biology 101 ${tag}`);
    await page.getByLabel('Allowed email domains').fill('pupils.example');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Saved “Biology 101 ${tag}”.` })
      .waitFor();
    await page.getByRole('heading', { level: 1, name: `Biology 101 ${tag}` }).waitFor();
    await expect(page.getByText('pupils.example', { exact: true }).isVisible()).resolves.toBe(true);

    // The roster: import a CSV with a proctor and two students.
    await page.getByRole('link', { name: 'Roster' }).click();
    await page.getByRole('heading', { level: 1, name: `Roster: Biology 101 ${tag}` }).waitFor();
    const csv = ['email,name,role', `${proctorEmail},,proctor`, `${anaEmail},Ana Lima,student`, `${boEmail},Bo Berg,`];
    await page.getByLabel('CSV file', { exact: true }).setInputFiles({
      name: 'roster.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv.join('\n')),
    });
    await page.getByRole('button', { name: 'Upload and import' }).click();
    const results = page.getByRole('heading', { name: /^Import results:/ });
    await results.waitFor();
    expect(await results.textContent()).toBe(
      'Import results: 3 added, 0 re-enrolled, 0 changed, 0 skipped, 0 rejected. The course now has 2 students.',
    );
    // Focus moves to the results, so a screen reader reads them next.
    await page.waitForFunction(() => document.activeElement?.id === 'roster-results-heading');
    const outcomes = page.getByRole('table', { name: /Outcome of each row of roster\.csv/ });
    for (const [email, role] of [
      [proctorEmail, 'Proctor'],
      [anaEmail, 'Student'],
      [boEmail, 'Student'],
    ] as const) {
      const row = outcomes.getByRole('row').filter({ has: page.getByRole('rowheader', { name: email }) });
      expect(await row.getByRole('cell').nth(1).textContent()).toBe(role);
      await row.getByText('Added').waitFor();
    }
    // The roster itself, with the exact counts.
    await page.getByTestId('roster-counts').filter({ hasText: '(2 students, 0 co-teachers, 1 proctors)' }).waitFor();
    const people = page.getByRole('table', { name: /^Enrolled people/ });
    await people.getByRole('rowheader', { name: 'Ana Lima' }).waitFor();
    await page.getByRole('link', { name: /^Proctors \(1\)/ }).click();
    await page.waitForURL(/role=proctor/);
    expect(await people.getByRole('rowheader').allTextContents()).toEqual([`Priya Proctor ${tag}`]);

    // The course list shows the exact count.
    await page.goto('/teach/courses');
    const courseRow = page
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: `Biology 101 ${tag}` }) });
    expect(await courseRow.getByTestId('student-count').textContent()).toBe('2');

    // The teacher's hall page links to the roster.
    await page.goto(`/hall/${examId}`);
    const who = page.getByRole('region', { name: 'Who may proctor this exam' });
    await who.getByRole('link', { name: `Manage the roster of Biology 101 ${tag}` }).waitFor();
    await who.getByText(proctorEmail).waitFor();
    await teacher.close();

    // The proctor opens the exam's hall and is listed as its proctor, without emails.
    const proctor = await browser.newContext({ baseURL: baseUrl });
    proctor.setDefaultTimeout(15_000);
    const hall = await proctor.newPage();
    await signIn(hall, proctorEmail, proctorPassword);
    await hall.goto(`/hall/${examId}`);
    await hall.getByRole('heading', { level: 1, name: `Cells quiz ${tag}` }).waitFor();
    const list = hall.getByRole('region', { name: 'Who may proctor this exam' });
    const items = list.getByRole('listitem');
    await items
      .filter({ hasText: `Priya Proctor ${tag}` })
      .filter({ hasText: 'Proctor' })
      .waitFor();
    await items.filter({ hasText: 'Exam author' }).waitFor();
    expect(await list.textContent()).not.toContain('@');
    expect(await list.getByRole('link').count()).toBe(0);
    await proctor.close();
  });
});
