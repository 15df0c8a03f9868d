// The proctor's tools for the whole hall in a real browser, with two students taking the
// exam in their own browser contexts: a message to everyone, pause-all with a reason
// (confirmed with the count) and resume-all reach both; an extension is announced on the
// student's page; a private note survives a reload and never reaches the student; time
// taken away is announced; several alerts are acknowledged in one go.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import type { APIRequestContext, Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from './chromium.ts';
import {
  apiAs,
  enterWithCode,
  invite,
  newAccount,
  publishedExam,
  signedInPage,
  stamp,
  switchTabAndBack,
} from './seed.ts';

const baseUrl = inject('baseUrl');
const databaseUrl = inject('databaseUrl');

const tag = stamp();
const examTitle = `Hall bulk ${tag}`;

describe('a proctor acts on the whole hall', { timeout: 120_000 }, () => {
  let browser: Browser;
  let teacher: APIRequestContext;
  let db: pg.Client;
  let proctor: BrowserContext;
  let hall: Page;
  const contexts: BrowserContext[] = [];
  const pages: Page[] = [];
  let examId = '';
  const invited: { email: string; code: string; name: string }[] = [];

  beforeAll(async () => {
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    browser = await launchBrowser();
    const owner = await newAccount('teacher');
    teacher = await apiAs(owner);
    examId = await publishedExam(teacher, { title: examTitle, proctoring: { enabled: true } }, [
      ['Which planet is known as the Red Planet?', ['Venus', 'Mars']],
    ]);
    for (const name of ['Cleo Duarte', 'Dan Eide']) {
      const email = `${name.split(' ')[0]!.toLowerCase()}-${tag}@pupils.example`;
      invited.push({ email, name, code: await invite(teacher, examId, email, name) });
    }

    for (const s of invited) {
      const ctx = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1000, height: 900 } });
      ctx.setDefaultTimeout(15_000);
      contexts.push(ctx);
      const page = await ctx.newPage();
      await enterWithCode(page, s.email, s.code);
      await page.getByRole('button', { name: 'Start exam' }).click();
      await page.getByRole('group', { name: 'Which planet is known as the Red Planet?' }).waitFor();
      // The live region repeats the visible line 800 ms later: both then hold the text.
      await page.getByRole('status').filter({ hasText: 'All answers saved' }).first().waitFor();
      pages.push(page);
    }

    ({ context: proctor, page: hall } = await signedInPage(browser, owner));
    await hall.goto(`/hall/${examId}`);
    await hall.getByText('Live', { exact: true }).waitFor();
    await hall.getByText('2 of 2 shown; 2 in progress').waitFor();
  }, 90_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await proctor?.close();
    await teacher?.dispose();
    await browser?.close();
    await db?.end();
  });

  const everyone = () => hall.getByRole('region', { name: 'Everyone' });

  it('messages everyone, and both students see it', async () => {
    await everyone().getByLabel('Message to everyone').fill('Ten minutes until the break.');
    await everyone().getByRole('button', { name: 'Send to everyone' }).click();
    await hall.getByRole('status').filter({ hasText: 'Message sent to 2 students.' }).waitFor();
    for (const page of pages)
      await page
        .getByRole('log', { name: 'Messages from the proctor' })
        .getByText('Ten minutes until the break.')
        .waitFor();
  });

  it('pauses everyone with a reason after a confirmation naming the count, then resumes them', async () => {
    await everyone().getByLabel('Reason for pausing everyone').fill('Fire alarm: stay seated');
    await everyone().getByRole('button', { name: 'Pause all (2)' }).click();
    const confirm = hall.getByRole('dialog', { name: 'Pause 2 running attempts?' });
    await confirm.getByText('Fire alarm: stay seated').waitFor();
    // Cancel changes nothing.
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'hidden' });
    const running = await db.query(
      "select count(*)::int as n from attempts where exam_id = $1 and status = 'in_progress'",
      [examId],
    );
    expect(running.rows[0].n).toBe(2);

    await everyone().getByRole('button', { name: 'Pause all (2)' }).click();
    await confirm.getByRole('button', { name: 'Pause 2' }).click();
    await hall.getByRole('status').filter({ hasText: 'Paused 2 attempts.' }).waitFor();
    for (const page of pages) {
      const banner = page.getByRole('status').filter({ hasText: 'Paused by the proctor.' });
      await banner.getByText('Reason: Fire alarm: stay seated').waitFor();
      expect(await page.getByRole('radio', { name: 'Mars' }).isDisabled()).toBe(true);
    }
    await hall.getByText('0 in progress; 0 disconnected; 2 paused').waitFor();

    await everyone().getByRole('button', { name: 'Resume all (2)' }).click();
    await hall
      .getByRole('dialog', { name: 'Resume 2 paused attempts?' })
      .getByRole('button', { name: 'Resume 2' })
      .click();
    await hall.getByRole('status').filter({ hasText: 'Resumed 2 attempts' }).waitFor();
    for (const page of pages) {
      await page.getByText('The proctor resumed your exam.').first().waitFor();
      expect(await page.getByText('Reason: Fire alarm').count()).toBe(0);
    }
    const audit = await db.query<{ action: string; n: number }>(
      `select action, count(*)::int as n from audit_logs
        where target_id in (select id::text from attempts where exam_id = $1) group by action order by action`,
      [examId],
    );
    expect(audit.rows).toEqual(
      expect.arrayContaining([
        { action: 'hall.pause', n: 2 },
        { action: 'hall.resume', n: 2 },
      ]),
    );
  });

  it('announces an extension on the student’s page', async () => {
    const row = hall
      .getByRole('table', { name: /^Participants/ })
      .getByRole('row')
      .filter({ has: hall.getByRole('rowheader', { name: /Cleo Duarte/ }) });
    await row.getByRole('button', { name: 'Actions for Cleo Duarte' }).click();
    const panel = hall.getByRole('region', { name: 'Cleo Duarte' });
    await panel.getByLabel('Extra minutes').fill('10');
    await panel.getByRole('button', { name: 'Extend time' }).click();
    await pages[0]!.getByRole('status').filter({ hasText: 'Your time was extended by 10 minutes.' }).waitFor();
    await panel.getByRole('button', { name: /^Close/ }).click();
  });

  it('keeps a private note that survives a reload, and takes time away with the student told', async () => {
    const openPanel = async () => {
      const row = hall
        .getByRole('table', { name: /^Participants/ })
        .getByRole('row')
        .filter({ has: hall.getByRole('rowheader', { name: /Cleo Duarte/ }) });
      await row.getByRole('button', { name: 'Actions for Cleo Duarte' }).click();
      return hall.getByRole('region', { name: 'Cleo Duarte' });
    };
    let panel = await openPanel();
    const note = 'Asked for a calculator at 10:05; told no.';
    await panel.getByText('No note yet.').waitFor();
    await panel.getByLabel('Note about Cleo Duarte').fill(note);
    await panel.getByRole('button', { name: 'Save note' }).click();
    await panel.getByRole('status').filter({ hasText: 'Note about Cleo Duarte saved.' }).waitFor();

    await hall.reload();
    await hall.getByText('Live', { exact: true }).waitFor();
    panel = await openPanel();
    await panel.getByText(/^Last saved .+ by /).waitFor();
    expect(await panel.getByLabel('Note about Cleo Duarte').inputValue()).toBe(note);

    // More than can be taken: the refusal says how much may be, and nothing reaches the student.
    await panel.getByLabel('Extra minutes').fill('600');
    await panel.getByRole('button', { name: 'Take time away' }).click();
    await panel
      .getByRole('alert')
      .filter({ hasText: /^Taking 600 minutes would leave less than 1 minute/ })
      .waitFor();
    await panel.getByLabel('Extra minutes').fill('5');
    await panel.getByRole('button', { name: 'Take time away' }).click();
    await hall.getByRole('status').filter({ hasText: 'Took 5 minutes from Cleo Duarte' }).waitFor();
    const student = pages[0]!;
    await student.getByRole('status').filter({ hasText: 'Your proctor took 5 minutes from your time.' }).waitFor();
    // The notice came after the note was saved: the note never reached the student's page.
    expect(await student.getByText('calculator').count()).toBe(0);
    expect(await student.getByText(/shortened|took 600/).count()).toBe(0);
    const audit = await db.query<{ details: Record<string, unknown> }>(
      `select details from audit_logs where action = 'hall.note_saved'
        and target_id in (select id::text from attempts where exam_id = $1)`,
      [examId],
    );
    expect(audit.rows).toHaveLength(1);
    expect(JSON.stringify(audit.rows)).not.toContain('calculator');
    await panel.getByRole('button', { name: /^Close/ }).click();
  });

  it('acknowledges several alerts at once', async () => {
    for (const page of pages) await switchTabAndBack(page);
    const alerts = hall.getByRole('region', { name: /^Alerts/ });
    const selectAll = alerts.getByRole('checkbox', { name: /Select all shown/ });
    await expect
      .poll(async () => Number((await alerts.getByText(/\d+ open/).textContent())?.split(' ')[0]))
      .toBeGreaterThanOrEqual(2);
    const open = (
      await db.query("select id from proctoring_events where exam_id = $1 and review_status = 'open'", [examId])
    ).rows;
    expect(open.length).toBeGreaterThanOrEqual(2);

    await selectAll.check();
    await alerts.getByRole('button', { name: `Acknowledge selected (${open.length})` }).click();
    await alerts.getByText('No open alerts.').waitFor();
    await hall
      .getByRole('status')
      .filter({ hasText: `Acknowledged ${open.length} alerts.` })
      .waitFor();
    const left = await db.query(
      'select review_status, count(*)::int as n from proctoring_events where exam_id = $1 group by review_status',
      [examId],
    );
    expect(left.rows).toEqual([{ review_status: 'acknowledged', n: open.length }]);
    const audit = await db.query(
      "select count(*)::int as n from audit_logs where action = 'alert.acknowledged' and target_id = any($1::text[])",
      [open.map((o) => o.id)],
    );
    expect(audit.rows[0].n).toBe(open.length);
  });
});
