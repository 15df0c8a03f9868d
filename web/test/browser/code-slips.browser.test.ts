// Printable access-code slips from the participants page: printing changes no code, the
// slip's QR target fills in the email on /start, and "reissue as slips" is refused when
// someone started between the confirmation and the reissue (the count changed).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import { request, type APIRequestContext, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { downloadedBytes, launchBrowser } from './chromium.ts';
import { slipStartUrl } from '../../../server/src/modules/participants/participants.slips.ts';

const baseUrl = inject('baseUrl');
const teacherEmail = inject('teacherEmail');
const teacherPassword = inject('teacherPassword');
const stamp = Date.now().toString(36);

/** The PDF a click downloads: its file name, page count and slip count (from its keywords). */
async function downloadedPdf(page: Page, click: () => Promise<void>) {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const doc = await PDFDocument.load(await downloadedBytes(download), { updateMetadata: false });
  return { name: download.suggestedFilename(), pages: doc.getPageCount(), keywords: doc.getKeywords() };
}

describe('code slips on the participants page', { timeout: 90_000 }, () => {
  let browser: Browser;
  let api: APIRequestContext;
  let teacher: BrowserContext;
  let page: Page;
  let examId = '';
  const invited: { email: string; code: string }[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    api = await request.newContext({ baseURL: baseUrl });
    expect(
      (await api.post('/api/auth/sign-in', { data: { email: teacherEmail, password: teacherPassword } })).status(),
    ).toBe(200);
    const created = await api.post('/api/exams', {
      data: { title: `Slips ${stamp}`, durationMinutes: 20, availableAnytime: true },
    });
    examId = (await created.json()).id;
    const q = await api.post(`/api/exams/${examId}/questions`, {
      data: {
        type: 'single_choice',
        prompt: 'Two plus two?',
        content: {
          options: [
            { id: 'a', text: 'Four' },
            { id: 'b', text: 'Five' },
          ],
        },
        answerKey: { correct: 'a' },
      },
    });
    expect(q.status()).toBe(201);
    expect((await api.post(`/api/exams/${examId}/publish`)).status()).toBe(200);
    for (const name of ['Ines Ortiz', 'Jon Park', 'Kai Lund']) {
      const email = `${name.split(' ')[0]!.toLowerCase()}-${stamp}@pupils.example`;
      const res = await api.post(`/api/exams/${examId}/participants`, { data: { email, name } });
      expect(res.status()).toBe(201);
      invited.push({ email, code: (await res.json()).code });
    }

    teacher = await browser.newContext({
      baseURL: baseUrl,
      viewport: { width: 1200, height: 900 },
      acceptDownloads: true,
    });
    teacher.setDefaultTimeout(15_000);
    page = await teacher.newPage();
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(teacherEmail);
    await page.getByLabel('Password').fill(teacherPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: /^Welcome, / }).waitFor();
    await page.goto(`/teach/exams/${examId}/participants`);
    await page.getByRole('heading', { name: 'All participants (3)' }).waitFor();
  }, 60_000);

  afterAll(async () => {
    await teacher?.close();
    await api?.dispose();
    await browser?.close();
  });

  it('prints one slip per participant and every code handed out still works', async () => {
    const pdf = await downloadedPdf(page, () => page.getByRole('button', { name: 'Print code slips (PDF)' }).click());
    expect(pdf).toMatchObject({ pages: 1, keywords: 'slips:3' });
    expect(pdf.name).toMatch(/^access-code-slips-.*\.pdf$/);
    await page.getByRole('status').filter({ hasText: 'Downloaded the slips.' }).waitFor();

    // Where the first slip's QR code leads: the email is filled in, the code is asked for.
    const student = await browser.newContext({ baseURL: baseUrl });
    const s = await student.newPage();
    await s.goto(slipStartUrl(baseUrl, invited[0]!.email));
    expect(await s.getByLabel('Email').inputValue()).toBe(invited[0]!.email);
    await expect.poll(() => s.evaluate(() => document.activeElement?.id)).toBe('code');
    await s.getByLabel('Access code').fill(invited[0]!.code);
    await s.getByRole('button', { name: 'Enter the exam' }).click();
    await s.waitForURL(/\/attempts\/[0-9a-f-]+$/);
    await student.close();
  });

  it('reissues as slips only for the count confirmed: someone starting meanwhile changes nothing', async () => {
    await page.reload();
    const reissue = page.getByRole('button', { name: 'Reissue codes for everyone not started…' });
    await reissue.click();
    const dialog = page.getByRole('dialog', { name: 'Reissue codes for all 2 participants who have not started?' });
    await dialog.getByLabel('Printable slips (PDF, 8 a page)').check();
    // Jon starts while the teacher reads the dialog.
    const started = await api.post('/api/attempts/start', {
      data: { email: invited[1]!.email, code: invited[1]!.code },
    });
    expect(started.status()).toBe(201);
    await dialog.getByRole('button', { name: 'Reissue 2 codes and download' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'You confirmed new codes for 2 participants, but 1 has not started now' })
      .waitFor();

    // Asked again, with the new count: Kai's code is reissued onto a slip.
    await reissue.click();
    const again = page.getByRole('dialog', { name: 'Reissue codes for the 1 participant who has not started?' });
    await again.getByLabel('Printable slips (PDF, 8 a page)').check();
    const pdf = await downloadedPdf(page, () =>
      again.getByRole('button', { name: 'Reissue 1 code and download' }).click(),
    );
    expect(pdf).toMatchObject({ pages: 1, keywords: 'slips:1' });
    await page
      .getByRole('status')
      .filter({
        hasText: 'Reissued codes for the 1 participant who has not started and downloaded them as printable slips.',
      })
      .waitFor();
    const old = await api.post('/api/attempts/start', { data: { email: invited[2]!.email, code: invited[2]!.code } });
    expect(old.status()).toBe(401);
  });
});
