// A whole class claiming its codes at once can outrun the server for a few seconds: it answers
// 503 with Retry-After, having changed nothing. The start page and the lobby's Start button ask
// again by themselves, saying when, instead of telling each student to try again.
//
// The refusals are the server's own (databaseUnavailable(): its status, code, message and
// Retry-After header), answered in place of the real server's for the first requests only;
// Retry-After is 1 s instead of 5 to keep the test short. Every later request reaches the real server.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { APIRequestContext, Browser, BrowserContext, Page, Route } from 'playwright-core';
import { databaseUnavailable } from '../../../server/src/db/unavailable.ts';
import { launchBrowser } from './chromium.ts';
import { THREE_QUESTIONS, apiAs, enterWithCode, invite, newAccount, publishedExam, stamp } from './seed.ts';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Answers the first `refusals` requests on `route` as the server does when the database is away; then lets them through. */
async function busyFirst(page: Page, url: string, refusals: number): Promise<{ requests: number }> {
  const seen = { requests: 0 };
  const busy = databaseUnavailable();
  expect(busy.headers['Retry-After']).toBe('5');
  await page.route(url, async (route: Route) => {
    seen.requests += 1;
    if (seen.requests > refusals) return route.continue();
    await route.fulfill({
      status: busy.status,
      headers: { 'content-type': 'application/json', 'retry-after': '1' },
      body: JSON.stringify({ error: { code: busy.code, message: busy.message, requestId: `busy-${seen.requests}` } }),
    });
  });
  return seen;
}

describe('a busy server at the start of an exam', { timeout: 120_000 }, () => {
  let browser: Browser;
  let api: APIRequestContext;
  let context: BrowserContext;
  let examId = '';

  beforeAll(async () => {
    browser = await launchBrowser();
    api = await apiAs(await newAccount('teacher'));
    examId = await publishedExam(api, { title: `Busy start ${stamp()}` }, THREE_QUESTIONS);
  });

  afterAll(async () => {
    await context?.close();
    await api?.dispose();
    await browser?.close();
  });

  it('asks again by itself, saying when, and takes the student into the lobby, then into the exam', async () => {
    const email = `busy-${stamp()}@pupils.example`;
    const code = await invite(api, examId, email, 'Busy Student');
    // bypassCSP: only so axe-core can be injected; the page's own scripts run under the CSP as usual.
    context = await browser.newContext({ baseURL: inject('baseUrl'), bypassCSP: true });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();

    const claims = await busyFirst(page, '**/api/attempts/start', 2);
    await enterWithCode(page, email, code);
    const waiting = page
      .getByRole('status')
      .filter({ hasText: /^Exam Hall is busy for a moment\. Trying again in [12] seconds? \(try 2 of 6\)…$/ });
    await waiting.waitFor();
    await expect.poll(() => page.getByRole('button', { name: 'Checking your code…' }).isDisabled()).toBe(true);
    await page.addScriptTag({ content: axeSource });
    const violations = await page.evaluate<string[]>(
      `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id))`,
    );
    expect(violations).toEqual([]);
    await page.getByRole('status').filter({ hasText: '(try 3 of 6)' }).waitFor();

    // The third claim reached the server: the lobby, and no error was shown on the way.
    const start = page.getByRole('button', { name: 'Start exam' });
    await start.waitFor();
    expect(claims.requests).toBe(3);
    expect(new URL(page.url()).pathname).toMatch(/^\/attempts\/[0-9a-f-]{36}$/);

    const begins = await busyFirst(page, '**/api/attempts/*/begin', 1);
    await start.click();
    await page.getByRole('status').filter({ hasText: 'Exam Hall is busy for a moment. Trying again in' }).waitFor();
    await page.getByRole('group', { name: THREE_QUESTIONS[0][0] }).waitFor();
    expect(begins.requests).toBe(2);
  });
});
