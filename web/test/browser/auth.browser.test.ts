import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from './chromium.ts';

const baseUrl = inject('baseUrl');
const adminEmail = inject('adminEmail');
const adminPassword = inject('adminPassword');

function pathOf(page: Page): string {
  return new URL(page.url()).pathname;
}

async function waitForPath(page: Page, pathname: string): Promise<void> {
  await page.waitForURL((url) => url.pathname === pathname);
}

// Chromium's first launch and the first page load are slow on small CI machines.
describe('sign in and out in a browser', { timeout: 30_000 }, () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    browser = await launchBrowser();
    context = await browser.newContext({ baseURL: baseUrl });
    // Fail inside the test timeout, with Playwright's message about what it waited for.
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
  });

  it('sends a visitor without a session to the sign-in page', async () => {
    await page.goto('/');
    await waitForPath(page, '/sign-in');
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
  });

  it('shows an error for a wrong password', async () => {
    await page.getByLabel('Email').fill(adminEmail);
    await page.getByLabel('Password').fill(`${adminPassword}-wrong`);
    await page.getByRole('button', { name: 'Sign in' }).click();

    const alert = page.getByRole('alert').filter({ hasText: /\S/ });
    await alert.waitFor();
    expect((await alert.textContent())?.trim()).not.toBe('');
    expect(pathOf(page)).toBe('/sign-in');
  });

  it('signs in with the right password and shows the welcome page', async () => {
    await page.getByLabel('Email').fill(adminEmail);
    await page.getByLabel('Password').fill(adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await waitForPath(page, '/');
    await page.getByRole('heading', { name: /^Welcome, /, level: 1 }).waitFor();
    await page.getByRole('banner').getByText(adminEmail).waitFor();
  });

  it('signs out and lands on the sign-in page', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await waitForPath(page, '/sign-in');
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
  });

  it('no longer lets the signed-out browser in', async () => {
    await page.goto('/');
    await waitForPath(page, '/sign-in');
    await page.getByLabel('Email').waitFor();
  });
});
