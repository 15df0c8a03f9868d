// Accounts in the browser (the browser-test system has no mail server, so links are shown to
// whoever issues them): a student who started with an access code keeps their account from
// the result page and, signed out and in again, finds their certificate; the invitation and
// forgot-password pages work with the keyboard alone.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../../../server/src/config/config.ts';
import { createLogger } from '../../../server/src/lib/logger.ts';
import { startWorkers } from '../../../server/src/jobs/runtime.ts';
import { Client } from '../../../server/test/support/http-client.ts';
import { downloadedBytes, launchBrowser } from './chromium.ts';

const baseUrl = inject('baseUrl');
const teacherEmail = inject('teacherEmail');
const teacherPassword = inject('teacherPassword');

const unique = () => Math.random().toString(36).slice(2, 9);

/** Presses Tab until the element with this accessible name has focus (at most 40 times). */
async function tabTo(page: Page, name: string | RegExp) {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el) return '';
      const labelled = el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null;
      return (labelled ?? el.getAttribute('aria-label') ?? el.textContent ?? '').trim();
    });
    if (typeof name === 'string' ? focused === name || focused.startsWith(`${name} `) : name.test(focused)) return;
  }
  throw new Error(`Tab never reached ${String(name)}`);
}

async function teacherApi() {
  const api = new Client(baseUrl);
  expect((await api.signIn(teacherEmail, teacherPassword)).status).toBe(200);
  return api;
}

/** A published exam of the demo teacher with one true/false question. */
async function exam(api: Client, settings: Record<string, unknown> = {}) {
  const created = await api.post('/api/exams', {
    title: `Accounts drill ${unique()}`,
    durationMinutes: 30,
    availableAnytime: true,
    ...settings,
  });
  expect(created.status).toBe(201);
  const e = created.body as { id: string; title: string };
  const q = await api.post(`/api/exams/${e.id}/questions`, {
    type: 'true_false',
    prompt: 'The sky is blue.',
    answerKey: { correct: true },
  });
  expect(q.status).toBe(201);
  expect((await api.post(`/api/exams/${e.id}/publish`)).status).toBe(200);
  return e;
}

