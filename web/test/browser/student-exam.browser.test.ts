// The student's exam page in a real browser against the whole system: answering,
// losing the network, reloading while offline (the service worker keeps the page),
// coming back with every answer committed, the proctor's pause / extension / message,
// the time warnings, and submitting.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { request, type APIRequestContext, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { AckReply } from '@exam-hall/protocol';
import { createDb } from '../../../server/src/db/client.ts';
import { gradeAttempt } from '../../../server/src/modules/grading/grading.service.ts';
import { launchBrowser } from './chromium.ts';

const baseUrl = inject('baseUrl');
const databaseUrl = inject('databaseUrl');
const teacherEmail = inject('teacherEmail');
const teacherPassword = inject('teacherPassword');
const studentEmail = inject('studentEmail');
const studentPassword = inject('studentPassword');

const SHOTS = process.env.SCREENSHOT_DIR;
const examTitle = `Planets and primes ${Date.now().toString(36)}`;
const codeEmail = `lia-${Date.now().toString(36)}@pupils.example`;

async function shot(page: Page, name: string) {
  if (!SHOTS) return;
  // From the top: the sticky bar would otherwise be drawn where the page was scrolled to.
  await page.evaluate(() => scrollTo(0, 0));
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

/** A status region that says `text`, once it says it. */
async function status(page: Page, text: string | RegExp) {
  await page.getByRole('status').filter({ hasText: text }).first().waitFor();
}

async function timerSeconds(page: Page): Promise<number> {
  const text = ((await page.getByRole('timer').textContent()) ?? '').trim();
  const parts = text.split(':').map(Number);
  return parts.reduce((total, n) => total * 60 + n, 0);
}

/** The device clock of the student's browser runs three hours fast: the countdown must not care. */
const SKEWED_CLOCK = `(() => {
  const Real = Date;
  const skew = 3 * 3600 * 1000;
  class Skewed extends Real {
    constructor(...args) { if (args.length === 0) super(Real.now() + skew); else super(...args); }
    static now() { return Real.now() + skew; }
  }
  globalThis.Date = Skewed;
})();`;

describe('a student takes an exam through a network outage', { timeout: 120_000 }, () => {
  let browser: Browser;
  let teacher: APIRequestContext;
  let proctorSocket: Socket;
  let student: BrowserContext;
  let page: Page;
  let db: pg.Client;
  let examId = '';
  let attemptId = '';
  const q: Record<'planet' | 'primes' | 'water' | 'capital', string> = {
    planet: '',
    primes: '',
    water: '',
    capital: '',
  };

  async function act(payload: Record<string, unknown>) {
    const reply = (await proctorSocket.timeout(10_000).emitWithAck('hall:action', payload)) as AckReply<unknown>;
    if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.message}`);
  }

  async function storedAnswers() {
    const res = await db.query<{ question_id: string; response: unknown; flagged: boolean; seq: string }>(
      'select question_id, response, flagged, seq from answers where attempt_id = $1',
      [attemptId],
    );
    return Object.fromEntries(res.rows.map((r) => [r.question_id, { response: r.response, flagged: r.flagged }]));
  }

  beforeAll(async () => {
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    browser = await launchBrowser();

    teacher = await request.newContext({ baseURL: baseUrl });
    const signIn = await teacher.post('/api/auth/sign-in', {
      data: { email: teacherEmail, password: teacherPassword },
    });
    expect(signIn.status()).toBe(200);
    const exam = await teacher.post('/api/exams', {
      data: {
        title: examTitle,
        durationMinutes: 30,
        availableAnytime: true,
        instructions: 'Answer all four questions. No notes or calculators.',
        proctoring: { enabled: true, blockCopyPaste: true },
        resultsPolicy: 'immediately',
        allowReview: true,
      },
    });
    expect(exam.status()).toBe(201);
    examId = (await exam.json()).id;
    const questions = [
      {
        key: 'planet',
        type: 'single_choice',
        prompt: 'Which planet is known as the Red Planet?',
        content: { options: [opt('a', 'Venus'), opt('b', 'Mars'), opt('c', 'Jupiter')] },
        answerKey: { correct: 'b' },
        explanation: 'Iron oxide dust makes its surface look red.',
      },
      {
        key: 'primes',
        type: 'multiple_choice',
        prompt: 'Which of these numbers are prime?',
        content: { options: [opt('a', 'Two'), opt('b', 'Four'), opt('c', 'Seven'), opt('d', 'Nine')] },
        answerKey: { correct: ['a', 'c'] },
      },
      { key: 'water', type: 'true_false', prompt: 'Water boils at 100 °C at sea level.', answerKey: { correct: true } },
      {
        key: 'capital',
        type: 'single_choice',
        prompt: 'What is the capital of Portugal?',
        content: { options: [opt('a', 'Porto'), opt('b', 'Lisbon'), opt('c', 'Faro')] },
        answerKey: { correct: 'b' },
      },
    ] as const;
    for (const { key, ...body } of questions) {
      const res = await teacher.post(`/api/exams/${examId}/questions`, { data: body });
      expect(res.status()).toBe(201);
      q[key] = (await res.json()).id;
    }
    expect((await teacher.post(`/api/exams/${examId}/publish`)).status()).toBe(200);

    const cookie = (await teacher.storageState()).cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    proctorSocket = io(baseUrl, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false });
    await new Promise<void>((resolve, reject) => {
      proctorSocket.once('connect', resolve);
      proctorSocket.once('connect_error', reject);
    });
  }, 60_000);

  afterAll(async () => {
    proctorSocket?.close();
    await student?.close();
    await teacher?.dispose();
    await browser?.close();
    await db?.end();
  });

  it('starts with an access code and shows the first question with a fair countdown', async () => {
    const invite = await teacher.post(`/api/exams/${examId}/participants`, { data: { email: codeEmail } });
    expect(invite.status()).toBe(201);
    const code: string = (await invite.json()).code;

    student = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1100, height: 900 } });
    student.setDefaultTimeout(15_000);
    await student.addInitScript({ content: SKEWED_CLOCK });
    page = await student.newPage();
    await page.goto('/start');
    await page.getByLabel('Email').fill(codeEmail);
    await page.getByLabel('Access code').fill(code);
    await page.getByRole('button', { name: 'Enter the exam' }).click();
    await page.waitForURL(/\/attempts\/[0-9a-f-]+$/);
    await page.getByRole('button', { name: 'Start exam' }).click();
    attemptId = new URL(page.url()).pathname.split('/').pop()!;

    await page.getByRole('heading', { name: examTitle, level: 1 }).waitFor();
    await page.getByRole('group', { name: 'Which planet is known as the Red Planet?' }).waitFor();
    await status(page, 'All answers saved');
    // Three hours of device clock error change nothing: 30 minutes, counted on the server's clock.
    expect(await timerSeconds(page)).toBeGreaterThan(29 * 60);
    expect(await timerSeconds(page)).toBeLessThanOrEqual(30 * 60);
    expect(await page.getByRole('navigation', { name: 'Questions' }).getByRole('button').count()).toBe(4);
    await page.getByRole('button', { name: 'Question 1, not answered' }).waitFor();

    // The service worker keeps this page for a reload while offline.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      for (let i = 0; i < 100; i++) {
        for (const key of await caches.keys()) {
          if (await (await caches.open(key)).match('/attempts/__shell__')) return;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the attempt page shell was never cached');
    });
  });

  it('saves answers as they are given', async () => {
    await page.getByRole('radio', { name: 'Mars' }).check();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('checkbox', { name: 'Two' }).check();
    await page.getByRole('checkbox', { name: 'Seven' }).check();
    await status(page, 'All answers saved');
    await page.getByRole('button', { name: 'Question 2, answered' }).waitFor();
    await expect.poll(async () => Object.keys(await storedAnswers()).length).toBe(2);
    // The status region may still say "All answers saved" from before the second tick (it
    // repeats the visible line only after 800 ms), and one CI run read the row between the two
    // saves: wait for the committed row itself.
    await expect
      .poll(async () => (await storedAnswers())[q.primes], { timeout: 15_000 })
      .toEqual({ response: { optionIds: ['a', 'c'] }, flagged: false });
    await shot(page, 'exam');

    // Copying is blocked on this exam, and the proctor hears of it.
    await page.getByText('Which of these numbers are prime?').click();
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Control+c');
    await page.getByText('Copy, cut and paste are turned off for this exam.').waitFor();
    await page.evaluate(() => getSelection()?.removeAllRanges());
  });

  it('keeps answering offline, survives a reload while offline, and sends everything on reconnecting', async () => {
    await student.setOffline(true);
    await status(page, /^Offline/);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('radio', { name: 'True' }).check();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('radio', { name: 'Lisbon' }).check();
    await page.getByRole('checkbox', { name: 'Flag question 4 for review' }).check();
    await status(page, 'Offline — 2 answers waiting, they will be sent when you reconnect');
    expect(await page.getByRole('button', { name: 'Submit exam' }).isDisabled()).toBe(true);
    await shot(page, 'exam-offline');

    await page.reload();
    await page.getByRole('heading', { name: examTitle, level: 1 }).waitFor();
    await status(page, 'Offline — 2 answers waiting, they will be sent when you reconnect');
    await page.getByText('This is the copy of your exam kept on this device.').waitFor();
    // The answers given offline are on screen again, and the clock still runs on server time.
    expect(await page.getByRole('radio', { name: 'Lisbon' }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: 'Flag question 4 for review' }).isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Question 3, answered' }).click();
    expect(await page.getByRole('radio', { name: 'True' }).isChecked()).toBe(true);
    expect(await timerSeconds(page)).toBeGreaterThan(25 * 60);
    await page.getByRole('button', { name: 'Question 4, answered, flagged' }).waitFor();
    await shot(page, 'exam-offline-reloaded');
    expect(Object.keys(await storedAnswers())).toHaveLength(2);

    await student.setOffline(false);
    await status(page, 'All answers saved');
    await expect.poll(async () => Object.keys(await storedAnswers()).length).toBe(4);
    expect(await storedAnswers()).toEqual({
      [q.planet]: { response: { optionId: 'b' }, flagged: false },
      [q.primes]: { response: { optionIds: ['a', 'c'] }, flagged: false },
      [q.water]: { response: { value: true }, flagged: false },
      [q.capital]: { response: { optionId: 'b' }, flagged: true },
    });
    // The outage and the copy reached the proctor once the connection was back.
    await expect
      .poll(async () => {
        const res = await db.query<{ type: string }>(
          'select type from proctoring_events where attempt_id = $1 order by type',
          [attemptId],
        );
        return res.rows.map((r) => r.type);
      })
      .toEqual(expect.arrayContaining(['copy', 'offline']));
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('eh-outbox:')))).toEqual([]);
  });

  it('warns when five minutes are left', async () => {
    await db.query(`update attempts set deadline_at = now() + interval '4 minutes' where id = $1`, [attemptId]);
    await page.reload();
    await page.getByText('Less than 5 minutes left.', { exact: false }).first().waitFor();
    // Joined again (the save state comes from the server's snapshot) before the proctor acts.
    // The live region repeats the visible line 800 ms later: both then hold the text.
    await page.getByRole('status').filter({ hasText: 'All answers saved' }).first().waitFor();
    expect(await timerSeconds(page)).toBeLessThanOrEqual(4 * 60);
    await shot(page, 'exam-warning');
  });

  it('follows the proctor: pause, message, extension and resume, without a reload', async () => {
    await act({ action: 'pause', attemptId, reason: 'Fire drill' });
    await page.getByText('Paused by the proctor.').first().waitFor();
    // The timer's own label says when its frozen value is on screen.
    await page.getByText('Time left (paused)').waitFor();
    expect(await page.getByRole('radio', { name: 'True' }).isDisabled()).toBe(true);
    const frozen = await timerSeconds(page);
    await page.waitForTimeout(1500);
    expect(await timerSeconds(page)).toBe(frozen);

    await act({ action: 'message', attemptId, text: 'Stay in your seats, we continue shortly.' });
    await page.getByText('Stay in your seats, we continue shortly.').waitFor();
    await act({ action: 'extend', attemptId, minutes: 10 });
    await page.locator('.exam-banner').getByText('Your time was extended by 10 minutes.').waitFor();
    await shot(page, 'exam-paused');

    await act({ action: 'resume', attemptId });
    await page.getByText('The proctor resumed your exam.').first().waitFor();
    expect(await page.getByText('Paused by the proctor.').count()).toBe(0);
    expect(await page.getByRole('radio', { name: 'True' }).isEnabled()).toBe(true);
    // 4 minutes left plus 10: the five-minute warning is gone until it is due again.
    expect(await timerSeconds(page)).toBeGreaterThan(13 * 60);
    expect(await page.locator('.exam-banner.warning').count()).toBe(0);
  });

  it('shows all questions on one page, then submits after confirming', async () => {
    await page.getByRole('button', { name: 'Show all questions on one page' }).click();
    expect(await page.getByRole('heading', { name: /^Question \d of 4/ }).count()).toBe(4);

    await page.getByRole('button', { name: 'Submit exam' }).click();
    const dialog = page.getByRole('dialog', { name: 'Submit your exam?' });
    await dialog.getByText('You answered all 4 questions.').waitFor();
    await dialog.getByText('Flagged for review (1): question 4.').waitFor();
    await dialog.getByRole('button', { name: 'Submit exam' }).click();

    await page.getByRole('heading', { name: 'Your exam is submitted', level: 1 }).waitFor();
    await page.getByText(/Submitted at .+; your result will appear here\s+when it is graded\./).waitFor();
    await page.getByText('You answered 4 of 4 questions.').waitFor();
    const res = await db.query<{ status: string }>('select status from attempts where id = $1', [attemptId]);
    expect(res.rows[0]?.status).toBe('submitted');

    await shot(page, 'exam-submitted');

    // The grading worker's job, run here: the page picks the result up by itself.
    const grading = createDb(databaseUrl, 1);
    try {
      expect(await gradeAttempt(grading.db, attemptId)).toMatchObject({ score: 4, maxScore: 4, passed: true });
    } finally {
      await grading.pool.end();
    }
    const result = page.getByRole('region', { name: 'Your result' });
    await result.getByText('4 of 4 points (100%)').waitFor({ timeout: 20_000 });
    await result.getByText('Passed').waitFor();
    const review = page.getByRole('region', { name: 'Your answers' });
    expect(await review.getByRole('listitem').count()).toBe(4);
    const first = review.getByRole('listitem').first();
    expect(await first.locator('dd').allTextContents()).toEqual(['Mars', 'Mars']);
    expect(await review.getByRole('listitem').nth(1).locator('dd').allTextContents()).toEqual([
      'Two, Seven',
      'Two, Seven',
    ]);
    await first.getByText('Iron oxide dust makes its surface look red.').waitFor();
    expect(
      await page.evaluate(() => Object.keys(localStorage).filter((k) => /^eh-(outbox|snapshot|signals):/.test(k))),
    ).toEqual([]);
    await shot(page, 'exam-result');

    // Opening it again shows the summary, not the exam.
    await page.reload();
    await page.getByRole('heading', { name: 'Your exam is submitted', level: 1 }).waitFor();
  });

  it('works the same for a signed-in student', async () => {
    const invite = await teacher.post(`/api/exams/${examId}/participants`, { data: { email: studentEmail } });
    expect(invite.status()).toBe(201);
    // A phone this time: the same page, one column.
    const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 390, height: 844 } });
    context.setDefaultTimeout(15_000);
    try {
      const s = await context.newPage();
      await s.goto('/sign-in');
      await s.getByLabel('Email').fill(studentEmail);
      await s.getByLabel('Password').fill(studentPassword);
      await s.getByRole('button', { name: 'Sign in' }).click();
      const card = s.getByRole('listitem').filter({ has: s.getByRole('heading', { name: examTitle }) });
      await card.getByRole('button', { name: `Enter ${examTitle}` }).click();
      await s.waitForURL(/\/attempts\/[0-9a-f-]+$/);
      await s.getByRole('button', { name: 'Start exam' }).click();
      const id = new URL(s.url()).pathname.split('/').pop()!;
      await s.getByRole('radio', { name: 'Venus' }).check();
      // On a phone the question navigation is folded away until asked for.
      await s.getByText('1 of 4 answered').waitFor();
      await s.getByRole('button', { name: 'Show the question list' }).click();
      await s.getByRole('button', { name: 'Question 1, answered' }).waitFor();
      await expect
        .poll(async () => {
          const res = await db.query('select response from answers where attempt_id = $1 and question_id = $2', [
            id,
            q.planet,
          ]);
          return res.rows[0]?.response;
        })
        .toEqual({ optionId: 'a' });
      await status(s, 'All answers saved');
      await s.getByRole('banner').getByText(studentEmail).waitFor();
      await shot(s, 'exam-phone');

      // At the deadline the page stops taking answers, whatever the server still has to do.
      await db.query(`update attempts set deadline_at = now() + interval '2 seconds' where id = $1`, [id]);
      await s.reload();
      await s.getByText('Time is up', { exact: false }).first().waitFor();
      if (await s.getByRole('radio', { name: 'Mars' }).count()) {
        expect(await s.getByRole('radio', { name: 'Mars' }).isDisabled()).toBe(true);
      }
    } finally {
      await context.close();
    }
  });
});

function opt(id: string, text: string) {
  return { id, text };
}
