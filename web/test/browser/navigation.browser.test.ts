// The same header everywhere: a signed-in user sees their menu on public pages and error
// pages too; home pages offer only what exists and lead to what a user finished; a proctor
// opening an attendance page they may see is not told it is for teachers.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { loadConfig } from '../../../server/src/config/config.ts';
import { createDb } from '../../../server/src/db/client.ts';
import { attempts, exams, users, zoomMeetings } from '../../../server/src/db/schema/index.ts';
import { DEMO_ACCOUNTS } from '../../../server/src/demo/demo.seed.ts';
import { CERTIFICATE_DEMO_TITLE, seedDemoCertificate } from '../../../server/src/demo/demo-certificate.seed.ts';
import { launchBrowser } from './chromium.ts';

const baseUrl = inject('baseUrl');
const databaseUrl = inject('databaseUrl');
const TEACHER_ONLY = 'Only teachers and administrators';

type Role = 'student' | 'proctor' | 'teacher' | 'admin';
const account = (role: Role) => DEMO_ACCOUNTS.find((a) => a.role === role)!;

describe('navigation', { timeout: 60_000 }, () => {
  let browser: Browser;
  let close: () => Promise<void>;
  let publicId = '';
  let endedAttemptId = '';
  let proctorMeetingId = '';
  let teacherMeetingId = '';
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    const config = loadConfig({ ...process.env, DATABASE_URL: databaseUrl });
    const { db, pool } = createDb(databaseUrl, 2);
    const teacherEmail = account('teacher').email;
    const studentEmail = account('student').email;
    // The demo student's finished, graded attempt and its certificate (idempotent, as npm start runs it).
    const cert = await seedDemoCertificate(db, {
      secret: config.secret,
      teacherEmail,
      studentEmail,
      institutionName: config.institutionName,
    });
    publicId = cert!.publicId;
    const [ended] = await db
      .select({ id: attempts.id })
      .from(attempts)
      .innerJoin(exams, eq(exams.id, attempts.examId))
      .innerJoin(users, eq(users.id, attempts.userId))
      .where(and(eq(exams.title, CERTIFICATE_DEMO_TITLE), eq(users.email, studentEmail)));
    endedAttemptId = ended!.id;
    // Two class sessions: one the demo proctor hosts (the server lets its host see its attendance)
    // and one the teacher hosts (not the proctor's).
    const hostId = async (role: Role) =>
      (await db.query.users.findFirst({ where: eq(users.email, account(role).email) }))!.id;
    const meeting = async (role: Role) => {
      const [row] = await db
        .insert(zoomMeetings)
        .values({
          zoomMeetingId: String(80_000_000_000 + Math.floor(Math.random() * 9_000_000_000)),
          topic: `Navigation class hosted by the ${role}`,
          hostUserId: await hostId(role),
          startTime: new Date(),
          durationMinutes: 60,
        })
        .returning({ id: zoomMeetings.id });
      return row!.id;
    };
    proctorMeetingId = await meeting('proctor');
    teacherMeetingId = await meeting('teacher');
    close = async () => {
      await db.delete(zoomMeetings).where(eq(zoomMeetings.id, proctorMeetingId));
      await db.delete(zoomMeetings).where(eq(zoomMeetings.id, teacherMeetingId));
      await pool.end();
    };
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await close?.();
  });

  async function pageAs(role: Role | 'anonymous'): Promise<Page> {
    const context = await browser.newContext({ baseURL: baseUrl });
    context.setDefaultTimeout(10_000);
    contexts.push(context);
    if (role !== 'anonymous') {
      const a = account(role);
      const res = await context.request.post('/api/auth/sign-in', {
        data: { email: a.email, password: a.password },
        headers: { origin: baseUrl },
      });
      expect(res.status(), `${role} signs in`).toBe(200);
    }
    return context.newPage();
  }

  /** The header shows the signed-in user's menu: their email, Sign out, the main nav; no "Sign in". */
  async function expectMenu(page: Page, role: Role): Promise<void> {
    const banner = page.getByRole('banner');
    await banner.getByText(account(role).email).waitFor();
    await banner.getByRole('button', { name: 'Sign out' }).waitFor();
    await banner.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home' }).waitFor();
    expect(await banner.getByRole('link', { name: 'Sign in' }).count()).toBe(0);
  }

  it('shows the signed-in menu on the public verify page, /start and an error page', async () => {
    const page = await pageAs('student');
    await page.goto(`/verify/${publicId}`);
    await page.getByRole('heading', { name: 'Certificate check', level: 1 }).waitFor();
    await expectMenu(page, 'student');
    await page.getByRole('banner').getByRole('link', { name: 'Certificates' }).waitFor();

    await page.goto('/start');
    await page.locator('h1').first().waitFor();
    await expectMenu(page, 'student');

    await page.goto('/no-such-page');
    await page.locator('h1[data-error-status="404"]').waitFor();
    await expectMenu(page, 'student');
  });

  it('shows "Sign in" to a visitor on the verify page, which still works without a session', async () => {
    const page = await pageAs('anonymous');
    await page.goto(`/verify/${publicId}`);
    await page.getByRole('heading', { name: 'Certificate check', level: 1 }).waitFor();
    await page.getByRole('banner').getByRole('link', { name: 'Sign in' }).waitFor();
    await page.locator('[data-status]').first().waitFor();
    expect(await page.locator('[data-error-status]').count()).toBe(0);
  });

  it('links a finished exam on the student home page to its result', async () => {
    const page = await pageAs('student');
    await page.goto('/');
    const card = page
      .getByRole('listitem')
      .filter({ has: page.getByRole('heading', { name: CERTIFICATE_DEMO_TITLE }) });
    const link = card.getByRole('link', { name: `See your result of ${CERTIFICATE_DEMO_TITLE}` });
    expect(await link.getAttribute('href')).toBe(`/attempts/${endedAttemptId}`);
    await link.click();
    await page.waitForURL((url) => url.pathname === `/attempts/${endedAttemptId}`);
    await page.getByRole('heading', { name: 'Your result' }).waitFor();
    expect(await page.locator('[data-error-status]').count()).toBe(0);
  });

  it('offers teachers and admins only what exists on their home page: attendance leads to the class sessions', async () => {
    for (const role of ['teacher', 'admin'] as const) {
      const page = await pageAs(role);
      await page.goto('/');
      const next = page.getByRole('region', { name: 'What you can do next' });
      await next.getByRole('link', { name: 'Attendance' }).click();
      await page.waitForURL((url) => url.pathname === '/teach' && url.hash === '#courses-heading');
      // A course there leads to its class sessions, and they to each meeting's attendance.
      await page
        .getByRole('link', { name: /^Class sessions on Zoom/ })
        .first()
        .waitFor();
      await page.goto('/');
      await next.getByRole('link', { name: 'Attendance' }).waitFor();
      const text = (await page.locator('main').textContent()) ?? '';
      expect(text, role).not.toContain('Coming soon');
      // The audit log is a page of the admin console now: a card for admins only, and it opens.
      if (role === 'admin') {
        await next.getByRole('link', { name: 'Audit log' }).click();
        await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
      } else expect(text, role).not.toContain('Audit log');
    }
  });

  it('shows a proctor the attendance of the meeting they host, and a fitting refusal for one they do not', async () => {
    const page = await pageAs('proctor');
    await page.goto(`/teach/zoom/${proctorMeetingId}`);
    await page.getByRole('heading', { name: 'Attendance: Navigation class hosted by the proctor', level: 1 }).waitFor();
    expect(await page.locator('[data-error-status]').count()).toBe(0);
    expect((await page.locator('main').textContent()) ?? '').not.toContain(TEACHER_ONLY);

    await page.goto(`/teach/zoom/${teacherMeetingId}`);
    await page.locator('h1[data-error-status="404"]').waitFor();
    const message = (await page.locator('h1 + p').textContent()) ?? '';
    expect(message).toContain('the meeting host');
    expect(message).not.toContain(TEACHER_ONLY);
    await expectMenu(page, 'proctor');

    // The rest of Teach is still the teachers' and administrators'.
    await page.goto('/teach');
    await page.locator('h1[data-error-status="403"]').waitFor();
    expect(await page.locator('h1 + p').textContent()).toContain(TEACHER_ONLY);
  });
});
