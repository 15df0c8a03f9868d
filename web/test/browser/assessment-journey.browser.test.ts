// The [assessment] journey end to end, in Chromium, against the real workers and chain:
// a teacher imports a Moodle XML file into a course's question bank and a GIFT file (with an
// essay) into an exam, adds a section that draws two bank questions at random, and a student
// with 25 % extra time takes the exam, getting the extra time live on the exam page. The
// workers grade what they can; the essay waits in the teacher's grading queue; the teacher
// marks it by hand, and only then the result is final and the certificate is minted.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import type { APIRequestContext, Browser, BrowserContext, Page } from 'playwright-core';
import { loadConfig } from '../../../server/src/config/config.ts';
import { createLogger } from '../../../server/src/lib/logger.ts';
import { startWorkers } from '../../../server/src/jobs/runtime.ts';
import { launchBrowser } from './chromium.ts';
import { apiAs, enterWithCode, invite, newAccount, shot, stamp, type Account } from './seed.ts';

const baseUrl = inject('baseUrl');
const databaseUrl = inject('databaseUrl');

/** Four true statements and one Moodle construct that has no equivalent here. */
const BANK_STATEMENTS = [
  'Water boils at 100 degrees Celsius at sea level.',
  'Sound needs a medium to travel.',
  'Light travels faster than sound.',
  'A magnet attracts iron.',
];
const MOODLE_XML = `<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category">
    <category><text>$course$/top/Physics</text></category>
  </question>
${BANK_STATEMENTS.map(
  (s, i) => `  <question type="truefalse">
    <name><text>Statement ${i + 1}</text></name>
    <questiontext format="html"><text><![CDATA[<p>${s}</p>]]></text></questiontext>
    <defaultgrade>1.0000000</defaultgrade>
    <answer fraction="100" format="moodle_auto_format"><text>true</text></answer>
    <answer fraction="0" format="moodle_auto_format"><text>false</text></answer>
  </question>`,
).join('\n')}
  <question type="calculated">
    <name><text>Speed</text></name>
    <questiontext format="html"><text>How far does a car go in {t} hours at {v} km/h?</text></questiontext>
    <answer fraction="100"><text>{t}*{v}</text></answer>
  </question>
</quiz>
`;
const ESSAY_PROMPT = 'Explain why ice floats on water.';
const GIFT = `// Exam questions written in GIFT.
::Ice floats:: ${ESSAY_PROMPT} {}

::Density:: Ice is less dense than liquid water. {T}
`;
const ESSAY = 'Water expands when it freezes, so ice is less dense than the water around it.';

