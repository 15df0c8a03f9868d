// The lobby of an exam that uses the camera, in Chromium with a fake camera: the consent
// panel comes before the camera opens, then a live preview with the detector's verdict and,
// in identity mode, the reference; the attempt row holds the consent and (identity) the
// face description. No face: the verdict says what to do. A refused camera follows the
// exam's policy: block keeps Start disabled with the reason, alert starts and raises a
// camera_denied event. Consent, camera button and Start work by keyboard; axe-core finds
// nothing serious.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { APIRequestContext, Browser, BrowserContext, Page } from 'playwright-core';
import { launchWithCamera } from './fake-camera.ts';
import {
  THREE_QUESTIONS,
  apiAs,
  enterWithCode,
  invite,
  newAccount,
  publishedExam,
  shot,
  stamp,
  type Account,
} from './seed.ts';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const FIRST_QUESTION = THREE_QUESTIONS[0][0];

/** Serious or critical axe-core violations on the page, as "rule: selector" lines. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate<string[]>(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`,
  );
}

/** Presses Tab until `name`'s control has the focus (at most 40 times). */
async function tabTo(page: Page, label: RegExp) {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el) return '';
      const byLabel = el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : '';
      return `${byLabel ?? ''} ${el.textContent ?? ''}`.trim();
    });
    if (label.test(focused)) return;
  }
  throw new Error(`Tab never reached ${label}`);
}

