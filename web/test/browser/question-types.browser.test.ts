// The six newer question types end to end: a teacher writes short answer, numeric and essay
// questions in the questions page (field errors included) and matching, ordering and fill in the
// blanks through the API; a student answers every one with the keyboard, each answer is committed,
// the automatic types score as keyed and the essay waits for a hand mark. Along the way: KaTeX
// draws the mathematics, a script or an onerror in a prompt never runs, and axe-core finds nothing
// serious on the exam page holding all six types.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import type { APIRequestContext, Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { createDb } from '../../../server/src/db/client.ts';
import { gradeAttempt } from '../../../server/src/modules/grading/grading.service.ts';
import { launchBrowser } from './chromium.ts';
import { apiAs, enterWithCode, invite, newAccount, signedInPage, stamp, type Account } from './seed.ts';

const baseUrl = inject('baseUrl');
const databaseUrl = inject('databaseUrl');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Serious or critical axe-core violations on the page, as "rule: selector" lines. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate<string[]>(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`,
  );
}

/** Presses ArrowDown on a focused drop-down until `text` is chosen (the keyboard's way through a select). */
async function chooseWithKeys(page: Page, select: Locator, text: string) {
  const options = await select.locator('option').allTextContents();
  const at = options.indexOf(text);
  expect(at, `option ${text} in ${options.join(', ')}`).toBeGreaterThan(0);
  await select.focus();
  for (let i = 0; i < at; i++) await page.keyboard.press('ArrowDown');
  expect(await select.evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.textContent)).toBe(text);
}

describe('the newer question types, written and answered', { timeout: 180_000 }, () => {
  let browser: Browser;
  let teacherAccount: Account;
  let teacher: APIRequestContext;
  let db: pg.Client;
  const contexts: BrowserContext[] = [];
  let examId = '';
  const title = `Capitals and quantities ${stamp()}`;

  beforeAll(async () => {
    browser = await launchBrowser();
    teacherAccount = await newAccount('teacher');
    teacher = await apiAs(teacherAccount);
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    const created = await teacher.post('/api/exams', {
      data: { title, durationMinutes: 30, availableAnytime: true },
    });
    expect(created.status()).toBe(201);
    examId = (await created.json()).id;
  }, 60_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await teacher?.dispose();
    await db?.end();
    await browser?.close();
  });

  it('lets the teacher write short answer, numeric and essay questions, with errors on the field at fault', async () => {
    const { context, page } = await signedInPage(browser, teacherAccount);
    contexts.push(context);
    await page.goto(`/teach/exams/${examId}/questions`);

    // Short answer, first without an accepted answer: the error sits on that input.
    await page.getByRole('button', { name: 'Add question' }).click();
    const form = page.getByRole('form', { name: 'New question' });
    await form.getByLabel('Type', { exact: true }).selectOption({ label: 'Short answer' });
    await form.getByLabel('Question', { exact: true }).fill('Which city is the capital of France?');
    await form.getByRole('button', { name: 'Add question' }).click();
    const accepted = form.getByLabel('Accepted answer 1', { exact: true });
    expect(await accepted.getAttribute('aria-invalid')).toBe('true');
    await form.getByText('An accepted answer cannot be empty').first().waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-invalid'))).toBe('true');
    await accepted.fill('Paris');
    await form.getByRole('button', { name: 'Add accepted answer' }).click();
    await form.getByLabel('Accepted answer 2', { exact: true }).fill('Lutetia');
    await form.getByRole('button', { name: 'Add question' }).click();
    await page.getByRole('status').filter({ hasText: 'Question 1 added.' }).waitFor();
    await page.getByText('Correct answer: “Paris” or “Lutetia”').waitFor();

    // Numeric with a comma decimal and a tolerance; a value that is not a number is named first.
    await page.getByRole('button', { name: 'Add question' }).click();
    await form.getByLabel('Type', { exact: true }).selectOption({ label: 'Numeric' });
    await form.getByLabel('Question', { exact: true }).fill('What is $\\frac{1}{4}$ written as a decimal?');
    await form.getByLabel('Value 1', { exact: true }).fill('a quarter');
    await form.getByRole('button', { name: 'Add question' }).click();
    expect(await form.getByLabel('Value 1', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await form.getByText('value must be a number').first().waitFor();
    await form.getByLabel('Value 1', { exact: true }).fill('0,25');
    await form.getByLabel(/^Tolerance 1/).fill('0.01');
    await form.getByRole('button', { name: 'Add question' }).click();
    await page.getByRole('status').filter({ hasText: 'Question 2 added.' }).waitFor();
    await page.getByText('Correct answer: 0.25 ± 0.01').waitFor();
    // The list draws the formula with KaTeX.
    expect(await page.locator('.question-card .katex').count()).toBeGreaterThan(0);

    // Essay with a word limit and one rubric criterion, worth 2 points.
    await page.getByRole('button', { name: 'Add question' }).click();
    await form.getByLabel('Type', { exact: true }).selectOption({ label: 'Essay' });
    await form.getByLabel('Points', { exact: true }).fill('2');
    await form.getByLabel('Question', { exact: true }).fill('Describe the water cycle in a few words.');
    await form.getByLabel(/^Word limit/).fill('5');
    await form.getByRole('button', { name: 'Add criterion' }).click();
    await form.getByLabel('Criterion 1', { exact: true }).fill('Mentions evaporation');
    await form.getByLabel('Points for criterion 1', { exact: true }).fill('2');
    await form.getByRole('button', { name: 'Add question' }).click();
    await page.getByRole('status').filter({ hasText: 'Question 3 added.' }).waitFor();
    await page.getByText('Marking: Graded by hand').waitFor();
  });

  it('takes the other three types through the API, and one prompt is hostile', async () => {
    const add = async (data: Record<string, unknown>) => {
      const res = await teacher.post(`/api/exams/${examId}/questions`, { data });
      expect(res.status(), await res.text()).toBe(201);
      return (await res.json()).id as string;
    };
    const matchingId = await add({
      type: 'matching',
      prompt: 'Match each country with its capital.',
      content: {
        stems: [
          { id: 's1', text: 'France' },
          { id: 's2', text: 'Japan' },
        ],
        choices: [
          { id: 'c1', text: 'Paris' },
          { id: 'c2', text: 'Tokyo' },
          { id: 'c3', text: 'Lima' },
        ],
      },
      answerKey: {
        pairs: [
          { stemId: 's1', choiceId: 'c1' },
          { stemId: 's2', choiceId: 'c2' },
        ],
      },
    });
    await add({
      type: 'ordering',
      prompt: 'Put the planets in order from the Sun.',
      content: {
        items: [
          { id: 'a', text: 'Mercury' },
          { id: 'b', text: 'Venus' },
          { id: 'c', text: 'Earth' },
          { id: 'd', text: 'Mars' },
        ],
      },
      answerKey: { order: ['a', 'b', 'c', 'd'] },
    });
    await add({
      type: 'fill_blanks',
      prompt: 'The capital of Italy is [[1]] and the capital of Japan is [[2]].',
      content: {
        gaps: [
          { id: '1' },
          {
            id: '2',
            options: [
              { id: 'k', text: 'Kyoto' },
              { id: 't', text: 'Tokyo' },
            ],
          },
        ],
      },
      answerKey: {
        gaps: [
          { gapId: '1', accepted: ['Rome', 'Roma'] },
          { gapId: '2', accepted: ['t'] },
        ],
      },
    });
    // Written past the server's own sanitiser (an old row, an import gone wrong): the page must hold.
    await db.query('update questions set prompt = $1 where id = $2', [
      'Match each country with its capital. <img src="x" onerror="window.__xss = 1"><script>window.__xss = 2</script>',
      matchingId,
    ]);
    expect((await teacher.post(`/api/exams/${examId}/publish`)).status()).toBe(200);
  });

  it('lets a student answer every type with the keyboard, saves each answer, and grades the automatic ones', async () => {
    const email = `pupil-${stamp()}@pupils.example`;
    const code = await invite(teacher, examId, email, 'Pupil Types');
    // bypassCSP so axe-core can be injected; it also takes the CSP away, so only sanitising stops the script.
    const context = await browser.newContext({
      baseURL: baseUrl,
      viewport: { width: 1200, height: 1000 },
      bypassCSP: true,
    });
    context.setDefaultTimeout(15_000);
    contexts.push(context);
    const page = await context.newPage();
    await enterWithCode(page, email, code);
    await page.waitForURL(/\/attempts\/[0-9a-f-]+$/);
    const attemptId = new URL(page.url()).pathname.split('/').pop()!;
    await page.getByRole('button', { name: 'Start exam' }).click();
    await page.getByRole('heading', { name: title, level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Show all questions on one page' }).click();
    const q = (n: number) => page.locator(`#question-${n}`);
    await q(6).waitFor();

    // 1. Short answer: typed, saved when the field is left.
    await q(1).getByLabel('Your answer').focus();
    await page.keyboard.type('  paris ');
    await page.keyboard.press('Tab');

    // 2. Numeric: a comma decimal; KaTeX drew the fraction in the prompt.
    expect(await q(2).locator('legend .katex').count()).toBe(1);
    await q(2).getByLabel('Your answer').focus();
    await page.keyboard.type('0,251');
    await page.keyboard.press('Tab');

    // 3. Essay: formatting from the toolbar by keyboard, and the word limit said out loud when passed.
    const essay = q(3).getByRole('textbox', { name: 'Your essay' });
    await essay.focus();
    await page.keyboard.type('Water ');
    await q(3).getByRole('button', { name: 'Bold' }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.type('evaporates');
    await q(3).getByRole('button', { name: 'Bold' }).press('Enter');
    await page.keyboard.type(' then condenses and falls.');
    await q(3).getByText('6 words of at most 5').waitFor();
    await q(3).locator('[aria-live="polite"]').getByText('Over the word limit of 5 words.').waitFor();
    expect(await essay.locator('b, strong').first().textContent()).toBe('evaporates');
    await page.keyboard.press('Tab');

    // 4. Matching: one drop-down per country, moved with the arrow keys. The hostile prompt is inert.
    await chooseWithKeys(page, q(4).getByLabel('France'), 'Paris');
    await chooseWithKeys(page, q(4).getByLabel('Japan'), 'Tokyo');
    expect(await q(4).locator('img').count()).toBe(1);
    expect(await q(4).locator('img[onerror], script').count()).toBe(0);

    // 5. Ordering: Move up with Enter until Mercury, Venus, Earth, Mars; focus stays on the moved item.
    const order = () => q(5).locator('ol.ordering li .ordering-text').allTextContents();
    const wanted = ['Mercury', 'Venus', 'Earth', 'Mars'];
    for (let target = 0; target < wanted.length; target++) {
      let at = (await order()).indexOf(wanted[target]!);
      while (at > target) {
        const up = q(5).getByRole('button', { name: `Move up: ${wanted[target]}` });
        await up.focus();
        await page.keyboard.press('Enter');
        at -= 1;
        await q(5)
          .getByRole('status')
          .getByText(`${wanted[target]} moved to position ${at + 1} of 4.`)
          .waitFor();
        if (at > 0) expect(await up.evaluate((b) => b === document.activeElement)).toBe(true);
      }
    }
    if ((await q(5).getByRole('button', { name: 'Answer with this order' }).count()) > 0) {
      await q(5).getByRole('button', { name: 'Answer with this order' }).press('Enter');
    }
    expect(await order()).toEqual(wanted);

    // 6. Fill in the blanks: a typed gap and a drop-down gap, each labelled by its number.
    await q(6).getByLabel('Gap 1').focus();
    await page.keyboard.type('rome');
    await chooseWithKeys(page, q(6).getByLabel('Gap 2'), 'Tokyo');

    // Every answer reaches PostgreSQL (the last one, the drop-down, is sent at once), and the page says so.
    const savedRows = async () =>
      (
        await db.query<{ type: string; response: unknown }>(
          `select q.type, a.response from answers a join questions q on q.id = a.question_id
            where a.attempt_id = $1 and a.response is not null order by q.position`,
          [attemptId],
        )
      ).rows;
    await expect
      .poll(async () => (await savedRows()).at(5)?.response, { timeout: 10_000 })
      .toEqual({
        gaps: [
          { gapId: '1', value: 'rome' },
          { gapId: '2', value: 't' },
        ],
      });
    await page.locator('.exam-save-state').getByText('All answers saved').waitFor();
    const saved = { rows: await savedRows() };
    expect(saved.rows.map((r) => r.type)).toEqual([
      'short_answer',
      'numeric',
      'essay',
      'matching',
      'ordering',
      'fill_blanks',
    ]);
    expect(saved.rows[0]!.response).toEqual({ text: '  paris ' });
    expect(saved.rows[1]!.response).toEqual({ value: 0.251, unit: null });
    expect(String((saved.rows[2]!.response as { html: string }).html)).toContain('<strong>evaporates</strong>');
    expect(saved.rows[3]!.response).toEqual({
      pairs: [
        { stemId: 's1', choiceId: 'c1' },
        { stemId: 's2', choiceId: 'c2' },
      ],
    });
    expect(saved.rows[4]!.response).toEqual({ order: ['a', 'b', 'c', 'd'] });

    expect(await page.evaluate(() => (window as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('.katex').count()).toBeGreaterThan(0);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Submit exam' }).click();
    const dialog = page.getByRole('dialog', { name: 'Submit your exam?' });
    await dialog.getByText('You answered all 6 questions.').waitFor();
    await dialog.getByRole('button', { name: 'Submit exam' }).click();
    await page.getByRole('heading', { name: 'Your exam is submitted', level: 1 }).waitFor();

    // The grading worker's job, run here.
    const grading = createDb(databaseUrl, 1);
    try {
      await gradeAttempt(grading.db, attemptId);
    } finally {
      await grading.pool.end();
    }
    const graded = await db.query<{ type: string; points: number | null; manual: boolean }>(
      `select q.type, a.points_awarded::float as points, a.needs_manual as manual
         from answers a join questions q on q.id = a.question_id where a.attempt_id = $1 order by q.position`,
      [attemptId],
    );
    expect(graded.rows).toEqual([
      { type: 'short_answer', points: 1, manual: false },
      { type: 'numeric', points: 1, manual: false },
      { type: 'essay', points: 0, manual: true },
      { type: 'matching', points: 1, manual: false },
      { type: 'ordering', points: 1, manual: false },
      { type: 'fill_blanks', points: 1, manual: false },
    ]);
  });
});
