// What the LMS browser tests share: an LTI 1.3 platform emulator (scripts/lti-emulator) with a
// course of their own, registered in Exam Hall through the admin API; the job workers (grading,
// the LMS gradebook and roster jobs) against the system under test; axe-core on a page; polling
// for a positive signal.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect, inject } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { loadConfig } from '../../../server/src/config/config.ts';
import { createLogger } from '../../../server/src/lib/logger.ts';
import { startWorkers } from '../../../server/src/jobs/runtime.ts';
import {
  startLtiEmulator,
  type LtiEmulator,
  type Person,
  type RoleName,
} from '../../../scripts/lti-emulator/emulator.ts';
import { launchBrowser } from './chromium.ts';
import { apiAs, stamp } from './seed.ts';

export interface Lms {
  tag: string;
  emulator: LtiEmulator;
  course: { id: string; title: string; label: string };
  browser: Browser;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** An emulated LMS course with `members`, registered as a platform; workers and Chromium running. */
export async function startLms(
  members: Array<{ key: string; role: RoleName; name: string }>,
  opts: { membershipPageSize?: number } = {},
): Promise<Lms & { people: Record<string, Person> }> {
  const baseUrl = inject('baseUrl');
  const tag = stamp();
  const emulator = await startLtiEmulator({ toolUrl: baseUrl, membershipPageSize: opts.membershipPageSize });
  const course = { id: `bio-${tag}`, title: `Biology ${tag}`, label: 'BIO101' };
  emulator.createCourse(course);
  const people: Record<string, Person> = {};
  for (const m of members) {
    const person = { id: `${m.key}-${tag}`, name: `${m.name} ${tag}`, email: `${m.key}-${tag}@lms.example` };
    people[m.key] = emulator.addMember(course.id, person, m.role);
  }
  const admin = await apiAs({ email: inject('adminEmail'), password: inject('adminPassword'), name: 'admin' });
  const registered = await admin.post('/api/lti/platforms', {
    data: {
      name: `LMS emulator ${tag}`,
      issuer: emulator.issuer,
      clientId: emulator.clientId,
      deploymentIds: [emulator.deploymentId],
      authLoginUrl: emulator.authLoginUrl,
      accessTokenUrl: emulator.accessTokenUrl,
      jwksUrl: emulator.jwksUrl,
    },
  });
  expect(registered.status()).toBe(201);
  await admin.dispose();
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: inject('databaseUrl'),
    REDIS_PREFIX: inject('redisPrefix'),
    ...inject('chainEnv'),
  });
  const workers = await startWorkers(config, createLogger('silent'), { schedules: false });
  const browser = await launchBrowser();
  const contexts: BrowserContext[] = [];
  return {
    tag,
    emulator,
    course,
    people,
    browser,
    async newPage() {
      const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1300, height: 1000 } });
      context.setDefaultTimeout(15_000);
      contexts.push(context);
      return context.newPage();
    },
    async close() {
      for (const c of contexts) await c.close();
      await browser.close();
      await workers.close();
      await emulator.stop();
    },
  };
}

/** The instructor's "Add an Exam Hall activity": a deep-linking launch that ends on the picker. */
export async function openPicker(lms: Lms, page: Page): Promise<void> {
  await page.goto(`${lms.emulator.url}/course/${lms.course.id}`);
  await page.getByRole('button', { name: 'Add an Exam Hall activity' }).click();
  await page.getByRole('heading', { name: `Choose an exam to place in ${lms.course.title}` }).waitFor();
}

/** The Exam Hall course the instructor's first launch made for the LMS course. */
export async function courseIdOf(lms: Lms, page: Page): Promise<string> {
  const { courses } = await (await page.request.get('/api/courses')).json();
  const course = courses.find((c: { name: string }) => c.name === lms.course.title);
  expect(course).toBeTruthy();
  return course.id as string;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical findings on what `page` shows, opened again with the same session
 * in a context that lets the script in: the page under test keeps its own CSP (the picker's form
 * post to the LMS depends on it). */
export async function seriousViolations(page: Page, ready: (p: Page) => Promise<unknown>): Promise<string[]> {
  const context = await page
    .context()
    .browser()!
    .newContext({ baseURL: inject('baseUrl'), bypassCSP: true, storageState: await page.context().storageState() });
  try {
    const copy = await context.newPage();
    await copy.goto(page.url());
    await ready(copy);
    await copy.addScriptTag({ content: axeSource });
    return await copy.evaluate<string[]>(
      `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`,
    );
  } finally {
    await context.close();
  }
}

/** Until `check` holds, running `between` in between (a positive signal, never a fixed sleep before asserting). */
export async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  between: () => Promise<unknown> = () => new Promise((r) => setTimeout(r, 200)),
  ms = 30_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await between();
  }
}