describe('accounts', { timeout: 180_000 }, () => {
  let browser: Browser;
  let workers: Awaited<ReturnType<typeof startWorkers>>;

  beforeAll(async () => {
    const config = loadConfig({
      ...process.env,
      DATABASE_URL: inject('databaseUrl'),
      REDIS_PREFIX: inject('redisPrefix'),
      ...inject('chainEnv'),
    });
    // Grading and certificate minting, against the system under test.
    workers = await startWorkers(config, createLogger('silent'), { schedules: false });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await workers?.close();
  });

  it('lets a code-started student keep the account from the result page and find the certificate later', async () => {
    const api = await teacherApi();
    const e = await exam(api, { resultsPolicy: 'immediately', issueCertificates: true, passingScore: 50 });
    const email = `keeper-${unique()}@pupils.example`;
    const invited = await api.post(`/api/exams/${e.id}/participants`, { email, name: 'Kim Keeper' });
    expect(invited.status).toBe(201);

    const context = await browser.newContext({ baseURL: baseUrl });
    const page = await context.newPage();
    await page.goto('/start');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Access code').fill(invited.body.code);
    await page.getByRole('button', { name: 'Enter the exam' }).click();
    await page.getByRole('button', { name: 'Start exam' }).click();
    await page.getByRole('radio', { name: 'True' }).check();
    await page.getByRole('button', { name: 'Submit exam' }).click();
    await page.getByRole('dialog', { name: 'Submit your exam?' }).getByRole('button', { name: 'Submit exam' }).click();
    await page.getByText('Passed', { exact: true }).waitFor({ timeout: 30_000 });

    const panel = page.getByRole('region', { name: 'Keep your results: create a password' });
    await panel.waitFor();
    // The rules are shown before anything is typed; a mismatch is named at the field.
    await panel.getByText('At least 12 characters').waitFor();
    await panel.getByLabel('Password', { exact: true }).fill('kim-keeps-this-password');
    await panel.getByLabel('Type it again').fill('kim-keeps-that-password');
    await panel.getByRole('button', { name: 'Create my password' }).click();
    await panel.getByText('The two passwords are not the same').waitFor();
    await panel.getByLabel('Type it again').fill('kim-keeps-this-password');
    await panel.getByRole('button', { name: 'Create my password' }).click();
    const ready = page.getByRole('region', { name: 'Your account is ready' });
    await ready
      .getByRole('status')
      .filter({ hasText: `signed in as ${email}` })
      .waitFor();
    await ready.getByRole('link', { name: 'Your certificates' }).click();
    await page.getByRole('heading', { name: e.title, level: 2 }).waitFor({ timeout: 60_000 });
    // Signed out and in again: the certificate is still theirs.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.pathname === '/sign-in' || u.pathname === '/');

    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('kim-keeps-this-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
    await page.goto('/certificates');
    await page.getByRole('heading', { name: e.title, level: 2 }).waitFor({ timeout: 60_000 });
    await context.close();
  });

  it('accepts an invitation with the keyboard alone, and says a used link was used', async () => {
    const api = await teacherApi();
    const e = await exam(api);
    const email = `invited-${unique()}@pupils.example`;
    // A name a spreadsheet would run as a formula: the CSV defuses it.
    expect((await api.post(`/api/exams/${e.id}/participants`, { email, name: '=Ivy Invited' })).status).toBe(201);

    // The teacher sends activation links from the participants page; without mail they are downloaded once.
    const teacher = await browser.newContext({ baseURL: baseUrl });
    const tp = await teacher.newPage();
    await tp.goto('/sign-in');
    await tp.getByLabel('Email').fill(teacherEmail);
    await tp.getByLabel('Password').fill(teacherPassword);
    await tp.getByRole('button', { name: 'Sign in' }).click();
    await tp.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
    await tp.goto(`/teach/exams/${e.id}/participants`);
    await tp.getByRole('button', { name: 'Send activation links…' }).click();
    await tp
      .getByRole('dialog', { name: 'Send activation links?' })
      .getByRole('button', { name: 'Send links' })
      .click();
    await tp.getByRole('status').filter({ hasText: '1 link could not be mailed: download them now' }).waitFor();
    const [download] = await Promise.all([
      tp.waitForEvent('download'),
      tp.getByRole('button', { name: 'Download 1 link (CSV)' }).click(),
    ]);
    const csv = (await downloadedBytes(download)).toString('utf8');
    const [header, row] = csv.trim().split('\r\n');
    expect(header).toBe('email,name,link,expires,note');
    expect(row).toContain(`${email},'=Ivy Invited,${baseUrl}/account/invitation#token=`);
    const url = /(http\S+#token=[A-Za-z0-9_-]{43})/.exec(row!)![1]!;
    await teacher.close();

    const context = await browser.newContext({ baseURL: baseUrl });
    const page = await context.newPage();
    await page.goto(url);
    await page.getByRole('heading', { name: 'Choose your password', level: 1 }).waitFor();
    // The token left the address bar.
    await page.waitForURL((u) => u.hash === '');
    await tabTo(page, 'Your name');
    await page.keyboard.type('Ivy I. Invited');
    await tabTo(page, 'Password');
    await page.keyboard.type('short');
    await tabTo(page, 'Type it again');
    await page.keyboard.type('short');
    await page.keyboard.press('Enter');
    await page.getByText('Password must be at least 12 characters').waitFor();
    // Focus went to the field to fix.
    expect(await page.getByLabel('Password', { exact: true }).evaluate((el) => el === document.activeElement)).toBe(
      true,
    );
    await page.keyboard.press('Control+A');
    await page.keyboard.type('ivy-chooses-a-password');
    await tabTo(page, 'Type it again');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('ivy-chooses-a-password');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /^Welcome, Ivy I\. Invited/, level: 1 }).waitFor();

    // The same link again, in another browser: refused with what to do next.
    const other = await (await browser.newContext({ baseURL: baseUrl })).newPage();
    await other.goto(url);
    await other.getByLabel('Password', { exact: true }).fill('another-password-1');
    await other.getByLabel('Type it again').fill('another-password-1');
    await other.getByRole('button', { name: 'Save and sign in' }).click();
    const alert = other.getByRole('alert').filter({ hasText: 'This link was already used' });
    await alert.waitFor();
    await alert.getByRole('link', { name: 'Sign in' }).waitFor();
    await context.close();
  });

  it('finds "Forgot your password?" from sign-in and asks for a link with the keyboard alone', async () => {
    const context = await browser.newContext({ baseURL: baseUrl });
    const page = await context.newPage();
    await page.goto('/sign-in');
    await tabTo(page, 'Forgot your password?');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Forgot your password?', level: 1 }).waitFor();
    await tabTo(page, 'Email');
    await page.keyboard.type('not-an-email');
    await page.keyboard.press('Enter');
    await page.getByText('Enter a valid email address').waitFor();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(teacherEmail);
    await page.keyboard.press('Enter');
    // No mail server here: the page says who can help.
    await page.getByRole('status').filter({ hasText: 'Ask an administrator' }).waitFor();
    await context.close();
  });

  it('tells the reset and verify pages apart when the link is incomplete', async () => {
    const context = await browser.newContext({ baseURL: baseUrl });
    const page = await context.newPage();
    await page.goto('/account/reset');
    await page.getByText('This page needs the whole link from your password-reset email').waitFor();
    await page.goto('/account/verify#token=not-a-real-token');
    await page.getByRole('alert').filter({ hasText: 'This link is not valid' }).waitFor();
    await context.close();
  });

  it('changes the password and signs out everywhere else from /account', async () => {
    const api = await teacherApi();
    const e = await exam(api);
    const email = `changer-${unique()}@pupils.example`;
    await api.post(`/api/exams/${e.id}/participants`, { email, name: 'Cam Changer' });
    const url = (await api.post(`/api/exams/${e.id}/participants/activation-links`)).body.rows[0].outcome.url;
    const elsewhere = new Client(baseUrl);
    const token = new URL(url).hash.replace('#token=', '');
    expect(
      (await elsewhere.post('/api/account/invitation/accept', { token, password: 'cam-first-password' })).status,
    ).toBe(200);

    const context = await browser.newContext({ baseURL: baseUrl });
    const page = await context.newPage();
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('cam-first-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByRole('heading', { name: 'Your account', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Sign out everywhere else' }).click();
    await page.getByRole('status').filter({ hasText: 'Signed out 1 other session' }).waitFor();
    expect((await elsewhere.get('/api/auth/me')).status).toBe(401);

    await page.getByLabel('Current password').fill('wrong-password');
    await page.getByLabel('New password').fill('cam-second-password');
    await page.getByLabel('Type it again').fill('cam-second-password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('The current password is not right').waitFor();
    await page.getByLabel('Current password').fill('cam-first-password');
    await page.getByLabel('New password').fill('cam-second-password');
    await page.getByLabel('Type it again').fill('cam-second-password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('status').filter({ hasText: 'Your password is changed' }).waitFor();
    expect((await new Client(baseUrl).signIn(email, 'cam-second-password')).status).toBe(200);
    await context.close();
  });
});
