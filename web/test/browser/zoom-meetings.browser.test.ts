// The exam's Zoom tab in a real browser: the not-configured panel on the shared system,
// then, on a server of its own pointed at the Zoom emulator, creating a meeting with the
// form, registering the class (twice: the second run skips everyone) and the student's
// personal join link on their home page.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pg from 'pg';
import { request, type APIRequestContext, type Browser, type Page } from 'playwright-core';
import { loadConfig } from '../../../server/src/config/config.ts';
import { createLogger } from '../../../server/src/lib/logger.ts';
import { createSystem, type System } from '../../../server/src/system.ts';
import { startZoomEmulator, type ZoomEmulator } from '../../../scripts/zoom-emulator/emulator.ts';
import { launchBrowser } from './chromium.ts';

const sharedUrl = inject('baseUrl');
const databaseUrl = inject('databaseUrl');
const teacherEmail = inject('teacherEmail');
const teacherPassword = inject('teacherPassword');
const studentEmail = inject('studentEmail');
const studentPassword = inject('studentPassword');

const tag = Date.now().toString(36);
const creds = {
  accountId: 'zm-account',
  clientId: 'zm-client',
  clientSecret: 'zm-secret',
  webhookSecret: 'zm-webhook',
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function signIn(page: Page, email: string, password: string) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
}

async function newExam(api: APIRequestContext, title: string, emails: string[]) {
  const exam = await api.post('/api/exams', { data: { title, durationMinutes: 45, availableAnytime: true } });
  expect(exam.status()).toBe(201);
  const id = (await exam.json()).id as string;
  for (const email of emails) {
    expect((await api.post(`/api/exams/${id}/participants`, { data: { email } })).status()).toBe(201);
  }
  return id;
}

async function teacherApi(baseURL: string) {
  const api = await request.newContext({ baseURL });
  const res = await api.post('/api/auth/sign-in', { data: { email: teacherEmail, password: teacherPassword } });
  expect(res.status()).toBe(200);
  return api;
}

describe('the exam’s Zoom tab', { timeout: 120_000 }, () => {
  let browser: Browser;
  let emulator: ZoomEmulator;
  let system: System;
  let baseUrl = '';

  beforeAll(async () => {
    emulator = await startZoomEmulator(creds);
    const port = await freePort();
    const config = loadConfig({
      ...process.env,
      DATABASE_URL: databaseUrl,
      REDIS_PREFIX: `zm${randomBytes(4).toString('hex')}`,
      PORT: String(port),
      HOST: '127.0.0.1',
      SERVE_WEB: 'true',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      ZOOM_ACCOUNT_ID: creds.accountId,
      ZOOM_CLIENT_ID: creds.clientId,
      ZOOM_CLIENT_SECRET: creds.clientSecret,
      ZOOM_WEBHOOK_SECRET: creds.webhookSecret,
      ZOOM_API_URL: emulator.apiBaseUrl,
      ZOOM_OAUTH_URL: emulator.oauthTokenUrl,
    });
    system = await createSystem(config, { log: createLogger('error'), migrate: false });
    baseUrl = await system.listen();
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await system?.close();
    await emulator?.stop();
  });

  it('says Zoom is not set up, and what to set, on a server without a Zoom app', async () => {
    const api = await teacherApi(sharedUrl);
    const examId = await newExam(api, `No Zoom ${tag}`, []);
    await api.dispose();
    const context = await browser.newContext({ baseURL: sharedUrl });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await signIn(page, teacherEmail, teacherPassword);
    await page.goto(`/teach/exams/${examId}/zoom`);
    await page.getByRole('link', { name: 'Zoom', exact: true }).and(page.locator('[aria-current="page"]')).waitFor();
    await page.getByRole('button', { name: 'Create meeting' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Zoom is not set up on this server' });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/ZOOM_ACCOUNT_ID/);
    await context.close();
  });

  it('creates a meeting, registers the class with a summary, and the student sees their link', async () => {
    const api = await teacherApi(baseUrl);
    const others = [`a-${tag}@pupils.example`, `b-${tag}@pupils.example`];
    const examId = await newExam(api, `Zoom exam ${tag}`, [studentEmail, ...others]);
    await api.dispose();

    const context = await browser.newContext({ baseURL: baseUrl });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await signIn(page, teacherEmail, teacherPassword);
    await page.goto(`/teach/exams/${examId}/zoom`);
    await page.getByText('No Zoom meeting for this exam yet').waitFor();
    await page.getByLabel('Topic').fill(`Viva ${tag}`);
    await page.getByLabel('Late after (minutes)').fill('5');
    await page.getByRole('button', { name: 'Create meeting' }).click();

    const title = page.getByRole('heading', { name: new RegExp(`Viva ${tag}`), level: 3 });
    await title.waitFor();
    await expect.poll(() => title.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.getByRole('link', { name: /^Open in Zoom/ }).waitFor();
    expect(await page.getByLabel('Late after (minutes)').inputValue()).toBe('5');
    await page.getByRole('link', { name: /^Attendance dashboard/ }).waitFor();

    await page.getByRole('button', { name: 'Register the whole class' }).click();
    const done = page.getByRole('heading', { name: 'Done: 3 registered, 0 skipped, 0 rejected, 0 failed' });
    await done.waitFor();
    await expect.poll(() => done.evaluate((el) => el === document.activeElement)).toBe(true);
    const rows = page.getByRole('table', { name: 'Outcome for each student' }).getByRole('row');
    expect(await rows.count()).toBe(4);
    expect(await rows.nth(1).textContent()).toContain('Registered');

    await page.getByRole('button', { name: 'Register the whole class' }).click();
    await page.getByRole('heading', { name: 'Done: 0 registered, 3 skipped, 0 rejected, 0 failed' }).waitFor();
    await context.close();

    const student = await browser.newContext({ baseURL: baseUrl });
    student.setDefaultTimeout(10_000);
    const sp = await student.newPage();
    await signIn(sp, studentEmail, studentPassword);
    await sp.getByRole('heading', { name: 'Zoom meetings', level: 2 }).waitFor();
    const join = sp.getByRole('link', { name: new RegExp(`^Join in Zoom for Viva ${tag}`) });
    expect(await join.getAttribute('href')).toMatch(new RegExp(`^${emulator.url}/w/\\d+\\?tk=`));
    await student.close();

    // The demo student is shared with other browser tests: leave their home page as it was.
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    await db.query('delete from zoom_meetings where exam_id = $1', [examId]);
    await db.query('delete from exam_participants where exam_id = $1', [examId]);
    await db.end();
  });
});