describe('the camera check in the lobby', { timeout: 120_000 }, () => {
  let teacher: Account;
  let api: APIRequestContext;
  let db: pg.Client;
  let presenceBlock: string;
  let identityAlert: string;
  const browsers: Browser[] = [];
  const contexts: BrowserContext[] = [];
  const tag = stamp();

  async function studentPage(browser: Browser, examId: string, name: string) {
    const email = `${name.toLowerCase().replace(/\W/g, '')}-${stamp()}@pupils.example`;
    const code = await invite(api, examId, email, name);
    // bypassCSP only so axe-core can be injected; the page's own scripts run under the CSP.
    const context = await browser.newContext({
      baseURL: inject('baseUrl'),
      viewport: { width: 1100, height: 900 },
      bypassCSP: true,
    });
    context.setDefaultTimeout(20_000);
    contexts.push(context);
    // Every stream the page opens, so the test can see the lobby's camera released.
    await context.addInitScript(() => {
      const w = window as unknown as { streams: MediaStream[] };
      w.streams = [];
      const open = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = async (c) => {
        const stream = await open(c);
        w.streams.push(stream);
        return stream;
      };
    });
    const page = await context.newPage();
    await enterWithCode(page, email, code);
    await page.waitForURL(/\/attempts\/[0-9a-f-]+$/);
    await page.getByRole('heading', { name: 'Camera check', level: 2 }).waitFor();
    return { page, attemptId: page.url().split('/').pop()! };
  }

  async function consentAndTurnOn(page: Page) {
    await page.getByLabel('I have read this').check();
    await page.getByRole('button', { name: 'Turn on my camera' }).click();
  }

  const attemptRow = async (id: string) =>
    (
      await db.query<{
        camera_consent_at: Date | null;
        camera_state: string | null;
        face_verification_completed: boolean;
        ref_len: number | null;
      }>(
        `select camera_consent_at, camera_state, face_verification_completed, array_length(face_reference, 1) as ref_len
           from attempts where id = $1`,
        [id],
      )
    ).rows[0]!;

  beforeAll(async () => {
    teacher = await newAccount('teacher');
    api = await apiAs(teacher);
    presenceBlock = await publishedExam(
      api,
      {
        title: `Camera presence ${tag}`,
        proctoring: { enabled: true, camera: { mode: 'presence', deniedPolicy: 'block', retentionDays: 14 } },
      },
      THREE_QUESTIONS,
    );
    identityAlert = await publishedExam(
      api,
      {
        title: `Camera identity ${tag}`,
        proctoring: { enabled: true, camera: { mode: 'identity', deniedPolicy: 'alert', evidence: true } },
      },
      THREE_QUESTIONS,
    );
    db = new pg.Client({ connectionString: inject('databaseUrl') });
    await db.connect();
  }, 60_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    for (const b of browsers) await b.close();
    await api?.dispose();
    await db?.end();
  });

  it('one face: consent by keyboard, a ready verdict, Start; identity keeps the face description', async () => {
    const browser = await launchWithCamera('one');
    browsers.push(browser);

    // Presence, block: the consent panel says what is processed and kept before any camera opens.
    const { page, attemptId } = await studentPage(browser, presenceBlock, 'Ada Camera');
    const panel = page.getByRole('region', { name: 'Camera check' });
    await panel.getByText('On this device only: whether a face is in view').waitFor();
    await panel.getByText('contest a flag through your attempt').waitFor();
    expect(await page.locator('video').count()).toBe(0);
    const start = page.getByRole('button', { name: 'Start exam' });
    expect(await start.isDisabled()).toBe(true);
    await page.getByText('Turn on your camera and pass the camera check above before you start.').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'lobby-camera-consent');

    // Keyboard only: the camera button first says what is missing, then the checkbox, then the button.
    await tabTo(page, /Turn on my camera/);
    await page.keyboard.press('Enter');
    await page.getByText('Tick “I have read this” first.').waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('lobby-camera-consent');
    await page.keyboard.press('Space');
    await tabTo(page, /Turn on my camera/);
    await page.keyboard.press('Enter');

    await page.getByText('One face, well lit: ready').waitFor({ timeout: 30_000 });
    await page.getByRole('status').filter({ hasText: 'Camera check passed: you can start the exam.' }).waitFor();
    await expect.poll(() => start.isEnabled()).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'lobby-camera-ready');
    const row = await attemptRow(attemptId);
    expect(row.camera_consent_at).not.toBeNull();
    expect(row.camera_state).toBe('on');
    expect(row.face_verification_completed).toBe(false);
    expect(row.ref_len).toBeNull();

    await tabTo(page, /Start exam/);
    await page.keyboard.press('Enter');
    await page.getByRole('group', { name: FIRST_QUESTION }).waitFor();
    // The lobby's camera is released (the exam page opens its own).
    await expect
      .poll(() =>
        page.evaluate(() =>
          (window as unknown as { streams: MediaStream[] }).streams[0]!.getTracks().every(
            (t) => t.readyState === 'ended',
          ),
        ),
      )
      .toBe(true);

    // Identity: the reference step, then the attempt holds a 1024-number description.
    const second = await studentPage(browser, identityAlert, 'Ida Camera');
    await second.page.getByText('a description of your face compared with the one taken in this lobby').waitFor();
    await second.page.getByText('one small, low-resolution picture per alert').waitFor();
    await consentAndTurnOn(second.page);
    await second.page.getByText('One face, well lit: ready').waitFor({ timeout: 30_000 });
    await second.page.getByRole('button', { name: 'Take my reference' }).click();
    await second.page
      .getByRole('status')
      .filter({ hasText: 'Reference taken and camera check passed: you can start the exam.' })
      .waitFor();
    const identityRow = await attemptRow(second.attemptId);
    expect(identityRow.camera_consent_at).not.toBeNull();
    expect(identityRow.face_verification_completed).toBe(true);
    expect(identityRow.ref_len).toBe(1024);
    await second.page.getByRole('button', { name: 'Start exam' }).click();
    await second.page.getByRole('group', { name: FIRST_QUESTION }).waitFor();
  });

  it('no face: the verdict says what to do; when the proctor opens the hall, the start gate says it too', async () => {
    const browser = await launchWithCamera('none');
    browsers.push(browser);
    const together = await publishedExam(
      api,
      {
        title: `Camera together ${tag}`,
        startMode: 'proctor',
        proctoring: { enabled: true, camera: { mode: 'presence', deniedPolicy: 'block' } },
      },
      THREE_QUESTIONS,
    );
    const { page, attemptId } = await studentPage(browser, together, 'Noa Camera');
    await consentAndTurnOn(page);
    await page.getByText('No face found: move into the light and face the screen').waitFor({ timeout: 30_000 });
    expect(await seriousViolations(page)).toEqual([]);
    expect(await page.getByRole('button', { name: 'Start exam' }).isDisabled()).toBe(true);
    expect((await attemptRow(attemptId)).camera_state).toBeNull();

    // The hall opens: this page tries to start, and the 409 camera_check_required says what to do.
    expect((await api.post(`/api/exams/${together}/hall/open`)).status()).toBe(200);
    await page
      .getByRole('alert')
      .filter({ hasText: 'This exam needs your camera. Read what the camera check does' })
      .waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('lobby-problem');
    expect((await db.query(`select status from attempts where id = $1`, [attemptId])).rows[0].status).toBe(
      'not_started',
    );
  });

  it('a refused camera: block keeps Start disabled with the reason; alert starts and raises camera_denied', async () => {
    const browser = await launchWithCamera('one', { deny: true });
    browsers.push(browser);

    const blocked = await studentPage(browser, presenceBlock, 'Bo Camera');
    await consentAndTurnOn(blocked.page);
    // The browser really refused (not "no camera"): the page names the permission to change.
    await blocked.page.getByText('Your browser refused the camera.').waitFor();
    await blocked.page.getByText('This exam cannot start without the camera.').waitFor();
    await blocked.page
      .getByText('This exam needs your camera: allow it in your browser and run the camera check again')
      .waitFor();
    expect(await blocked.page.getByRole('button', { name: 'Start exam' }).isDisabled()).toBe(true);
    expect(await blocked.page.locator('video').count()).toBe(0);
    expect((await attemptRow(blocked.attemptId)).camera_state).toBe('denied');
    expect(await seriousViolations(blocked.page)).toEqual([]);
    await shot(blocked.page, 'lobby-camera-denied');

    const allowed = await studentPage(browser, identityAlert, 'Al Camera');
    await consentAndTurnOn(allowed.page);
    await allowed.page
      .getByText('You may start without it: your proctors will see that your camera was off.')
      .waitFor();
    await allowed.page.getByRole('button', { name: 'Start exam' }).click();
    await allowed.page.getByRole('group', { name: FIRST_QUESTION }).waitFor();
    await expect
      .poll(
        async () =>
          (
            await db.query(`select 1 from proctoring_events where attempt_id = $1 and type = 'camera_denied'`, [
              allowed.attemptId,
            ])
          ).rowCount,
      )
      .toBeGreaterThan(0);
  });
});
