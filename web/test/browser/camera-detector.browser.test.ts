// The on-device detector on each fake camera scene, through the public camera-check page:
// one face, two, a tilted head, and someone else against a photo of the astronaut (the empty
// scene's verdict is checked on the same component in the lobby: lobby-camera.browser.test.ts).
// Every request the page makes goes to our own server (the models and WASM included), and
// the page passes axe-core. The scenes run in parallel, one Chromium each.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { FACE_MATCH_THRESHOLD, DEFAULT_CAMERA_SETTINGS } from '@exam-hall/protocol';
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { launchWithCamera, type CameraScene } from './fake-camera.ts';

const baseUrl = inject('baseUrl');
const origin = new URL(baseUrl).origin;
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const ASTRONAUT = fileURLToPath(new URL('../../../.tools/faces/astronaut.png', import.meta.url));

type Run = { page: Page; requests: string[]; errors: string[] };
const browsers: Browser[] = [];

/** The camera-check page in a Chromium whose camera shows `scene`, the detector running. */
async function open(scene: CameraScene, bypassCSP = false): Promise<Run> {
  const browser = await launchWithCamera(scene);
  browsers.push(browser);
  const context = await browser.newContext({ baseURL: baseUrl, bypassCSP });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/camera-check');
  await page.getByRole('button', { name: 'Start the camera check' }).click();
  await page.getByRole('heading', { name: 'What the detector sees' }).waitFor();
  return { page, requests, errors };
}

/** Waits until the detector has made `n` more checks, then reads what the last one saw. */
async function afterChecks(page: Page, n: number) {
  const start = Number(await page.getByTestId('checks').textContent());
  await page.waitForFunction(
    (target) => Number(document.querySelector('[data-testid="checks"]')?.textContent) >= target,
    start + n,
  );
  return {
    faces: Number(await page.getByTestId('faces').textContent()),
    angle: Number((await page.getByTestId('angle').textContent())?.replace('°', '')),
    verdict: (
      await page
        .getByRole('status')
        .filter({ hasText: /face|ready|Checking/ })
        .first()
        .textContent()
    )?.trim(),
  };
}

async function similarityToAstronaut(page: Page): Promise<number> {
  await page.getByLabel('Photo of you').setInputFiles(ASTRONAUT);
  await page.getByText('Photo read.').waitFor();
  const sim = page.getByTestId('similarity');
  await page.waitForFunction(() => document.querySelector('[data-testid="similarity"]')?.getAttribute('data-value'));
  return Number(await sim.getAttribute('data-value'));
}

afterAll(async () => {
  await Promise.all(browsers.map((b) => b.close()));
});

describe('the camera detector on the student’s device', { timeout: 60_000 }, () => {
  // Launched together: each scene's Chromium loads the models while the others do.
  const runs = Promise.all(
    (['one', 'two', 'tilted', 'other'] as const).map(async (s) => [s, await open(s, s === 'one')] as const),
  ).then((all) => new Map<CameraScene, Run>(all));
  const run = async (s: CameraScene) => (await runs).get(s)!;
  // --deny-permission-prompts: getUserMedia fails with NotAllowedError, as when a student clicks Block.
  const denying = launchWithCamera('one', { deny: true }).then((b) => (browsers.push(b), b));

  it('sees one face and says ready; the rules raise nothing', async () => {
    const { page } = await run('one');
    const seen = await afterChecks(page, 4);
    expect(seen.faces).toBe(1);
    expect(seen.angle).toBeLessThan(15);
    await page.getByText('One face, well lit: ready').waitFor();
    // Four checks in, with multi_person due on the second: the rules flagged nothing.
    expect((await page.getByTestId('flags').textContent())?.trim()).toBe('Nothing so far.');
  });

  it('sees two faces when two people are in view', async () => {
    const { page } = await run('two');
    expect((await afterChecks(page, 4)).faces).toBe(2);
    await page.getByText('2 faces: only you may be in view').waitFor();
    await page
      .getByTestId('flags')
      .getByText(/^More than one person in view \(confidence \d+ %\)$/)
      .waitFor();
  });

  it('measures a head tilted 45 degrees as turned beyond 30', async () => {
    const { page } = await run('tilted');
    const seen = await afterChecks(page, 4);
    expect(seen.faces).toBe(1);
    expect(seen.angle).toBeGreaterThan(30);
    await page.getByText('Your head is turned: face the screen').waitFor();
  });

  it('tells the astronaut from someone else by the face description', async () => {
    const [same, other] = await Promise.all([
      run('one').then((r) => similarityToAstronaut(r.page)),
      run('other').then((r) => similarityToAstronaut(r.page)),
    ]);
    expect(same).toBeGreaterThanOrEqual(FACE_MATCH_THRESHOLD);
    expect(other).toBeLessThan(FACE_MATCH_THRESHOLD);
    await (await run('other')).page.getByText('(not the same person)').waitFor();
    await (await run('one')).page.getByText('(the same person)').waitFor();
    // Two described checks under the threshold (one every 3 s) raise face_mismatch.
    await (
      await run('other')
    ).page
      .getByTestId('flags')
      .getByText(/^Someone other than the person in the photo \(confidence \d+ %\)$/)
      .waitFor();
  });

  it('says what to do when the browser refuses the camera', async () => {
    const page = await (await denying).newPage({ baseURL: baseUrl });
    await page.goto('/camera-check');
    await page.getByRole('button', { name: 'Start the camera check' }).click();
    await page
      .getByRole('alert')
      .getByText(/not allowed to use the camera\. Allow the camera for this site/)
      .waitFor();
    await page.getByRole('button', { name: 'Try again' }).waitFor();
  });

  it('fetched everything from its own server, with no page errors', async () => {
    for (const [scene, r] of await runs) {
      const elsewhere = r.requests.filter(
        (u) => !u.startsWith(`${origin}/`) && !u.startsWith('blob:') && !u.startsWith('data:'),
      );
      expect(elsewhere, scene).toEqual([]);
      expect(r.requests.some((u) => u.includes('/vendor/human/') && u.endsWith('/models/faceres.bin'))).toBe(true);
      expect(r.requests.some((u) => u.includes('/vendor/tfjs-wasm/') && u.endsWith('.wasm'))).toBe(true);
      expect(r.errors, scene).toEqual([]);
    }
  });

  it('passes axe-core with the camera on', async () => {
    const { page } = await run('one');
    await page.addScriptTag({ content: axeSource });
    const violations = await page.evaluate(
      `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target) })))`,
    );
    expect(violations).toEqual([]);
    expect(DEFAULT_CAMERA_SETTINGS.mode).toBe('off');
  });
});
