// The hall table at a few hundred students: only the rows in its scroll box (and a
// margin) are drawn, yet it reads as one table of every participant (aria-rowcount,
// aria-rowindex, the count in its caption); scrolling draws later rows, the filter finds
// a row that was never drawn, the arrow keys and Home/End walk the whole roster from a
// row's Actions button, focus stays on a row scrolled far away, and axe-core finds
// nothing serious or critical.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIRequestContext, Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from './chromium.ts';
import { apiAs, newAccount, publishedExam, signedInPage, stamp, THREE_QUESTIONS, type Account } from './seed.ts';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const STUDENTS = 300;
const tag = stamp();
/** "Student 007": names sort in number order. */
const nameOf = (n: number) => `Student ${String(n).padStart(3, '0')}`;

describe('the hall table draws a window of a large roster', { timeout: 90_000 }, () => {
  let browser: Browser;
  let owner: Account;
  let teacher: APIRequestContext;
  let proctor: BrowserContext;
  let hall: Page;
  let examId = '';

  const roster = () => hall.getByRole('table', { name: /^Participants/ });
  const rowOf = (n: number) =>
    roster()
      .getByRole('row')
      .filter({ has: hall.getByRole('rowheader', { name: new RegExp(nameOf(n)) }) });
  const actionsOf = (n: number) => hall.getByRole('button', { name: `Actions for ${nameOf(n)}`, exact: true });
  /** The name in the row holding the focus. */
  const focusedName = () =>
    hall.evaluate(() => document.activeElement?.closest('tr')?.querySelector('.p-name')?.textContent ?? null);
  const drawnRows = () => hall.locator('.hall-table tbody tr[data-row]').count();

  beforeAll(async () => {
    browser = await launchBrowser();
    owner = await newAccount('teacher');
    teacher = await apiAs(owner);
    examId = await publishedExam(teacher, { title: `Big hall ${tag}` }, THREE_QUESTIONS);
    const csv = [
      'email,name',
      ...Array.from({ length: STUDENTS }, (_, i) => `s${i + 1}-${tag}@pupils.example,${nameOf(i + 1)}`),
    ];
    const imported = await teacher.post(`/api/exams/${examId}/participants/import`, {
      headers: { 'content-type': 'text/csv' },
      data: csv.join('\n'),
    });
    expect(imported.status()).toBe(200);
    ({ context: proctor, page: hall } = await signedInPage(browser, owner, { width: 1400, height: 900 }));
    await hall.goto(`/hall/${examId}`);
    await rowOf(1).waitFor();
  }, 60_000);

  afterAll(async () => {
    await proctor?.close();
    await teacher?.dispose();
    await browser?.close();
  });

  it('is one table of every participant, with only a window of rows drawn', async () => {
    await expect.poll(() => roster().getAttribute('aria-rowcount')).toBe(String(STUDENTS + 1));
    expect(await roster().locator('caption').textContent()).toMatch(new RegExp(`${STUDENTS}\\s+rows`));
    expect(await rowOf(1).getAttribute('aria-rowindex')).toBe('2');
    const drawn = await drawnRows();
    expect(drawn).toBeGreaterThan(5);
    expect(drawn).toBeLessThan(80);
    expect(await rowOf(STUDENTS).count()).toBe(0);
  });

  it('draws later rows as the roster scrolls', async () => {
    await hall.locator('.roster').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await rowOf(STUDENTS).waitFor();
    expect(await rowOf(STUDENTS).getAttribute('aria-rowindex')).toBe(String(STUDENTS + 1));
    expect(await rowOf(1).count()).toBe(0);
    await hall.locator('.roster').evaluate((el) => el.scrollTo(0, 0));
    await rowOf(1).waitFor();
  });

  it('walks the whole roster with the keyboard and keeps the focus on a row scrolled away', async () => {
    await actionsOf(1).focus();
    await hall.keyboard.press('ArrowDown');
    await expect.poll(focusedName).toBe(nameOf(2));
    await hall.keyboard.press('End');
    await expect.poll(focusedName).toBe(nameOf(STUDENTS));
    await hall.keyboard.press('ArrowUp');
    await expect.poll(focusedName).toBe(nameOf(STUDENTS - 1));
    await hall.keyboard.press('Home');
    await expect.poll(focusedName).toBe(nameOf(1));
    await hall.keyboard.press('PageDown');
    await expect.poll(focusedName).not.toBe(nameOf(1));
    // Tab goes row by row past the rows drawn at first: the window follows the focus.
    await actionsOf(1).focus();
    for (let i = 0; i < 40; i++) await hall.keyboard.press('Tab');
    await expect.poll(focusedName).toBe(nameOf(41));

    // Scrolled to the far end, the focused row stays drawn and focused.
    await hall.keyboard.press('Home');
    await expect.poll(focusedName).toBe(nameOf(1));
    await hall.locator('.roster').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await rowOf(STUDENTS).waitFor();
    expect(await focusedName()).toBe(nameOf(1));
    await hall.keyboard.press('ArrowDown');
    await expect.poll(focusedName).toBe(nameOf(2));
    await expect(actionsOf(2).isVisible()).resolves.toBe(true);
  });

  it('filters over every row, drawn or not, and announces the count', async () => {
    await hall.locator('.roster').evaluate((el) => el.scrollTo(0, 0));
    await rowOf(1).waitFor();
    expect(await rowOf(287).count()).toBe(0);
    await hall.getByLabel('Search').fill(nameOf(287));
    await rowOf(287).waitFor();
    await expect.poll(() => roster().getAttribute('aria-rowcount')).toBe('2');
    await expect
      .poll(() => hall.getByRole('status').filter({ hasText: 'participants shown' }).textContent())
      .toBe(`1 of ${STUDENTS} participants shown`);
    await hall.getByLabel('Search').fill('');
    await expect.poll(() => roster().getAttribute('aria-rowcount')).toBe(String(STUDENTS + 1));
  });

  it('passes axe-core with nothing serious or critical', async () => {
    await hall.evaluate(axeSource);
    const violations = await hall.evaluate<string[]>(
      `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`,
    );
    expect(violations).toEqual([]);
  });
});