describe(
  'the assessment journey: import, bank draw, extra time, hand grading, certificate',
  { timeout: 240_000 },
  () => {
    let browser: Browser;
    let db: pg.Client;
    let workers: Awaited<ReturnType<typeof startWorkers>>;
    let teacher: Account;
    let api: APIRequestContext;
    let teacherContext: BrowserContext;
    let studentContext: BrowserContext;
    let courseId = '';
    let examId = '';
    const examTitle = `Physics of water ${stamp()}`;

    beforeAll(async () => {
      const config = loadConfig({
        ...process.env,
        DATABASE_URL: databaseUrl,
        REDIS_PREFIX: inject('redisPrefix'),
        ...inject('chainEnv'),
      });
      // Grading, certificate evaluation and minting, against the system under test.
      workers = await startWorkers(config, createLogger('silent'), { schedules: false });
      db = new pg.Client({ connectionString: databaseUrl });
      await db.connect();
      teacher = await newAccount('teacher');
      api = await apiAs(teacher);
      const course = await api.post('/api/courses', { data: { name: `Physics ${stamp()}` } });
      expect(course.status()).toBe(201);
      courseId = (await course.json()).id;
      const exam = await api.post('/api/exams', {
        data: {
          title: examTitle,
          courseId,
          durationMinutes: 20,
          availableAnytime: true,
          resultsPolicy: 'immediately',
          allowReview: true,
          passingScore: 75,
          issueCertificates: true,
        },
      });
      expect(exam.status(), await exam.text()).toBe(201);
      examId = (await exam.json()).id;
      browser = await launchBrowser();
      teacherContext = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1400, height: 1000 } });
      teacherContext.setDefaultTimeout(15_000);
      const signIn = await teacherContext.request.post('/api/auth/sign-in', {
        data: { email: teacher.email, password: teacher.password },
        headers: { origin: baseUrl },
      });
      expect(signIn.status()).toBe(200);
    }, 90_000);

    afterAll(async () => {
      await studentContext?.close();
      await teacherContext?.close();
      await browser?.close();
      await api?.dispose();
      await db?.end();
      await workers?.close();
    });

    async function importFile(page: Page, name: string, body: string, expected: RegExp) {
      await page
        .getByLabel(/^Question file/)
        .setInputFiles({ name, mimeType: 'text/plain', buffer: Buffer.from(body) });
      await page.getByRole('button', { name: 'Check file' }).click();
      await page.getByRole('table', { name: new RegExp(name.replace('.', '\\.')) }).waitFor();
      await page.getByRole('button', { name: /^Import \d+ questions?$/ }).click();
      await page.getByRole('status').filter({ hasText: expected }).waitFor();
    }

    it('runs from two imported files to a minted certificate', async () => {
      const page = await teacherContext.newPage();

      // 1. A question bank in the course, from a Moodle XML file (the calculated question is reported, not imported).
      await page.goto(`/teach/courses/${courseId}/banks`);
      await page.getByLabel('Name').fill('Physics statements');
      await page.getByRole('button', { name: 'Create bank' }).click();
      await page.getByRole('link', { name: 'Physics statements' }).click();
      await page.getByRole('heading', { name: 'Questions (0)' }).waitFor();
      await page.getByLabel(/^Question file/).setInputFiles({
        name: 'physics.xml',
        mimeType: 'text/xml',
        buffer: Buffer.from(MOODLE_XML),
      });
      await expect.poll(() => page.getByLabel('Moodle XML', { exact: true }).isChecked()).toBe(true);
      await page.getByRole('button', { name: 'Check file' }).click();
      const report = page.getByRole('table', { name: /physics\.xml/ });
      await report.waitFor();
      expect(await report.getByRole('row', { name: /Speed/ }).textContent()).toMatch(/calculated/i);
      await page.getByRole('button', { name: 'Import 4 questions' }).click();
      await page.getByRole('heading', { name: 'Questions (4)' }).waitFor();

      // 2. The exam's own questions from a GIFT file: an essay and a true/false.
      await page.goto(`/teach/exams/${examId}/questions`);
      await importFile(page, 'water.gift', GIFT, /Imported 2 questions from water\.gift/);

      // 3. A section drawing two of the four bank questions for each student, a point each.
      await page.getByRole('button', { name: 'Add a section from a bank' }).click();
      await page.getByLabel('Draw at random for each student').check();
      await page.getByLabel('Bank', { exact: true }).selectOption({ label: 'Physics statements (4)' });
      await page.getByLabel('Questions to draw').fill('2');
      await page.getByLabel('Points each').fill('1');
      await page.getByRole('button', { name: 'Add section' }).click();
      await page
        .getByRole('heading', { name: /^(Section 1|.*random.*)$/i })
        .first()
        .waitFor();
      await shot(page, 'journey-sections');
      const exam = await (await api.get(`/api/exams/${examId}`)).json();
      expect(exam.questionCount).toBe(4);
      expect(exam.totalPoints).toBe(4);
      expect((await api.post(`/api/exams/${examId}/publish`)).status()).toBe(200);

      // 4. The student enters with a code and starts; four questions, two drawn from the bank.
      const email = `lena-${stamp()}@pupils.example`;
      const code = await invite(api, examId, email, 'Lena Frost');
      studentContext = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1100, height: 900 } });
      studentContext.setDefaultTimeout(15_000);
      const student = await studentContext.newPage();
      await enterWithCode(student, email, code);
      await student.waitForURL(/\/attempts\/[0-9a-f-]+$/);
      const attemptId = student.url().split('/').at(-1)!;
      await student.getByRole('button', { name: 'Start exam' }).click();
      await student.getByRole('heading', { name: examTitle }).waitFor();
      const before = await db.query<{ drawn: Record<string, { points: number }>; order: string[] }>(
        'select drawn_questions as drawn, question_order as order from attempts where id = $1',
        [attemptId],
      );
      expect(Object.keys(before.rows[0]!.drawn)).toHaveLength(2);
      expect(before.rows[0]!.order).toHaveLength(4);

      // 5. The teacher gives 25 % extra time while the student is on the exam page: 20 min -> +5 min, live.
      await page.goto(`/teach/exams/${examId}/participants`);
      await page.getByRole('button', { name: `Accommodation for ${email}` }).click();
      const dialog = page.getByRole('dialog', { name: 'Accommodation for Lena Frost' });
      await dialog.waitFor();
      await dialog.getByLabel(/percent/i).fill('25');
      await dialog.getByRole('button', { name: /^Save/ }).click();
      await dialog.waitFor({ state: 'hidden' });
      await student.getByRole('status').filter({ hasText: 'Your extra time (25%) was applied: +5 minutes.' }).waitFor();
      const extra = await db.query<{ s: number }>('select accommodation_seconds as s from attempts where id = $1', [
        attemptId,
      ]);
      expect(extra.rows[0]!.s).toBe(300);

      // 6. The student answers every true/false (all true) and writes the essay, then submits.
      await student.getByRole('button', { name: 'Show all questions on one page' }).click();
      for (const statement of [...BANK_STATEMENTS, 'Ice is less dense than liquid water.']) {
        const group = student.getByRole('group', { name: statement });
        if ((await group.count()) === 0) continue; // a bank statement this attempt did not draw
        await group.getByRole('radio', { name: 'True' }).check();
      }
      const essay = student.getByRole('group', { name: ESSAY_PROMPT }).getByRole('textbox');
      await essay.click();
      await student.keyboard.type(ESSAY);
      await essay.blur();
      await student
        .getByText(/All answers saved|Saved/)
        .first()
        .waitFor();
      await student.getByRole('button', { name: 'Submit exam' }).click();
      await student
        .getByRole('dialog', { name: 'Submit your exam?' })
        .getByRole('button', { name: 'Submit exam' })
        .click();

      // 7. The workers grade three of four points; the essay waits, and so do the result and the certificate.
      await student.getByText(/waiting for hand grading \(1 answer to mark\)/).waitFor({ timeout: 30_000 });
      const waiting = await db.query<{ score: number; pending: number; certs: number }>(
        `select a.score::float as score, a.manual_pending as pending,
              (select count(*)::int from certificates c where c.attempt_id = a.id) as certs
         from attempts a where a.id = $1`,
        [attemptId],
      );
      expect(waiting.rows[0]).toEqual({ score: 3, pending: 1, certs: 0 });

      // 8. The teacher marks the essay in the grading queue.
      await page.goto(`/teach/exams/${examId}/grading`);
      await page.getByText('1 answer waiting for a mark in 1 attempt').waitFor();
      await page.getByRole('link', { name: 'Lena Frost' }).click();
      await page.getByRole('heading', { name: 'Answer sheet of Lena Frost', level: 2 }).waitFor();
      await page.getByText(ESSAY).waitFor();
      await page.getByLabel('Points (0 to 1)').fill('1');
      await page.getByLabel(/^Feedback/).fill('Clear and correct.');
      await page.getByRole('button', { name: 'Save mark' }).click();
      await page.getByText('All marked: the result is final').waitFor();
      await shot(page, 'journey-marked');

      // 9. The result is final (4 of 4, passed) and the certificate follows.
      await student.reload();
      await student.getByRole('heading', { name: 'Your result', exact: true }).waitFor({ timeout: 30_000 });
      await student.getByText('4 of 4 points').waitFor();
      await student.getByText('Clear and correct.').waitFor();
      await student.getByRole('link', { name: 'Open verification page' }).waitFor({ timeout: 60_000 });
      const cert = await db.query<{ status: string }>('select status from certificates where attempt_id = $1', [
        attemptId,
      ]);
      expect(cert.rows[0]?.status).toBe('issued');
      await shot(student, 'journey-certificate');
    });
  },
);
