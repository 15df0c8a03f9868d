// Settings that do what they say, in a real browser: the teacher generates an exam code in
// the exam's settings; a student enrolled in the course types it on their home page and
// lands in the lobby, as invited students do; the page records the time spent on a
// question; and an exam limited to Firefox tells this Chromium which browser to use.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import type { APIRequestContext, Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from './chromium.ts';
import { THREE_QUESTIONS, apiAs, newAccount, publishedExam, shot, signedInPage, stamp, type Account } from './seed.ts';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Serious or critical axe-core violations on the page, as "rule: selector" lines. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate<string[]>(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`,
  );
}

describe('joining with an exam code', { timeout: 120_000 }, () => {
  let browser: Browser;
  let teacherApi: APIRequestContext;
  let teacher: Account;
  let student: Account;
  let courseId: string;
  let db: pg.Client;
  const contexts: BrowserContext[] = [];
  const tag = stamp();

  beforeAll(async () => {
    browser = await launchBrowser();
    db = new pg.Client({ connectionString: inject('databaseUrl') });
    await db.connect();
    teacher = await newAccount('teacher');
    student = await newAccount('student', `Code Student ${tag}`);
    teacherApi = await apiAs(teacher);
    const course = await teacherApi.post('/api/courses', { data: { name: `Genetics ${tag}` } });
    expect(course.status()).toBe(201);
    courseId = (await course.json()).id;
    const enrolled = await teacherApi.post(`/api/courses/${courseId}/enrollments`, {
      data: { email: student.email, role: 'student' },
    });
    expect(enrolled.status()).toBeLessThan(300);
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await teacherApi?.dispose();
    await db?.end();
  });

  async function page(account: Account, bypassCSP = false) {
    const { context, page } = await signedInPage(browser, account);
    contexts.push(context);
    if (bypassCSP) {
      // Only so axe-core can be injected: a context of its own with the same cookies.
      const withAxe = await browser.newContext({ baseURL: inject('baseUrl'), bypassCSP: true });
      withAxe.setDefaultTimeout(15_000);
      contexts.push(withAxe);
      await withAxe.addCookies(await context.cookies());
      return withAxe.newPage();
    }
    return page;
  }

  it('the teacher generates a code; the enrolled student joins with it, starts, and their time on a question is kept', async () => {
    const title = `Genetics quiz ${tag}`;
    const examId = await publishedExam(teacherApi, { title, courseId }, THREE_QUESTIONS);

    // The teacher: Generate a code, save.
    const t = await page(teacher, true);
    await t.goto(`/teach/exams/${examId}`);
    const codeBox = t.getByRole('textbox', { name: /^Exam code/ });
    await t.getByRole('button', { name: 'Generate a code' }).click();
    const code = await codeBox.inputValue();
    expect(code).toMatch(/^[A-Z0-9]{7}$/);
    await t.getByRole('checkbox', { name: 'Grade blind' }).check();
    await t.getByRole('button', { name: 'Save settings' }).click();
    await t.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor();
    expect(await seriousViolations(t)).toEqual([]);
    await shot(t, 'exam-code-settings');
    const saved = await (await teacherApi.get(`/api/exams/${examId}`)).json();
    expect(saved).toMatchObject({ code, blindGrading: true });

    // The student: a wrong code first, then the right one typed in lower case.
    const s = await page(student, true);
    await s.goto('/');
    const join = s.getByRole('region', { name: 'Join with exam code' });
    const box = join.getByRole('textbox', { name: 'Exam code' });
    await box.fill('NOPE999');
    await join.getByRole('button', { name: 'Join' }).click();
    await join.getByText('No exam with that code for your courses. Check the code with your teacher.').waitFor();
    expect(await box.getAttribute('aria-invalid')).toBe('true');
    expect(await seriousViolations(s)).toEqual([]);
    await box.fill(code.toLowerCase());
    await join.getByRole('button', { name: 'Join' }).click();
    await s.getByRole('heading', { name: title, level: 1 }).waitFor();
    expect(s.url()).toMatch(/\/attempts\/[0-9a-f-]{36}$/);
    const attemptId = s.url().split('/').at(-1)!;
    const { rows: joined } = await db.query(
      `select p.joined_with_exam_code from exam_participants p join users u on u.id = p.user_id
        where p.exam_id = $1 and u.email = $2`,
      [examId, student.email],
    );
    expect(joined).toEqual([{ joined_with_exam_code: true }]);

    // In the exam: a moment on the first question, then an answer.
    await s.getByRole('button', { name: 'Start exam' }).click();
    const mars = s.getByRole('radio', { name: 'Mars' });
    await mars.waitFor();
    const shownAt = Date.now();
    await s.waitForFunction((since) => Date.now() - since >= 2500, shownAt);
    await mars.check();
    await s.getByRole('status').filter({ hasText: 'All answers saved' }).first().waitFor();
    // The status also reads "All answers saved" before the save goes out: the row is polled.
    const answerRows = () =>
      db.query(
        `select a.time_spent_seconds from answers a join questions q on q.id = a.question_id
          where a.attempt_id = $1 and q.prompt = $2`,
        [attemptId, THREE_QUESTIONS[0][0]],
      );
    await expect.poll(async () => (await answerRows()).rows.length, { timeout: 10_000 }).toBe(1);
    const { rows } = await answerRows();
    expect(rows[0].time_spent_seconds).toBeGreaterThanOrEqual(2);
    expect(rows[0].time_spent_seconds).toBeLessThanOrEqual(Math.ceil((Date.now() - shownAt) / 1000) + 1);
  });

  it('an exam limited to Firefox tells the student in Chromium which browser to use', async () => {
    const title = `Firefox only ${tag}`;
    const code = `FF${tag.slice(-5).toUpperCase()}`.replace(/[^A-Z0-9]/g, '0').slice(0, 7);
    const examId = await publishedExam(
      teacherApi,
      { title, courseId, code, proctoring: { enabled: true, allowedBrowsers: ['firefox'] } },
      THREE_QUESTIONS,
    );
    const s = await page(student);
    await s.goto('/');
    const join = s.getByRole('region', { name: 'Join with exam code' });
    await join.getByRole('textbox', { name: 'Exam code' }).fill(code);
    await join.getByRole('button', { name: 'Join' }).click();
    const alert = join
      .getByRole('alert')
      .filter({ hasText: /This exam must be taken in Firefox\. You are using Chrome \d+\./ });
    await alert.waitFor();
    expect(await alert.textContent()).toContain(`You joined ${title}.`);
    // Joined all the same: it is in My exams, and Enter says the same.
    const card = s.getByRole('listitem').filter({ has: s.getByRole('heading', { name: title }) });
    await card.getByRole('button', { name: `Enter ${title}` }).click();
    await s
      .getByRole('alert')
      .filter({ hasText: `${title}: This exam must be taken in Firefox.` })
      .waitFor();
    const { rows } = await db.query(`select count(*)::int as n from attempts where exam_id = $1`, [examId]);
    expect(rows[0].n).toBe(0);
  });
  it('a lobby whose exam became Firefox-only says so at Start, and the student can still start elsewhere', async () => {
    const title = `Later Firefox only ${tag}`;
    const code = `LF${tag.slice(-5).toUpperCase()}`.replace(/[^A-Z0-9]/g, '0').slice(0, 7);
    const examId = await publishedExam(teacherApi, { title, courseId, code }, THREE_QUESTIONS);
    const s = await page(student);
    await s.goto('/');
    const join = s.getByRole('region', { name: 'Join with exam code' });
    await join.getByRole('textbox', { name: 'Exam code' }).fill(code);
    await join.getByRole('button', { name: 'Join' }).click();
    await s.getByRole('heading', { name: title, level: 1 }).waitFor();
    const limited = await teacherApi.patch(`/api/exams/${examId}`, {
      data: { proctoring: { enabled: true, allowedBrowsers: ['firefox'] } },
    });
    expect(limited.status()).toBe(200);
    await s.getByRole('button', { name: 'Start exam' }).click();
    await s
      .getByRole('alert')
      .filter({ hasText: /^This exam must be taken in Firefox\. You are using Chrome \d+\. Open the exam in Firefox/ })
      .waitFor();
    expect(await s.getByRole('button', { name: 'Start exam' }).isEnabled()).toBe(true);
    const { rows } = await db.query(`select status from attempts where exam_id = $1`, [examId]);
    expect(rows).toEqual([{ status: 'not_started' }]);
  });
});
