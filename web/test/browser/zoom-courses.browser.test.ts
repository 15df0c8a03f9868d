// A course's class sessions on Zoom in a real browser, on a server of its own pointed at the
// Zoom emulator: from the Teach page to the course's sessions, creating a session, registering
// the enrolled students (one outside the course's email domains is rejected), a second session
// listed first, and the link to a session's attendance dashboard. First, on the shared system
// (no Zoom app), the not-configured panel.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pg from 'pg';
import { request, type Browser, type Page } from 'playwright-core';
import { loadConfig } from '../../../server/src/config/config.ts';
import { createLogger } from '../../../server/src/lib/logger.ts';
import { createSystem, type System } from '../../../server/src/system.ts';
import { startZoomEmulator, type ZoomEmulator } from '../../../scripts/zoom-emulator/emulator.ts';
import { launchBrowser } from './chromium.ts';

const sharedUrl = inject('baseUrl');
const databaseUrl = inject('databaseUrl');
const teacherEmail = inject('teacherEmail');
const teacherPassword = inject('teacherPassword');

const tag = Date.now().toString(36);
const creds = {
  accountId: 'zc-account',
  clientId: 'zc-client',
  clientSecret: 'zc-secret',
  webhookSecret: 'zc-webhook',
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

async function newCourse(baseURL: string, name: string) {
  const api = await request.newContext({ baseURL });
  expect(
    (await api.post('/api/auth/sign-in', { data: { email: teacherEmail, password: teacherPassword } })).status(),
  ).toBe(200);
  const created = await api.post('/api/courses', { data: { name, allowedEmailDomains: ['pupils.example'] } });
  expect(created.status()).toBe(201);
  const id = (await created.json()).id as string;
  await api.dispose();
  return id;
}

async function signIn(page: Page, email: string, password: string) {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
}

describe('a course’s class sessions on Zoom', { timeout: 120_000 }, () => {
  let browser: Browser;
  let emulator: ZoomEmulator;
  let system: System;
  let baseUrl = '';
  const db = new pg.Client({ connectionString: databaseUrl });

  beforeAll(async () => {
    emulator = await startZoomEmulator(creds);
    const port = await freePort();
    const config = loadConfig({
      ...process.env,
      DATABASE_URL: databaseUrl,
      REDIS_PREFIX: `zc${randomBytes(4).toString('hex')}`,
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
    await db.connect();
  }, 60_000);

  afterAll(async () => {
    await db.end();
    await browser?.close();
    await system?.close();
    await emulator?.stop();
  });

  it('says Zoom is not set up on a server without a Zoom app', async () => {
    const courseId = await newCourse(sharedUrl, `No Zoom ${tag}`);
    const context = await browser.newContext({ baseURL: sharedUrl });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await signIn(page, teacherEmail, teacherPassword);
    await page.goto(`/teach/courses/${courseId}/zoom`);
    await page.getByRole('button', { name: 'Create meeting' }).click();
    await page.getByRole('alert').filter({ hasText: 'Zoom is not set up on this server' }).waitFor();
    await context.close();
    await db.query('delete from courses where id = $1', [courseId]);
  });

  it('creates sessions, registers the enrolled students and links to the attendance dashboard', async () => {
    const name = `Algebra ${tag}`;
    const courseId = await newCourse(baseUrl, name);
    // There is no enrolment API yet: the class is enrolled in the database.
    const { rows: students } = await db.query<{ id: string }>(
      `insert into users (email, name, role, status) values ($1, 'Ada Pupil', 'student', 'invited'),
         ($2, 'Ben Pupil', 'student', 'invited'), ($3, 'Cy Outsider', 'student', 'invited') returning id`,
      [`ada-${tag}@pupils.example`, `ben-${tag}@pupils.example`, `cy-${tag}@elsewhere.example`],
    );
    for (const s of students) {
      await db.query(`insert into enrollments (course_id, user_id, role) values ($1, $2, 'student')`, [courseId, s.id]);
    }

    const context = await browser.newContext({ baseURL: baseUrl });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await signIn(page, teacherEmail, teacherPassword);
    await page.goto('/teach');
    await page.getByRole('link', { name: `Class sessions on Zoom for ${name}` }).click();
    await page.getByRole('heading', { name: `Class sessions on Zoom: ${name}`, level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/teach/courses/${courseId}/zoom`);
    await page.getByText('No class session on Zoom for this course yet').waitFor();

    // The first session.
    await page.getByLabel('Topic').fill(`Lesson 1 ${tag}`);
    await page.getByLabel('Starts').fill('2031-03-03T10:00');
    await page.getByRole('button', { name: 'Create meeting' }).click();
    const first = page.getByRole('heading', { name: new RegExp(`Lesson 1 ${tag}`), level: 3 });
    await first.waitFor();
    await expect.poll(() => first.evaluate((el) => el === document.activeElement)).toBe(true);
    await page
      .getByRole('status')
      .filter({ hasText: `Created “Lesson 1 ${tag}” in Zoom.` })
      .waitFor();

    await page.getByRole('button', { name: 'Register the whole class' }).click();
    const done = page.getByRole('heading', { name: 'Done: 2 registered, 0 skipped, 1 rejected, 0 failed' });
    await done.waitFor();
    await expect.poll(() => done.evaluate((el) => el === document.activeElement)).toBe(true);
    // Only the problem is shown at first: the outsider, with the reason.
    const rows = page.getByRole('table', { name: 'Outcome for each student' }).getByRole('row');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(1).textContent()).toMatch(/Cy Outsider.*Rejected.*elsewhere\.example/s);
    await page.getByText('2 of 3 expected students registered.').waitFor();

    // A second, later session: listed first and selected.
    await page.getByRole('button', { name: 'Add another class session' }).click();
    await page.getByLabel('Topic').fill(`Lesson 2 ${tag}`);
    await page.getByLabel('Starts').fill('2031-03-10T10:00');
    await page.getByRole('button', { name: 'Create meeting' }).click();
    const second = page.getByRole('heading', { name: new RegExp(`Lesson 2 ${tag}`), level: 3 });
    await second.waitFor();
    await expect.poll(() => second.evaluate((el) => el === document.activeElement)).toBe(true);
    const sessions = page.getByRole('region', { name: 'Sessions' }).getByRole('listitem');
    expect(await sessions.count()).toBe(2);
    expect(await sessions.nth(0).getByRole('heading', { level: 3 }).first().textContent()).toContain('Lesson 2');
    await sessions.nth(0).getByText('0 of 3 expected students registered.').waitFor();
    await sessions
      .nth(1)
      .getByRole('link', { name: `Registration for Lesson 1 ${tag}` })
      .waitFor();

    // The first session's attendance dashboard, and back.
    await page.getByRole('link', { name: `Attendance dashboard for Lesson 1 ${tag}` }).click();
    await page.getByRole('heading', { name: `Attendance: Lesson 1 ${tag}`, level: 1 }).waitFor();
    const meetingId = new URL(page.url()).pathname.split('/').pop();
    const { rows: meetings } = await db.query('select topic from zoom_meetings where id = $1 and course_id = $2', [
      meetingId,
      courseId,
    ]);
    expect(meetings).toEqual([{ topic: `Lesson 1 ${tag}` }]);
    await page.getByRole('link', { name: 'Back to the class sessions' }).click();
    await page.getByRole('heading', { name: `Class sessions on Zoom: ${name}`, level: 1 }).waitFor();
    await context.close();

    // The teacher is shared with other browser tests: leave their Teach page as it was.
    await db.query('delete from zoom_meetings where course_id = $1', [courseId]);
    await db.query('delete from courses where id = $1', [courseId]);
  });
});
