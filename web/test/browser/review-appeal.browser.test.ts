// The proctoring review end to end: an attempt that ended above the exam's risk threshold
// waits in the review list; the teacher flags it with a note and records what was done
// about its alert; the student reads the decision on their attempt's page and appeals; the
// teacher overturns; the student sees the outcome. Every step is on the attempt's trail.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { createDb } from '../../../server/src/db/client.ts';
import { attempts, exams, proctoringEvents } from '../../../server/src/db/schema/index.ts';
import { transitionAttempt } from '../../../server/src/modules/attempts/attempts.state.ts';
import { launchBrowser } from './chromium.ts';
import {
  THREE_QUESTIONS,
  apiAs,
  enterWithCode,
  invite,
  newAccount,
  publishedExam,
  shot,
  signedInPage,
  stamp,
} from './seed.ts';

const { db, pool } = createDb(inject('databaseUrl'), 2);
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await pool.end();
});

describe('a flagged attempt through review and appeal', { timeout: 120_000 }, () => {
  it('is flagged with a note, appealed once by the student, overturned by the teacher, and the student sees it', async () => {
    const teacher = await newAccount('teacher');
    const api = await apiAs(teacher);
    const title = `Review drill ${stamp()}`;
    const examId = await publishedExam(api, { title }, THREE_QUESTIONS);
    // One hidden tab (10 risk points) is enough for this exam's review.
    await db.update(exams).set({ reviewRiskThreshold: 10 }).where(eq(exams.id, examId));
    const email = `rita-${stamp()}@pupils.example`;
    const code = await invite(api, examId, email, 'Rita Review');

    // The student enters on their own browser and starts; the attempt cookie is that browser's.
    const student = await browser.newContext({ baseURL: inject('baseUrl') });
    student.setDefaultTimeout(15_000);
    const sp = await student.newPage();
    await enterWithCode(sp, email, code);
    await sp.waitForURL(/\/attempts\/[0-9a-f-]{36}/);
    const attemptId = sp.url().match(/attempts\/([0-9a-f-]{36})/)![1]!;
    expect((await student.request.post(`/api/attempts/${attemptId}/begin`)).status()).toBe(200);
    // What the page's signal would store, then the end of the attempt through the state machine.
    const [a] = await db.select().from(attempts).where(eq(attempts.id, attemptId));
    await db
      .insert(proctoringEvents)
      .values({ attemptId, examId, userId: a!.userId, type: 'tab_hidden', severity: 'medium' });
    await db.update(attempts).set({ riskScore: 10 }).where(eq(attempts.id, attemptId));
    await transitionAttempt(db, attemptId, 'submitted');

    // The teacher's review list, then the attempt's page.
    const { context: tc, page: tp } = await signedInPage(browser, teacher);
    await tp.goto(`/teach/exams/${examId}/review`);
    await tp.getByRole('heading', { name: 'Proctoring review' }).waitFor();
    const row = tp.getByRole('row', { name: /Rita Review/ });
    await expect.poll(() => row.textContent()).toContain('Waiting for review');
    await tp.getByRole('link', { name: 'Rita Review' }).click();
    await tp.getByRole('heading', { name: /Review of Rita Review, attempt 1/ }).waitFor();

    // A flag without a note is refused on the field, which takes the focus.
    await tp.getByLabel('Flagged').check();
    await tp.getByRole('button', { name: 'Record decision' }).click();
    const note = tp.getByLabel(/Note to the student/);
    await expect.poll(() => note.getAttribute('aria-invalid')).toBe('true');
    expect(await note.evaluate((el) => el === document.activeElement)).toBe(true);
    await note.fill('You left the exam tab during the exam.');
    await tp.getByRole('button', { name: 'Record decision' }).click();
    await tp.getByRole('status').filter({ hasText: 'Decision recorded: Flagged.' }).waitFor();

    // What was done about the alert.
    await tp.getByLabel('Action for the tab_hidden alert').selectOption('warning_sent');
    await tp.getByRole('button', { name: 'Record action for the tab_hidden alert' }).click();
    await tp
      .getByRole('status')
      .filter({ hasText: /Recorded “Warning sent”/ })
      .waitFor();
    await expect.poll(() => tp.getByRole('row', { name: /tab hidden/ }).textContent()).toContain('Warning sent');
    await shot(tp, 'review-flagged');

    // The student reads the decision on their attempt's page and appeals, once.
    await sp.goto(`/attempts/${attemptId}`);
    await sp.getByRole('heading', { name: 'Proctoring review' }).waitFor();
    await sp.getByText('You left the exam tab during the exam.').waitFor();
    await sp.getByLabel('Appeal this decision').fill('My browser opened a print dialog by itself.');
    await sp.getByRole('button', { name: 'Send appeal' }).click();
    await sp.getByRole('heading', { name: 'Your appeal' }).waitFor();
    await sp.getByText('Waiting for the teacher').waitFor();
    expect(await sp.getByRole('button', { name: 'Send appeal' }).count()).toBe(0);
    await shot(sp, 'review-appealed');

    // The teacher resolves it: overturned, with an answer.
    await tp.reload();
    await tp.getByRole('heading', { name: 'The student’s appeal' }).waitFor();
    await tp.getByText('My browser opened a print dialog by itself.').waitFor();
    await tp.getByLabel('Overturn: approve the attempt').check();
    await tp.getByLabel('Answer to the student').fill('The recording confirms the dialog; approved.');
    await tp.getByRole('button', { name: 'Resolve appeal' }).click();
    await tp
      .getByRole('status')
      .filter({ hasText: /Appeal resolved: Overturned/ })
      .waitFor();
    // The trail, in time order, names every step.
    const trail = tp.getByRole('region', { name: 'Trail' });
    await expect
      .poll(async () => (await trail.locator('.kind').allTextContents()).map((k) => k.replace(/:$/, '')))
      .toEqual([
        'Attempt',
        'Alert',
        'Attempt ended',
        'Review required',
        'Review decision',
        'Alert action',
        'Appeal',
        'Appeal resolved',
      ]);
    expect(await trail.getByRole('listitem').last().textContent()).toContain('Appeal resolved: overturned');

    // The student sees the outcome.
    await sp.reload();
    await sp.getByText('Overturned: the attempt is approved').waitFor();
    await sp.getByText('The recording confirms the dialog; approved.').waitFor();
    await sp.getByText(/^Approved/).waitFor();
    await shot(sp, 'review-resolved');
    await tc.close();
    await student.close();
  });
});
