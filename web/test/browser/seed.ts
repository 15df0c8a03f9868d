// What a browser test needs, made by the test itself: a teacher of its own (a fresh
// account, so no test depends on what another did to the demo teacher), a published
// exam with single-choice questions, invited students with their codes; and the page
// steps the hall tests share (signing in on the form, entering with a code, a tab switch).
import { randomBytes } from 'node:crypto';
import { expect, inject } from 'vitest';
import { request, type APIRequestContext, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createDb } from '../../../server/src/db/client.ts';
import { hashPassword } from '../../../server/src/modules/auth/auth.passwords.ts';
import { insertUser } from '../../../server/src/modules/auth/auth.repository.ts';

const SHOTS = process.env.SCREENSHOT_DIR;

/** Unique per call within a run, readable in names and addresses. */
export function stamp(): string {
  return `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
}

export interface Account {
  email: string;
  password: string;
  name: string;
}

/** A new active account of `role` (not one of the demo accounts). */
export async function newAccount(role: 'teacher' | 'proctor' | 'student' | 'admin', name?: string): Promise<Account> {
  const tag = stamp();
  const account = {
    email: `${role}-${tag}@browser.example`,
    password: `pw-${randomBytes(8).toString('hex')}`,
    name: name ?? `${role[0]!.toUpperCase()}${role.slice(1)} ${tag}`,
  };
  const { db, pool } = createDb(inject('databaseUrl'), 1);
  try {
    await insertUser(db, {
      email: account.email,
      name: account.name,
      role,
      status: 'active',
      passwordHash: await hashPassword(account.password),
    });
  } finally {
    await pool.end();
  }
  return account;
}

/** An API client signed in as `account`. */
export async function apiAs(account: Account): Promise<APIRequestContext> {
  const api = await request.newContext({ baseURL: inject('baseUrl') });
  const res = await api.post('/api/auth/sign-in', { data: { email: account.email, password: account.password } });
  expect(res.status()).toBe(200);
  return api;
}

/** Three questions, 'b' right in each (Mars, Lisbon, Carbon dioxide). */
export const THREE_QUESTIONS = [
  ['Which planet is known as the Red Planet?', ['Venus', 'Mars']],
  ['What is the capital of Portugal?', ['Porto', 'Lisbon']],
  ['Which gas do plants take in?', ['Oxygen', 'Carbon dioxide']],
] as const;

/** A published exam of the API client's account, with single-choice questions whose right answer is 'b'. */
export async function publishedExam(
  api: APIRequestContext,
  exam: Record<string, unknown> & { title: string },
  questions: readonly (readonly [prompt: string, options: readonly [string, string]])[],
): Promise<string> {
  const created = await api.post('/api/exams', { data: { durationMinutes: 30, availableAnytime: true, ...exam } });
  expect(created.status()).toBe(201);
  const examId = (await created.json()).id as string;
  for (const [prompt, options] of questions) {
    const res = await api.post(`/api/exams/${examId}/questions`, {
      data: {
        type: 'single_choice',
        prompt,
        content: { options: options.map((text, i) => ({ id: 'ab'[i], text })) },
        answerKey: { correct: 'b' },
      },
    });
    expect(res.status()).toBe(201);
  }
  expect((await api.post(`/api/exams/${examId}/publish`)).status()).toBe(200);
  return examId;
}

/** Invites a student to the exam; answers their access code. */
export async function invite(api: APIRequestContext, examId: string, email: string, name: string): Promise<string> {
  const res = await api.post(`/api/exams/${examId}/participants`, { data: { email, name } });
  expect(res.status()).toBe(201);
  return (await res.json()).code as string;
}

/** A browser context and page signed in through the sign-in form, on the home page. */
export async function signedInPage(
  browser: Browser,
  account: Account,
  viewport = { width: 1400, height: 1000 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: inject('baseUrl'), viewport });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: /^Welcome, / }).waitFor();
  return { context, page };
}

/** On /start: email and access code, then "Enter the exam" (the lobby comes next). */
export async function enterWithCode(page: Page, email: string, code: string): Promise<void> {
  await page.goto('/start');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Access code').fill(code);
  await page.getByRole('button', { name: 'Enter the exam' }).click();
}

export async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

/** Makes the student's page believe its tab was hidden, then shown again (a switch to another tab). */
export async function switchTabAndBack(page: Page): Promise<void> {
  const set = (state: 'hidden' | 'visible') =>
    page.evaluate((value) => {
      Object.defineProperty(document, 'visibilityState', { value, configurable: true });
      Object.defineProperty(document, 'hidden', { value: value === 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    }, state);
  await set('hidden');
  await page.waitForTimeout(1200);
  await set('visible');
}
