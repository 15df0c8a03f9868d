// Camera proctoring on the exam page, with Chromium's fake camera showing a steady scene
// built from photographs (fake-camera.ts): one face raises nothing while the exam is used
// by keyboard alone; no face, two faces and a turned head each raise their alert with a
// confidence, and one of them sends its evidence frame; a different person than the
// reference raises face_mismatch. Every request the pages make goes to the server itself.
// Scenarios run at once, each in its own Chromium; the exams use 2-second thresholds.
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import pg from 'pg';
import type { APIRequestContext, Browser, BrowserContext, Page } from 'playwright-core';
import { cameraSignalTypes, FACE_MATCH_THRESHOLD, type CameraSettings } from '@exam-hall/protocol';
import { launchWithCamera, type CameraScene } from './fake-camera.ts';
import { apiAs, enterWithCode, invite, newAccount, publishedExam, stamp, THREE_QUESTIONS } from './seed.ts';

const baseUrl = inject('baseUrl');
const databaseUrl = inject('databaseUrl');
const origin = new URL(baseUrl).origin;

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate<string[]>(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`,
  );
}

/** Checks the detector must have done before "nothing happened" means something: 6 s at 2 a second, thresholds are 2 s. */
const QUIET_CHECKS = 12;

/** Polls `read` until `ok` holds of its value; answers that value (concurrent tests cannot share expect.poll). */
async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 45_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T = await read();
  while (!ok(last)) {
    if (Date.now() > end) throw new Error(`${what}: still ${JSON.stringify(last)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
    last = await read();
  }
  return last;
}

type Student = { browser: Browser; context: BrowserContext; page: Page; attemptId: string };
type EventRow = { id: string; type: string; confidence: number | null; details: Record<string, unknown> };

