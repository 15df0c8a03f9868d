// The exam settings form's Camera fieldset: the saved settings re-shown, the details hidden
// while the camera is off, a value out of range reported on its field, and a later save of
// another setting leaving the camera settings as they were.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { APIRequestContext, Browser, BrowserContext } from 'playwright-core';
import { launchBrowser } from './chromium.ts';
import { THREE_QUESTIONS, apiAs, newAccount, publishedExam, stamp } from './seed.ts';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

describe('the camera settings of an exam', { timeout: 60_000 }, () => {
  let browser: Browser | undefined;
  let api: APIRequestContext | undefined;
  const contexts: BrowserContext[] = [];
  const tag = stamp();

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await api?.dispose();
    await browser?.close();
  });

  it('the exam settings form shows, checks and saves the camera settings', async () => {
    const teacher = await newAccount('teacher');
    api = await apiAs(teacher);
    browser = await launchBrowser();
    const examId = await publishedExam(
      api,
      { title: `Camera settings ${tag}`, proctoring: { camera: { mode: 'presence', retentionDays: 14 } } },
      THREE_QUESTIONS.slice(0, 1),
    );
    // bypassCSP only so axe-core can be injected; the page's own scripts run under the CSP.
    const context = await browser.newContext({
      baseURL: inject('baseUrl'),
      viewport: { width: 1400, height: 1000 },
      bypassCSP: true,
    });
    context.setDefaultTimeout(15_000);
    contexts.push(context);
    await context.request.post('/api/auth/sign-in', { data: { email: teacher.email, password: teacher.password } });
    const page = await context.newPage();
    await page.goto(`/teach/exams/${examId}`);
    const camera = page.getByRole('group', { name: 'Camera', exact: true });
    await camera.getByLabel('Presence checks').waitFor();
    expect(await camera.getByLabel('Presence checks').isChecked()).toBe(true);
    expect(await camera.getByLabel('The student cannot start until the camera check passes').isChecked()).toBe(true);
    expect(await camera.getByLabel(/Delete camera evidence after/).inputValue()).toBe('14');
    await page.addScriptTag({ content: axeSource });
    const serious = await page.evaluate<string[]>(
      `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`,
    );
    expect(serious).toEqual([]);

    await camera.getByLabel('Presence and identity check').check();
    await camera.getByLabel(/Looking away means the head turned more than/).fill('500');
    await page.getByRole('button', { name: 'Save settings' }).click();
    const angle = camera.getByLabel(/Looking away means the head turned more than/);
    await page.getByText('Looking-away angle must be at most 80').first().waitFor();
    expect(await angle.getAttribute('aria-invalid')).toBe('true');
    await angle.fill('40');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor();

    // Saved, and another setting saved through the API later leaves the camera alone.
    expect((await api.patch(`/api/exams/${examId}`, { data: { title: `Camera settings ${tag}!` } })).status()).toBe(
      200,
    );
    await page.reload();
    await camera.getByLabel('Presence and identity check').waitFor();
    expect(await camera.getByLabel('Presence and identity check').isChecked()).toBe(true);
    expect(await camera.getByLabel(/Looking away means the head turned more than/).inputValue()).toBe('40');

    // Off hides the details.
    await camera.getByLabel('Off', { exact: true }).check();
    expect(await camera.getByLabel(/Delete camera evidence after/).count()).toBe(0);
  });
});
