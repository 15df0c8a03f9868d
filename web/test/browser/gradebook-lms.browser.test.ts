// The teacher's LMS panels: the "Gradebook (LMS)" panel on an exam's results page (status in
// words, the LMS's error, Resend from the keyboard) and the course page's "LMS roster" (the
// last sync's counts, a failed sync's error, the sync button). The LMS side is seeded in the
// database (the pushes themselves are tested in server/test/integration/lti-grades.test.ts;
// the end-to-end run with the emulator in lti-lms.browser.test.ts). axe-core: nothing serious.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createDb } from '../../../server/src/db/client.ts';
import {
  ltiContexts,
  ltiGradeSyncs,
  ltiPlatforms,
  ltiResourceLinks,
  ltiUsers,
  users,
} from '../../../server/src/db/schema/index.ts';
import { eq } from 'drizzle-orm';
import { launchBrowser } from './chromium.ts';
import { apiAs, newAccount, publishedExam, shot, stamp, THREE_QUESTIONS } from './seed.ts';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const { db, pool } = createDb(inject('databaseUrl'), 2);

async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`,
  ) as Promise<string[]>;
}

const REFUSED =
  "The LMS refused the grade (401: the gradebook is locked): check the platform's registration (client id, token URL, the tool's JWKS URL).";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await pool.end();
});

/** A teacher's exam and course placed in an LMS, with one score sent and one refused, and a synced roster. */
async function lmsWorld() {
  const teacher = await newAccount('teacher');
  const api = await apiAs(teacher);
  const tag = stamp();
  const examId = await publishedExam(api, { title: `LMS quiz ${tag}`, resultsPolicy: 'immediately' }, THREE_QUESTIONS);
  const course = await (await api.post('/api/courses', { data: { name: `LMS course ${tag}` } })).json();
  await api.dispose();
  const [platform] = await db
    .insert(ltiPlatforms)
    .values({
      name: 'School Moodle',
      issuer: `https://lms-${tag}.example`,
      clientId: `client-${tag}`,
      deploymentIds: ['1'],
      authLoginUrl: 'http://127.0.0.1:9/auth',
      accessTokenUrl: 'http://127.0.0.1:9/token',
      jwksUrl: 'http://127.0.0.1:9/jwks',
    })
    .returning();
  const [ctx] = await db
    .insert(ltiContexts)
    .values({
      platformId: platform!.id,
      deploymentId: '1',
      contextId: `ctx-${tag}`,
      title: 'Biology 101',
      courseId: course.id,
      membershipsUrl: 'http://127.0.0.1:9/memberships',
      lineItemsUrl: 'http://127.0.0.1:9/lineitems',
      rosterSyncedAt: new Date(),
      rosterSyncResult: { state: 'done', added: 3, updated: 1, dropped: 0, skipped: 0, total: 5 },
    })
    .returning();
  const [link] = await db
    .insert(ltiResourceLinks)
    .values({ platformId: platform!.id, contextId: ctx!.id, resourceLinkId: `rl-${tag}`, examId, title: 'Unit quiz' })
    .returning();
  const ann = await newAccount('student', `Ann ${tag}`);
  const ben = await newAccount('student', `Ben ${tag}`);
  const ids: string[] = [];
  for (const [i, s] of [ann, ben].entries()) {
    const [u] = await db.select().from(users).where(eq(users.email, s.email));
    ids.push(u!.id);
    await db.insert(ltiUsers).values({ platformId: platform!.id, sub: `sub-${i}-${tag}`, userId: u!.id });
  }
  await db.insert(ltiGradeSyncs).values([
    {
      resourceLinkId: link!.id,
      userId: ids[0]!,
      status: 'sent',
      scoreGiven: 3,
      scoreMaximum: 3,
      tries: 1,
      lastTriedAt: new Date(),
      sentAt: new Date(),
    },
    {
      resourceLinkId: link!.id,
      userId: ids[1]!,
      status: 'failed',
      scoreGiven: 1,
      scoreMaximum: 3,
      tries: 2,
      lastError: REFUSED,
      lastTriedAt: new Date(),
    },
  ]);
  return { teacher, examId, courseId: course.id as string, ctxId: ctx!.id, ann, ben };
}

describe('LMS gradebook and roster panels', () => {
  it('shows each push in words with the LMS’s error, resends from the keyboard, and the roster’s last sync', async () => {
    const w = await lmsWorld();
    // bypassCSP: only so axe-core can be injected; the pages' own scripts run under the CSP as usual.
    const context = await browser.newContext({
      baseURL: inject('baseUrl'),
      bypassCSP: true,
      viewport: { width: 1400, height: 1000 },
    });
    context.setDefaultTimeout(15_000);
    const signIn = await context.request.post('/api/auth/sign-in', {
      data: { email: w.teacher.email, password: w.teacher.password },
      headers: { origin: inject('baseUrl') },
    });
    expect(signIn.status()).toBe(200);
    const page = await context.newPage();
    try {
      await page.goto(`/teach/exams/${w.examId}/results`);
      const panel = page.getByRole('region', { name: 'Gradebook (LMS)' });
      await panel.waitFor();
      await panel.getByText('(1 sent, 0 waiting, 1 not sent)').waitFor();
      const benRow = panel.getByRole('row', { name: new RegExp(w.ben.name) });
      await benRow.getByText('Not sent', { exact: true }).waitFor();
      await benRow.getByText(REFUSED).waitFor();
      const annRow = panel.getByRole('row', { name: new RegExp(w.ann.name) });
      await annRow.getByText('In the LMS gradebook').waitFor();
      expect(await annRow.getByRole('cell', { name: '3 / 3' }).count()).toBe(1);
      expect(await seriousViolations(page)).toEqual([]);
      await shot(page, 'gradebook-lms-failed');

      // Keyboard: the Resend button is reachable and Enter sends it again.
      const resend = panel.getByRole('button', { name: `Resend the score of ${w.ben.name}` });
      await resend.focus();
      await page.keyboard.press('Enter');
      await panel
        .getByRole('status')
        .filter({ hasText: `The score of ${w.ben.name} is being sent again.` })
        .waitFor();
      await benRow.getByText('Waiting to send').waitFor();

      await page.goto(`/teach/courses/${w.courseId}`);
      const roster = page.getByRole('region', { name: 'LMS roster' });
      await roster
        .getByText(
          /Synced from “Biology 101” \(School Moodle\) on .+: 3 people added, 1 updated, 0 dropped, of 5 members/,
        )
        .waitFor();
      expect(await seriousViolations(page)).toEqual([]);

      // A failed sync says why.
      await db
        .update(ltiContexts)
        .set({
          rosterSyncResult: {
            state: 'failed',
            error: "Could not reach the LMS's token endpoint at 127.0.0.1:9 (connection failed). It will be retried.",
          },
        })
        .where(eq(ltiContexts.id, w.ctxId));
      await page.reload();
      await roster.getByText(/The last sync from “Biology 101” \(School Moodle\) failed: Could not reach/).waitFor();
      const sync = roster.getByRole('button', { name: 'Sync roster from the LMS' });
      await sync.focus();
      await page.keyboard.press('Enter');
      await roster.getByRole('status').filter({ hasText: 'Syncing the roster from the LMS…' }).waitFor();
      await roster.getByRole('button', { name: 'Syncing…' }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await shot(page, 'gradebook-lms-roster');
    } finally {
      await context.close();
    }
  });
});
