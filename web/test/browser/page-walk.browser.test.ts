// Every page, as every role, over the demo data: no error page where the role may be,
// no console error, no uncaught exception, no serious or critical axe-core violation.
// The pages come from web/src/routes, so a new page is walked without editing this file
// (a new dynamic segment fails until it gets a value in FILL).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { loadConfig } from '../../../server/src/config/config.ts';
import { createDb } from '../../../server/src/db/client.ts';
import { attempts, enrollments, exams, users, zoomMeetings } from '../../../server/src/db/schema/index.ts';
import { DEMO_ACCOUNTS } from '../../../server/src/demo/demo.seed.ts';
import { demoCourse, seedDemoExams } from '../../../server/src/demo/demo-exams.seed.ts';
import { CERTIFICATE_DEMO_TITLE, seedDemoCertificate } from '../../../server/src/demo/demo-certificate.seed.ts';
import { seedDemoBanks } from '../../../server/src/demo/demo-banks.seed.ts';
import { launchBrowser } from './chromium.ts';

const baseUrl = inject('baseUrl');
const databaseUrl = inject('databaseUrl');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

type Role = 'anonymous' | 'student' | 'proctor' | 'teacher' | 'admin';
const ROLES: Role[] = ['anonymous', 'student', 'proctor', 'teacher', 'admin'];
const OUT_OF_BOUNDS = 'Out of bounds (page walk)';

/** Route ids as SvelteKit names them ("/(app)/teach/exams/[id]"), from the folders holding a +page.svelte. */
function routeIds(): string[] {
  const root = fileURLToPath(new URL('../../src/routes', import.meta.url));
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name === '+page.svelte')
        out.push(`/${relative(root, dir).split(sep).join('/')}`.replace(/\/$/, '') || '/');
    }
  };
  walk(root);
  return out.sort();
}

/** Where each role may go; elsewhere it must be turned away (sign-in, or a 403/404 page), never crash. */
function allowed(routeId: string, role: Role): boolean {
  const path = routeId.replace(/\/\([^)]+\)/g, '');
  if (
    path === '/sign-in' ||
    path === '/start' ||
    path === '/camera-check' ||
    path === '/verify' ||
    path.startsWith('/verify/')
  )
    return true;
  // Account links open these signed out (the token comes in the URL fragment).
  if (['/account/invitation', '/account/reset', '/account/forgot', '/account/verify'].includes(path)) return true;
  if (path.startsWith('/attempts/')) return role === 'student'; // the demo student's own ended attempt
  // Exists only while an LMS's Deep Linking launch waits (lti-admin.browser.test.ts walks a real
  // one with axe-core): here an unknown request, a 404 page for everyone signed in.
  if (path.startsWith('/lti/deep-link/')) return false;
  if (role === 'anonymous') return false;
  if (path.startsWith('/teach')) return role === 'teacher' || role === 'admin';
  if (path.startsWith('/hall')) return role !== 'student';
  if (path.startsWith('/admin')) return role === 'admin';
  return true;
}

