// A teacher's live attendance dashboard in a real browser while the Zoom emulator
// plays a meeting: students join, leave and rejoin, a guest drops in, the meeting
// ends and the report is synced; the CSV export says what the page says.
//
// The shared browser system has no Zoom app, so this file runs a second server (web
// included) against the same database with its ZOOM_* settings pointing at an
// emulator of its own, plus the workers that process the webhooks.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pg from 'pg';
import { request, type APIRequestContext, type Browser, type Download, type Page } from 'playwright-core';
import { loadConfig } from '../../../server/src/config/config.ts';
import { createLogger } from '../../../server/src/lib/logger.ts';
import { parseCsv } from '../../../server/src/lib/csv.ts';
import { createSystem, type System } from '../../../server/src/system.ts';
import { startWorkers } from '../../../server/src/jobs/runtime.ts';
import { startZoomEmulator, type Person, type ZoomEmulator } from '../../../scripts/zoom-emulator/emulator.ts';
import { downloadedBytes, launchBrowser } from './chromium.ts';

const databaseUrl = inject('databaseUrl');
const teacherEmail = inject('teacherEmail');
const teacherPassword = inject('teacherPassword');
const SHOTS = process.env.SCREENSHOT_DIR;

const tag = Date.now().toString(36);
const ana: Person = { name: 'Ana Lima', email: `ana-${tag}@pupils.example` };
const bo: Person = { name: 'Bo Berg', email: `bo-${tag}@pupils.example` };
const cy: Person = { name: 'Cy Diaz', email: `cy-${tag}@pupils.example` };
const guest: Person = { name: 'Walk-in Guest' };
const zoomCreds = {
  accountId: 'att-account',
  clientId: 'att-client',
  clientSecret: 'att-client-secret',
  webhookSecret: 'att-webhook-secret',
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

async function shot(page: Page, name: string) {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

describe('the live attendance dashboard', { timeout: 180_000 }, () => {
  let emulator: ZoomEmulator;
  let system: System;
  let workers: Awaited<ReturnType<typeof startWorkers>>;
  let baseUrl = '';
  let browser: Browser;
  let api: APIRequestContext;
  let db: pg.Client;
  let page: Page;
  let zoomId = '';
  let meetingId = '';
  /** Virtual meeting time: the meeting "started" 20 minutes ago and events are dated from there. */
  const t0 = Date.now() - 20 * 60_000;
  const at = (minutes: number) => new Date(t0 + minutes * 60_000);

  const table = () => page.getByRole('table', { name: /^People/ });
  const row = (name: string) =>
    table()
      .getByRole('row')
      .filter({ has: page.getByRole('rowheader', { name: new RegExp(name) }) });
  const cell = (name: string, n: number) => row(name).getByRole('cell').nth(n);
  const card = (label: string) =>
    page
      .getByRole('listitem')
      .filter({ hasText: new RegExp(`^${label}`) })
      .locator('.value');
  /** The polite live region that reads out comings and goings. */
  const announced = () => page.locator('[aria-live="polite"]');

  async function expectNow(name: string, text: RegExp) {
    await expect.poll(() => cell(name, 1).textContent(), { timeout: 10_000 }).toMatch(text);
  }

  beforeAll(async () => {
    emulator = await startZoomEmulator(zoomCreds);
    const port = await freePort();
    const config = loadConfig({
      ...process.env,
      DATABASE_URL: databaseUrl,
      REDIS_PREFIX: `z${randomBytes(4).toString('hex')}`,
      PORT: String(port),
      HOST: '127.0.0.1',
      SERVE_WEB: 'true',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      ZOOM_ACCOUNT_ID: zoomCreds.accountId,
      ZOOM_CLIENT_ID: zoomCreds.clientId,
      ZOOM_CLIENT_SECRET: zoomCreds.clientSecret,
      ZOOM_WEBHOOK_SECRET: zoomCreds.webhookSecret,
      ZOOM_API_URL: emulator.apiBaseUrl,
      ZOOM_OAUTH_URL: emulator.oauthTokenUrl,
      ZOOM_REPORT_DELAY_SECONDS: '0',
    });
    system = await createSystem(config, { log: createLogger('error'), migrate: false });
    baseUrl = await system.listen();
    workers = await startWorkers(config, createLogger('silent'), { schedules: false });
    emulator.setWebhookUrl(`${baseUrl}/api/zoom/webhooks`);

    api = await request.newContext({ baseURL: baseUrl });
    expect(
      (await api.post('/api/auth/sign-in', { data: { email: teacherEmail, password: teacherPassword } })).status(),
    ).toBe(200);
    const exam = await api.post('/api/exams', {
      data: { title: `Oral exam ${tag}`, durationMinutes: 30, availableAnytime: true },
    });
    expect(exam.status()).toBe(201);
    const examId = (await exam.json()).id as string;
    for (const p of [ana, bo, cy]) {
      const res = await api.post(`/api/exams/${examId}/participants`, { data: { email: p.email, name: p.name } });
      expect(res.status()).toBe(201);
    }
    const created = emulator.createMeeting({ topic: `Oral exam ${tag}`, type: 2, settings: { approval_type: 0 } });
    zoomId = String(created.id);
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    const inserted = await db.query<{ id: string }>(
      `insert into zoom_meetings (zoom_meeting_id, topic, exam_id, registration_required, late_after_minutes, partial_below_percent, start_time)
       values ($1, $2, $3, true, 10, 75, $4) returning id`,
      [zoomId, `Oral exam ${tag}`, examId, at(0)],
    );
    meetingId = inserted.rows[0]!.id;
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await page?.context().close();
    await browser?.close();
    await api?.dispose();
    await db?.end();
    await workers?.close();
    await system?.close();
    await emulator?.stop();
  });

  it('shows the expected roster before the meeting starts', async () => {
    const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1400, height: 1000 } });
    page = await context.newPage();
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(teacherEmail);
    await page.getByLabel('Password').fill(teacherPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
    await page.goto(`/teach/zoom/${meetingId}`);
    await page.getByRole('heading', { name: `Attendance: Oral exam ${tag}`, level: 1 }).waitFor();
    await page.getByText('Live', { exact: true }).waitFor();
    expect(await table().getByRole('row').count()).toBe(4); // header + 3
    expect(await card('Expected').textContent()).toBe('3');
    expect(await card('Present now').textContent()).toBe('0');
    for (const p of [ana, bo, cy]) {
      expect(await cell(p.name, 0).textContent()).toContain('Not started');
      expect(await cell(p.name, 1).textContent()).toContain('Not here');
    }
  });

  it('updates live while students join, leave and rejoin', async () => {
    await emulator.startMeeting(zoomId, at(0));
    await expect.poll(() => page.locator('.meta').textContent(), { timeout: 10_000 }).toMatch(/In progress since/);

    await emulator.join(zoomId, ana, at(1));
    await expectNow(ana.name, /In Zoom/);
    await expect.poll(() => announced().textContent(), { timeout: 10_000 }).toContain('Ana Lima joined Zoom');
    expect(await card('Present now').textContent()).toBe('1');
    expect(await cell(ana.name, 0).textContent()).toContain('Present');
    expect(await cell(cy.name, 0).textContent()).toContain('Absent');

    await emulator.join(zoomId, bo, at(15));
    await expectNow(bo.name, /In Zoom/);
    expect(await cell(bo.name, 0).textContent()).toContain('Late');
    expect(await cell(bo.name, 2).textContent()).toContain('Late');

    await emulator.leave(zoomId, ana.email!, at(16));
    await expectNow(ana.name, /Not here/);
    await expect.poll(() => announced().textContent(), { timeout: 10_000 }).toContain('Ana Lima left Zoom');
    expect(await card('Present now').textContent()).toBe('1');

    await emulator.join(zoomId, ana, at(18));
    await emulator.join(zoomId, guest, at(19));
    await expectNow(ana.name, /In Zoom/);
    await expectNow(guest.name, /In Zoom/);
    expect(await row(guest.name).getByRole('rowheader').textContent()).toContain('Guest');
    await expect.poll(() => card('Present now').textContent()).toBe('3');

    // The timeline, as a list of segments too.
    const toggle = row(ana.name).getByRole('button', { name: 'Timeline of Ana Lima' });
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    const segments = page.getByRole('list', { name: 'Joins and leaves of Ana Lima' }).getByRole('listitem');
    expect(await segments.count()).toBe(2);
    expect(await segments.nth(0).textContent()).toMatch(/Zoom:\s*joined .*left .*\(15 min\)/);
    expect(await segments.nth(1).textContent()).toMatch(/still there/);
    await shot(page, 'attendance-live');

    // Filters, by keyboard.
    const people = () => table().getByRole('rowheader').locator('.name').allTextContents();
    await page.getByRole('radio', { name: /^Late/ }).check();
    await expect.poll(people).toEqual([bo.name, guest.name]);
    await page.getByRole('radio', { name: /^Absent/ }).check();
    await expect.poll(people).toEqual([cy.name]);
    await page.getByRole('radio', { name: /^Present now/ }).check();
    await expect.poll(people).toEqual([ana.name, bo.name, guest.name]);
    await page.getByRole('radio', { name: /^Everyone/ }).check();
  });

  it('settles on the synced report when the meeting ends, and the CSV matches the page', async () => {
    await emulator.endMeeting(zoomId, at(20));
    await expect.poll(() => page.locator('.meta').textContent(), { timeout: 15_000 }).toMatch(/Ended/);
    // meeting.ended queues the sync (no delay here); "Sync now" asks again, harmlessly.
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.getByRole('status').filter({ hasText: 'Sync queued' }).waitFor();
    await expect
      .poll(() => page.locator('.meta').textContent(), { timeout: 20_000 })
      .toMatch(/From Zoom’s participants report/);
    await expect.poll(() => cell(bo.name, 0).textContent()).toContain('Partial');
    expect(await cell(ana.name, 0).textContent()).toContain('Present');
    expect(await cell(ana.name, 5).textContent()).toBe('17 min');
    expect(await cell(cy.name, 0).textContent()).toContain('Absent');
    expect(await card('Present now').textContent()).toBe('0');
    expect(await card('Attended').textContent()).toBe('2');
    await shot(page, 'attendance-report');

    const [download]: [Download, void] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    const records = parseCsv((await downloadedBytes(download)).toString('utf8')).map((r) => r.fields);
    expect(records[0]!.slice(0, 4)).toEqual(['name', 'email', 'expected', 'status']);
    const body = records.slice(1);
    const names = await table().getByRole('rowheader').locator('.name').allTextContents();
    expect(body.map((r) => r[0])).toEqual(names);
    for (const r of body) {
      const [name, , expected, status, late, leftEarly, , , minutes, , inZoom, inHall] = r as string[];
      const cells = row(name!).getByRole('cell');
      expect((await cells.nth(0).textContent())?.trim().toLowerCase()).toBe(status);
      const marks = (await cells.nth(2).textContent()) ?? '';
      expect(marks.includes('Late')).toBe(late === 'yes');
      expect(marks.includes('Left early')).toBe(leftEarly === 'yes');
      expect(`${Math.floor(Number(minutes))} min`).toBe(await cells.nth(5).textContent());
      expect(inZoom).toBe('no');
      expect(inHall).toBe('no');
      expect(expected).toBe(name === guest.name ? 'no' : 'yes');
    }
    expect(body.find((r) => r[0] === ana.name)!.slice(8, 10)).toEqual(['17', '2']);
  });
});
