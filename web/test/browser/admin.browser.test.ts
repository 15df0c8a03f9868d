// The admin console in a browser, with the keyboard wherever a person would use it: find
// accounts, invite a proctor (no mail server: the link is shown once, and copies), suspend
// and reactivate them behind a confirmation that names them, and filter the audit log.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_ACCOUNTS } from '../../../server/src/demo/demo.seed.ts';
import { launchBrowser } from './chromium.ts';

const baseUrl = inject('baseUrl');
const adminEmail = inject('adminEmail');
const adminPassword = inject('adminPassword');
const teacher = DEMO_ACCOUNTS.find((a) => a.role === 'teacher')!;

describe('the admin console', { timeout: 60_000 }, () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const tag = Math.random().toString(36).slice(2, 8);
  const proctorEmail = `proctor-${tag}@school.example`;
  const proctorName = `Priya ${tag}`;
  let proctorPage = '';

  beforeAll(async () => {
    browser = await launchBrowser();
    context = await browser.newContext({ baseURL: baseUrl });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
    context.setDefaultTimeout(10_000);
    const res = await context.request.post('/api/auth/sign-in', {
      data: { email: adminEmail, password: adminPassword },
      headers: { origin: baseUrl },
    });
    expect(res.status()).toBe(200);
    page = await context.newPage();
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
  });

  it('reaches the console from the header and the home page, and searches users by name or email', async () => {
    await page.goto('/');
    await page.getByRole('heading', { name: 'Users', level: 3 }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('heading', { name: 'Administration', level: 1 }).waitFor();
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();

    await page.getByLabel('Search by name or email').focus();
    await page.keyboard.type(teacher.email.toUpperCase());
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.searchParams.get('search') === teacher.email.toUpperCase());
    const rows = page.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain(teacher.email);
    await page.getByRole('status').filter({ hasText: 'Showing 1 to 1 of 1 account.' }).waitFor();

    // Role filter: the teacher is not a student.
    await page.getByLabel('Role').selectOption('student');
    await page.getByLabel('Search by name or email').press('Enter');
    await page.getByText('No accounts match these filters.').waitFor();
  });

  it('invites a proctor; with no mail server the link is shown once and copies', async () => {
    await page.goto('/admin/users/new');
    await page.getByRole('heading', { name: 'Invite people', level: 1 }).waitFor();
    await page.getByLabel('Email').focus();
    await page.keyboard.type(proctorEmail);
    await page.keyboard.press('Tab');
    await page.keyboard.type(proctorName);
    await page.keyboard.press('Tab');
    await page.getByLabel('Role').selectOption('proctor');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');

    const heading = page.getByRole('heading', { name: `Invited ${proctorName} (Proctor)` });
    await heading.waitFor();
    expect(await heading.evaluate((el) => el === document.activeElement)).toBe(true);
    const link = page.getByLabel(`Invitation link for ${proctorEmail}`);
    const url = await link.inputValue();
    expect(url).toMatch(/\/account\/invitation#token=[\w-]{20,}$/);
    await page.getByRole('button', { name: /^Copy\s+invitation link for/ }).press('Enter');
    await page.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);

    await page.getByRole('link', { name: `Open ${proctorName}’s account` }).click();
    await page.getByRole('heading', { name: new RegExp(`^${proctorName}`), level: 1 }).waitFor();
    proctorPage = new URL(page.url()).pathname;
    // Shown once: the account's page does not show it again.
    expect(await page.getByText(url).count()).toBe(0);
    expect(await page.locator(`input[value="${url}"]`).count()).toBe(0);
  });

  it('suspends and reactivates the proctor behind a confirmation that names them', async () => {
    await page.goto(proctorPage);
    await page.getByRole('heading', { name: new RegExp(`^${proctorName}\\s+Invited`), level: 1 }).waitFor();
    await page.getByRole('button', { name: `Suspend ${proctorName}…` }).press('Enter');
    const dialog = page.getByRole('dialog', { name: `Suspend ${proctorName}?` });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(proctorEmail);
    // Focus starts in the dialog: the reason, then Cancel, then the confirming button.
    await page.keyboard.type('Left the school');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page
      .getByRole('status')
      .filter({ hasText: `${proctorName} is suspended.` })
      .waitFor();
    await page.getByRole('heading', { name: new RegExp(`^${proctorName}\\s+Suspended`), level: 1 }).waitFor();

    await page.getByRole('button', { name: `Reactivate ${proctorName}…` }).press('Enter');
    const again = page.getByRole('dialog', { name: `Reactivate ${proctorName}?` });
    await again.waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'no longer suspended' }).waitFor();
    await page.getByRole('heading', { name: new RegExp(`^${proctorName}\\s+Invited`), level: 1 }).waitFor();
    // The account's own recent changes, newest first.
    const actions = await page.locator('table.audit tbody th code').allTextContents();
    expect(actions.slice(0, 3)).toEqual(['user.reactivated', 'user.suspended', 'user.created']);
  });

  it('filters the audit log by actor and action prefix, and offers the CSV', async () => {
    await page.goto('/admin/audit');
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await page.getByLabel('Who (email or user id)').focus();
    await page.keyboard.type(adminEmail);
    await page.keyboard.press('Tab');
    await page.keyboard.type('user.');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.searchParams.get('action') === 'user.');
    const actions = page.locator('table.audit tbody th code');
    await expect
      .poll(async () => (await actions.allTextContents()).slice(0, 3))
      .toEqual(['user.reactivated', 'user.suspended', 'user.created']);
    expect(await page.locator('table.audit').textContent()).not.toMatch(/ipHash|[0-9a-f]{64}/);

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download CSV' }).press('Enter');
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^audit-log-.*\.csv$/);

    // A filter that cannot mean anything is said next to the form, not as an error page.
    await page.getByLabel('Who (email or user id)').fill('nobody');
    await page.getByLabel('Who (email or user id)').press('Enter');
    await page.getByRole('alert').filter({ hasText: 'actor must be an email address or a user id' }).waitFor();
  });
});