describe('every page as every role', { timeout: 600_000 }, () => {
  let browser: Browser;
  let close: () => Promise<void>;
  const fill: Record<string, string> = {};
  let outOfBoundsId = '';

  beforeAll(async () => {
    const config = loadConfig({ ...process.env, DATABASE_URL: databaseUrl });
    const { db, pool } = createDb(databaseUrl, 2);
    const account = (role: string) => DEMO_ACCOUNTS.find((a) => a.role === role)!;
    const teacherEmail = account('teacher').email;
    const studentEmail = account('student').email;
    // The demo data npm start loads, through the same seed functions.
    const demo = await seedDemoExams(db, config.secret, teacherEmail, studentEmail);
    const cert = await seedDemoCertificate(db, {
      secret: config.secret,
      teacherEmail,
      studentEmail,
      institutionName: config.institutionName,
    });
    const { caller, course } = await demoCourse(db, config.secret, teacherEmail);
    // The demo question bank and the exam drawing from it (its page and the exam's sections panel).
    const demoBank = await seedDemoBanks(db, config.secret, teacherEmail, studentEmail);
    // The demo student's finished (graded) attempt: its page, the exam's results and the certificate.
    const [ended] = await db
      .select({ id: attempts.id, examId: attempts.examId })
      .from(attempts)
      .innerJoin(exams, eq(exams.id, attempts.examId))
      .innerJoin(users, eq(users.id, attempts.userId))
      .where(and(eq(exams.title, CERTIFICATE_DEMO_TITLE), eq(users.email, studentEmail)));
    // The demo proctor watches the demo course, as npm start's hall demo enrolls them.
    const proctor = await db.query.users.findFirst({ where: eq(users.email, account('proctor').email) });
    await db
      .insert(enrollments)
      .values({ courseId: course.id, userId: proctor!.id, role: 'proctor' })
      .onConflictDoNothing();
    // A class session for the demo exam (this system has no Zoom app to create one through).
    const [meeting] = await db
      .insert(zoomMeetings)
      .values({
        zoomMeetingId: String(90_000_000_000 + Math.floor(Math.random() * 9_000_000_000)),
        topic: 'Page walk class (demo)',
        hostUserId: caller.actor.userId,
        startTime: new Date(),
        durationMinutes: 60,
        registrationRequired: true,
        examId: demo.examId,
      })
      .returning({ id: zoomMeetings.id });
    // A record outside the bound the pages check, as older demo data wrote straight to the
    // table: the teach page must show the other exams and name this one.
    const [bad] = await db
      .insert(exams)
      .values({
        title: OUT_OF_BOUNDS,
        createdBy: caller.actor.userId,
        courseId: course.id,
        durationMinutes: 30,
        availableAnytime: true,
        maxAttempts: 1000,
      })
      .returning({ id: exams.id });
    outOfBoundsId = bad!.id;
    Object.assign(fill, {
      'courses/[id]': course.id,
      'banks/[bankId]': demoBank.bankId,
      'exams/[id]': ended!.examId,
      'hall/[examId]': demo.examId,
      'zoom/[meetingId]': meeting!.id,
      'attempts/[id]': ended!.id,
      'review/[attemptId]': ended!.id,
      'grading/[attemptId]': ended!.id,
      'verify/[publicId]': cert!.publicId,
      'users/[id]': proctor!.id,
      'deep-link/[id]': 'no-such-deep-linking-request',
    });
    close = async () => {
      await db.delete(exams).where(eq(exams.id, outOfBoundsId));
      await db.delete(zoomMeetings).where(eq(zoomMeetings.id, meeting!.id));
      await pool.end();
    };
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await close?.();
    // The table the closing notes quote: every page each role sees, with its axe-core result.
    if (report.length) {
      const lines = report
        .filter((r) => r.outcome === 'shown')
        .sort((a, b) => ROLES.indexOf(a.role) - ROLES.indexOf(b.role))
        .map((r) => `| ${r.role} | ${r.url} | ${r.axe} |`);
      const refused = report.filter((r) => r.outcome !== 'shown').length;
      console.log(
        `page walk: ${lines.length} pages shown, ${refused} turned away\n| role | page | axe-core |\n|---|---|---|\n${lines.join('\n')}`,
      );
    }
  });

  /** The URL of a route id, its dynamic segments filled from the demo data. */
  function urlOf(routeId: string): string {
    const parts = routeId.split('/').filter((p) => p && !p.startsWith('('));
    return `/${parts
      .map((p, i) => {
        if (!p.startsWith('[')) return p;
        const key = `${parts[i - 1]}/${p}`;
        if (!fill[key]) throw new Error(`The page walk has no value for ${key} (route ${routeId}): add one to fill`);
        return fill[key];
      })
      .join('/')}`;
  }

  async function contextFor(role: Role): Promise<BrowserContext> {
    // bypassCSP: only so axe-core can be injected; the pages' own scripts run under the CSP as usual.
    const context = await browser.newContext({ baseURL: baseUrl, bypassCSP: true });
    if (role !== 'anonymous') {
      const a = DEMO_ACCOUNTS.find((x) => x.role === role)!;
      const res = await context.request.post('/api/auth/sign-in', {
        data: { email: a.email, password: a.password },
        headers: { origin: baseUrl },
      });
      expect(res.status(), `${role} signs in`).toBe(200);
    }
    return context;
  }

  /** One row per page and role: what the role got there and what axe-core said (printed at the end). */
  const report: { role: Role; url: string; outcome: string; axe: string }[] = [];
  /** Kinds of turned-away page (per role and outcome) axe-core has already checked. */
  const axeChecked = new Set<string>();

  /** Visits one page; answers what went wrong there (nothing: an empty list). */
  async function visit(page: Page, routeId: string, role: Role): Promise<string[]> {
    const problems: string[] = [];
    const row = { role, url: urlOf(routeId), outcome: 'not reached', axe: 'not run' };
    report.push(row);
    const may = allowed(routeId, role);
    const onConsole = (m: { type(): string; text(): string }) => {
      if (m.type() !== 'error') return;
      const text = m.text();
      // A 401 is how the pages learn nobody is signed in; a 403/404 is the answer where the role may not go.
      if (/status of 401/.test(text)) return;
      if (!may && /status of 40[34]/.test(text)) return;
      problems.push(`console error: ${text}`);
    };
    const onPageError = (e: Error) => problems.push(`uncaught: ${e.message}`);
    page.on('console', onConsole);
    page.on('pageerror', onPageError);
    try {
      await page.goto(urlOf(routeId));
      // SvelteKit renders a page (or the error page) once its load is done. The five walks share one
      // Chromium beside the browser lane: a plain page once took over 15 s to render in CI.
      await page.locator('h1').first().waitFor({ timeout: 45_000 });
      // Leaving before the service worker is registered would abort its registration.
      // (Expressions as strings: this file is type-checked without the DOM library.)
      await page.evaluate('navigator.serviceWorker ? navigator.serviceWorker.ready.then(() => true) : true');
      const path = new URL(page.url()).pathname;
      const errorStatus = await page.evaluate<string | null>(
        `document.querySelector('[data-error-status]')?.getAttribute('data-error-status') ?? null`,
      );
      const body = (await page.locator('main, body').first().textContent()) ?? '';
      if (/does not understand/.test(body)) problems.push('the page did not understand an answer');
      if (may && errorStatus) problems.push(`error page ${errorStatus}: ${await page.locator('h1 + p').textContent()}`);
      if (may && path === '/sign-in' && !routeId.endsWith('/sign-in')) problems.push('sent to sign-in');
      if (!may && !errorStatus && path !== '/sign-in') problems.push(`shown to ${role}, who should be turned away`);
      if (!may && errorStatus && !['403', '404'].includes(errorStatus)) problems.push(`error page ${errorStatus}`);
      row.outcome = errorStatus
        ? `refused (${errorStatus})`
        : path === '/sign-in' && !routeId.endsWith('/sign-in')
          ? 'sent to sign-in'
          : 'shown';

      // A page that turned the role away is the sign-in page or the error page: axe-core
      // checks each kind once per role (the sign-in page is also walked as itself).
      if (row.outcome !== 'shown') {
        const kind = `${role} ${row.outcome}`;
        if (axeChecked.has(kind)) {
          row.axe = 'checked on an earlier page of this kind';
          return problems.map((p) => `${role} ${urlOf(routeId)}: ${p}`);
        }
        axeChecked.add(kind);
      }
      await page.addScriptTag({ content: axeSource });
      const violations = await page.evaluate<{ id: string; impact: string | null; help: string; at: string[] }[]>(
        `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({
          id: v.id, impact: v.impact, help: v.help, at: v.nodes.map((n) => n.target.join(' ')),
        })))`,
      );
      const byImpact = new Map<string, number>();
      for (const v of violations) byImpact.set(v.impact ?? 'unknown', (byImpact.get(v.impact ?? 'unknown') ?? 0) + 1);
      row.axe = violations.length
        ? [...byImpact]
            .map(
              ([impact, n]) =>
                `${n} ${impact} (${violations
                  .filter((v) => (v.impact ?? 'unknown') === impact)
                  .map((v) => v.id)
                  .join(', ')})`,
            )
            .join('; ')
        : 'no violations';
      for (const v of violations) {
        if (v.impact === 'serious' || v.impact === 'critical') {
          problems.push(`axe ${v.impact} ${v.id}: ${v.help} at ${v.at.join(', ')}`);
        }
      }
    } catch (err) {
      problems.push(`could not walk: ${(err as Error).message.split('\n')[0]}`);
    } finally {
      page.off('console', onConsole);
      page.off('pageerror', onPageError);
    }
    return problems.map((p) => `${role} ${urlOf(routeId)}: ${p}`);
  }

  it('finds the pages in web/src/routes', () => {
    const ids = routeIds();
    expect(ids).toContain('/(app)/teach');
    expect(ids).toContain('/attempts/[id]');
    expect(ids.length).toBeGreaterThanOrEqual(18);
  });

  // The five roles walk at once, each in its own browser context (the walk only reads).
  for (const role of ROLES) {
    it.concurrent(`as ${role}`, async () => {
      const context = await contextFor(role);
      const page = await context.newPage();
      const problems: string[] = [];
      for (const id of routeIds()) problems.push(...(await visit(page, id, role)));
      await context.close();
      expect(problems).toEqual([]);
    });
  }

  it('shows the teach page with an out-of-bound exam, naming it, instead of an error page', async () => {
    for (const role of ['teacher', 'admin'] as const) {
      const context = await contextFor(role);
      const page = await context.newPage();
      await page.goto('/teach');
      const notice = page.getByTestId('list-problems').first();
      await notice.waitFor();
      expect(await notice.textContent()).toBe(
        `1 exam could not be shown: '${OUT_OF_BOUNDS}' (maxAttempts: Attempt limit must be at most 100).`,
      );
      expect(await notice.getAttribute('role')).toBe('status');
      // The rest of the list is there.
      await page.getByRole('link', { name: 'Chemistry basics: demo exam' }).first().waitFor();
      expect(await page.locator('[data-error-status]').count()).toBe(0);
      await context.close();
    }
  });
});