// Five Chromiums checking their cameras at once on a small shared machine: generous timeouts; about 60-90 s in all.
describe('camera proctoring on the exam page', { timeout: 150_000 }, () => {
  let db: pg.Pool;
  let teacher: APIRequestContext;
  const browsers: Browser[] = [];

  const camera = (mode: CameraSettings['mode']): Partial<CameraSettings> => ({
    mode,
    evidence: true,
    retentionDays: 7,
    deniedPolicy: 'alert',
    noFaceSeconds: 2,
    lookAwaySeconds: 2,
    lookAwayDegrees: 30,
  });

  async function cameraExam(mode: CameraSettings['mode']): Promise<string> {
    return publishedExam(
      teacher,
      { title: `Camera ${mode} ${stamp()}`, proctoring: { enabled: true, camera: camera(mode) } },
      THREE_QUESTIONS,
    );
  }

  /** A new student in the lobby of the exam, in a Chromium whose camera shows `scene`. */
  async function inLobby(
    scene: CameraScene,
    examId: string,
    watch?: (context: BrowserContext) => void,
    deny = false,
    /** Only where axe-core is injected; elsewhere the pages run under their own CSP, as students' do. */
    bypassCSP = false,
  ) {
    const browser = await launchWithCamera(scene, { deny });
    browsers.push(browser);
    const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 }, bypassCSP });
    context.setDefaultTimeout(30_000);
    watch?.(context);
    const page = await context.newPage();
    const email = `cam-${scene}-${stamp()}@pupils.example`;
    const code = await invite(teacher, examId, email, `Cam ${scene}`);
    await enterWithCode(page, email, code);
    await page.waitForURL(/\/attempts\/[0-9a-f-]{36}$/);
    const attemptId = new URL(page.url()).pathname.split('/').pop()!;
    return { browser, context, page, attemptId };
  }

  /**
   * The lobby's consent and camera check, then Start. `ui`: the lobby's own check (consent,
   * the live check; in identity mode the reference); `api`: the check's outcome posted as the
   * lobby would have (a scene without one face cannot pass the lobby's check).
   */
  async function startExam(s: Student, via: 'ui' | 'api', identity = false, state = 'ready'): Promise<void> {
    if (via === 'ui') {
      const { page } = s;
      await page.getByLabel('I have read this').check();
      await page.getByRole('button', { name: 'Turn on my camera' }).click();
      const passed = page.getByRole('status').filter({ hasText: /camera check passed/i });
      if (identity) {
        // The detector's first checks after loading may see nothing yet: take it again until it is taken.
        const take = page.getByRole('button', { name: 'Take my reference' });
        await until(
          'reference taken',
          async () => {
            if (await take.isVisible()) await take.click().catch(() => undefined);
            return passed.isVisible();
          },
          (v) => v,
        );
      }
      await passed.waitFor();
      await page.getByRole('button', { name: 'Start exam' }).click();
      await page.getByRole('timer').waitFor();
      return;
    }
    const res = await s.page.request.post(`/api/attempts/${s.attemptId}/camera-check`, {
      data: { consent: true, state, ...(state === 'ready' ? { faceScore: 0.99 } : {}) },
    });
    if (res.status() !== 200) throw new Error(`camera check: ${res.status()} ${await res.text()}`);
    await s.page.getByRole('button', { name: 'Start exam' }).click();
    await s.page.getByRole('timer').waitFor();
  }

  const checksDone = (page: Page, n: number) =>
    page.waitForFunction(
      (min) => Number(document.querySelector<HTMLElement>('[data-camera-checks]')?.dataset.cameraChecks) >= min,
      n,
      { timeout: 45_000, polling: 200 },
    );

  const events = async (attemptId: string) =>
    (
      await db.query<EventRow>(
        'select id, type, confidence, details from proctoring_events where attempt_id = $1 order by occurred_at',
        [attemptId],
      )
    ).rows;

  /** The first stored event of `type` for the attempt, once it is there. */
  async function eventOf(attemptId: string, type: string): Promise<EventRow> {
    const rows = await until(
      `${type} event`,
      () => events(attemptId),
      (list) => list.some((e) => e.type === type),
    );
    return rows.find((e) => e.type === type)!;
  }

  const cameraState = async (attemptId: string) =>
    (await db.query<{ camera_state: string | null }>('select camera_state from attempts where id = $1', [attemptId]))
      .rows[0]?.camera_state ?? null;

  beforeAll(async () => {
    db = new pg.Pool({ connectionString: databaseUrl, max: 3 });
    teacher = await apiAs(await newAccount('teacher'));
  });

  afterAll(async () => {
    await Promise.all(browsers.map((b) => b.close().catch(() => undefined)));
    await teacher?.dispose();
    await db?.end();
  });

  it.concurrent(
    'one face: nothing is raised, the exam works by keyboard, no request leaves the server',
    async ({ expect, onTestFinished }) => {
      const examId = await cameraExam('presence');
      const requests: string[] = [];
      const sockets: string[] = [];
      const s = await inLobby('one', examId, (context) => {
        context.on('request', (r) => requests.push(r.url()));
        context.on('page', (p) => p.on('websocket', (ws) => sockets.push(ws.url())));
      });
      // A scenario's Chromium stops checking as soon as it is done: the others get the CPU.
      onTestFinished(() => s.browser.close().catch(() => undefined));
      s.page.on('websocket', (ws) => sockets.push(ws.url()));
      s.page.on('worker', (w) => requests.push(w.url()));
      await startExam(s, 'ui');
      const { page, attemptId } = s;

      const indicator = page.locator('[data-camera-checks]');
      await indicator.getByRole('status').filter({ hasText: 'Camera on · presence checks' }).waitFor();
      await expect.poll(() => cameraState(attemptId), { timeout: 15_000 }).toBe('on');

      // Keyboard only: from the top of the page to the first option, choose Mars, then the next question.
      await page.locator('body').focus();
      let reached = false;
      for (let i = 0; i < 40 && !reached; i++) {
        await page.keyboard.press('Tab');
        reached = await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type === 'radio');
      }
      expect(reached).toBe(true);
      await page.keyboard.press('ArrowDown');
      expect(await page.getByRole('radio', { name: 'Mars' }).isChecked()).toBe(true);
      await page.keyboard.press('Alt+N');
      await expect
        .poll(() => page.evaluate(() => document.activeElement?.textContent ?? ''))
        .toMatch(/^\s*Question 2 of 3/);
      await page.getByRole('group', { name: 'What is the capital of Portugal?' }).waitFor();
      await expect
        .poll(
          async () =>
            (await db.query('select response from answers where attempt_id = $1', [attemptId])).rows.map(
              (r: { response: unknown }) => r.response,
            ),
          { timeout: 15_000 },
        )
        .toEqual([{ optionId: 'b' }]);

      // The disclosure and the self-view toggle work from the keyboard too.
      const summary = indicator.getByText('What is monitored');
      await summary.focus();
      await page.keyboard.press('Enter');
      await indicator.getByText(/no face is seen for more than 2 seconds/).waitFor();
      expect(await indicator.getByText(/one small still picture of that moment/).isVisible()).toBe(true);
      const toggle = indicator.getByRole('button', { name: 'Hide self-view' });
      await toggle.focus();
      await page.keyboard.press('Space');
      expect(await toggle.getAttribute('aria-pressed')).toBe('true');

      // Enough checks for any alert to have fired (the self-view hidden, the checks go on).
      await checksDone(page, QUIET_CHECKS);
      const queued = await page.evaluate((id) => localStorage.getItem(`eh-signals:${id}`), attemptId);
      expect(queued).toBeNull();
      const camera = cameraSignalTypes as readonly string[];
      expect((await events(attemptId)).filter((e) => camera.includes(e.type))).toEqual([]);
      expect(await cameraState(attemptId)).toBe('on');

      // Network: the models and the WASM came from the server itself, and nothing else left.
      expect(requests.some((u) => /\.wasm(\?|$)/.test(u))).toBe(true);
      expect(requests.some((u) => /\/vendor\/.*models?\/.*\.json(\?|$)/.test(u))).toBe(true);
      const foreign = [...requests, ...sockets].filter((u) => {
        const url = new URL(u);
        if (url.protocol === 'blob:' || url.protocol === 'data:') return false;
        return url.origin !== origin && url.origin.replace(/^ws/, 'http') !== origin;
      });
      expect(foreign).toEqual([]);
    },
  );

  it.concurrent(
    'no face: no_face with a confidence, and its evidence frame is uploaded',
    async ({ expect, onTestFinished }) => {
      const examId = await cameraExam('presence');
      const s = await inLobby('none', examId);
      // A scenario's Chromium stops checking as soon as it is done: the others get the CPU.
      onTestFinished(() => s.browser.close().catch(() => undefined));
      await startExam(s, 'api');
      const ev = await eventOf(s.attemptId, 'no_face');
      expect(ev.confidence).toBeGreaterThan(0);
      expect(ev.confidence).toBeLessThanOrEqual(1);
      await expect.poll(() => cameraState(s.attemptId), { timeout: 15_000 }).toBe('no_face');
      await s.page.locator('[data-camera-state="no_face"]').getByText('No face seen').waitFor();
      await expect
        .poll(
          async () =>
            (
              await db.query<{ bytes: number }>(
                'select bytes from proctoring_evidence where event_id = $1 and deleted_at is null',
                [ev.id],
              )
            ).rows,
          { timeout: 20_000 },
        )
        .toEqual([{ bytes: expect.any(Number) }]);
      await expect.poll(() => s.page.locator('[data-camera-frames]').getAttribute('data-camera-frames')).toBe('1');
    },
  );

  it.concurrent(
    'two faces: multi_person with a confidence and the number of faces',
    async ({ expect, onTestFinished }) => {
      const examId = await cameraExam('presence');
      const s = await inLobby('two', examId);
      // A scenario's Chromium stops checking as soon as it is done: the others get the CPU.
      onTestFinished(() => s.browser.close().catch(() => undefined));
      await startExam(s, 'api');
      const ev = await eventOf(s.attemptId, 'multi_person');
      expect(ev.confidence).toBeGreaterThan(0);
      expect(ev.confidence).toBeLessThanOrEqual(1);
      expect(JSON.stringify(ev.details)).toMatch(/"faces":2/);

      // The camera stops (unplugged): camera_off once, the page asks to turn it back on, and it comes back.
      await s.page.evaluate(() => {
        const video = document.querySelector<HTMLVideoElement>('video.camera-self-video');
        for (const track of (video?.srcObject as MediaStream | null)?.getVideoTracks() ?? [])
          track.dispatchEvent(new Event('ended'));
      });
      await s.page.locator('[data-camera-state="off"]').getByText('Camera off').waitFor();
      const off = await eventOf(s.attemptId, 'camera_off');
      expect(off.confidence).toBe(1);
      await expect.poll(() => cameraState(s.attemptId), { timeout: 15_000 }).toBe('off');
      const banner = s.page.getByRole('alert').filter({ hasText: 'Your camera stopped' });
      await banner.getByRole('button', { name: 'Turn the camera back on' }).click();
      await s.page.locator('[data-camera-state="on"]').waitFor();
      await expect.poll(() => cameraState(s.attemptId), { timeout: 15_000 }).toBe('on');
      expect(await banner.count()).toBe(0);
      expect((await events(s.attemptId)).filter((e) => e.type === 'camera_off')).toHaveLength(1);
    },
  );

  it.concurrent('a turned head: gaze_offscreen with a confidence', async ({ expect, onTestFinished }) => {
    const examId = await cameraExam('presence');
    const s = await inLobby('tilted', examId);
    // A scenario's Chromium stops checking as soon as it is done: the others get the CPU.
    onTestFinished(() => s.browser.close().catch(() => undefined));
    await startExam(s, 'api');
    const ev = await eventOf(s.attemptId, 'gaze_offscreen');
    expect(ev.confidence).toBeGreaterThan(0);
    expect(ev.confidence).toBeLessThanOrEqual(1);
  });

  it.concurrent(
    'someone else: face_mismatch with a confidence against the reference taken in the lobby',
    async ({ expect, onTestFinished }) => {
      const examId = await cameraExam('identity');
      // The student takes the reference in the lobby and starts ...
      const first = await inLobby('one', examId);
      await startExam(first, 'ui', true);
      await first.page.locator('[data-camera-state="on"]').waitFor();
      expect(await first.page.getByText('Camera on · presence and identity checks').isVisible()).toBe(true);
      const reference = await db.query<{ n: number }>(
        'select cardinality(face_reference) as n from attempts where id = $1',
        [first.attemptId],
      );
      expect(reference.rows[0]?.n).toBe(1024);
      // ... then someone else sits down at the same browser (its cookies and storage, another camera).
      const state = await first.context.storageState();
      await first.browser.close();
      const other = await launchWithCamera('other');
      browsers.push(other);
      onTestFinished(() => other.close().catch(() => undefined));
      const context = await other.newContext({ baseURL: baseUrl, storageState: state });
      context.setDefaultTimeout(30_000);
      const page = await context.newPage();
      await page.goto(`/attempts/${first.attemptId}`);
      await page.getByRole('timer').waitFor();
      const ev = await eventOf(first.attemptId, 'face_mismatch');
      expect(ev.confidence).toBeGreaterThan(0);
      expect(ev.confidence).toBeLessThanOrEqual(1);
      expect(JSON.stringify(ev.details)).toMatch(/"similarity":0\.\d+/);
      const score = await until(
        'face verification score',
        async () =>
          (
            await db.query<{ s: number | null }>('select face_verification_score as s from attempts where id = $1', [
              first.attemptId,
            ])
          ).rows[0]?.s ?? null,
        (v) => v !== null && v < FACE_MATCH_THRESHOLD,
        20_000,
      );
      expect(score).toBeGreaterThanOrEqual(0);
    },
  );

  it.concurrent(
    'a refused camera: camera_denied, the page says what to do, the exam goes on',
    async ({ expect, onTestFinished }) => {
      const examId = await cameraExam('presence');
      const s = await inLobby('one', examId, undefined, true, true);
      onTestFinished(() => s.browser.close().catch(() => undefined));
      // The lobby told the server the camera was refused; the exam's policy (alert) lets the student start.
      await startExam(s, 'api', false, 'denied');
      await s.page.locator('[data-camera-state="denied"]').getByText('Camera blocked').waitFor();
      await s.page
        .getByRole('alert')
        .filter({ hasText: 'Your browser refused the camera' })
        .getByRole('button', { name: 'Turn the camera back on' })
        .waitFor();
      await expect.poll(() => cameraState(s.attemptId), { timeout: 15_000 }).toBe('denied');
      // The start already recorded camera_denied (atStart); the page sees the same refusal
      // and raises nothing new for it. The page queues a signal the moment it shows the
      // banner, so once its queue is empty anything it raised would be stored.
      await until(
        'the page signal queue drained',
        () => s.page.evaluate((id) => localStorage.getItem(`eh-signals:${id}`), s.attemptId),
        (q) => q === null || q === '[]',
      );
      const denied = (await events(s.attemptId)).filter((e) => e.type === 'camera_denied');
      expect(denied.map((e) => [e.details.atStart, e.confidence])).toEqual([[true, 1]]);
      // The indicator, its disclosure open, and the banner: nothing serious for axe-core.
      const indicator = s.page.locator('[data-camera-checks]');
      await indicator.getByText('What is monitored').click();
      await indicator.getByText(/more than one person is in view/).waitFor();
      expect(await seriousViolations(s.page)).toEqual([]);
      await s.page.getByRole('radio', { name: 'Mars' }).check();
      expect(await s.page.getByRole('radio', { name: 'Mars' }).isChecked()).toBe(true);
    },
  );
});
