// LTI 1.3 core in the browser: an administrator registers an LMS on /admin/lti with the
// keyboard (field errors named and focused, copy buttons for the tool configuration), and
// an instructor coming from that LMS picks an exam on the Deep Linking page, whose signed
// answer is form-posted back to the LMS (the page's CSP must allow exactly that). axe-core
// finds no serious or critical problem on either page. The LMS is a tiny in-test platform.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey, type JWK } from 'jose';
import { LTI_CLAIMS, LTI_ROLES } from '@exam-hall/protocol';
import { launchBrowser } from './chromium.ts';
import { newAccount, publishedExam, stamp, THREE_QUESTIONS } from './seed.ts';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let browser: Browser;
let lms: Server;
let lmsUrl: string;
let key: { privateKey: CryptoKey; jwk: JWK };
const returned: string[] = [];
const tag = stamp();
const issuer = `https://lms-${tag}.example`;
const clientId = `client-${tag}`;

async function axe(page: Page) {
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate<{ id: string; impact: string | null }[]>(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact })))`,
  );
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
}

/** The platform's authorization endpoint: answers the OIDC request with an auto-posting form (form_post). */
async function authorize(url: URL): Promise<string> {
  const token = await new SignJWT({
    nonce: url.searchParams.get('nonce'),
    sub: `teacher-${tag}`,
    name: 'Ines Instructor',
    [LTI_CLAIMS.messageType]: 'LtiDeepLinkingRequest',
    [LTI_CLAIMS.version]: '1.3.0',
    [LTI_CLAIMS.deploymentId]: 'd1',
    [LTI_CLAIMS.roles]: [LTI_ROLES.instructor],
    [LTI_CLAIMS.context]: { id: `ctx-${tag}`, title: 'Chemistry 2B' },
    [LTI_CLAIMS.deepLinkingSettings]: {
      deep_link_return_url: `${lmsUrl}/return`,
      accept_types: ['ltiResourceLink'],
      data: 'keep-me',
    },
  })
    .setProtectedHeader({ alg: 'RS256', kid: key.jwk.kid! })
    .setIssuer(issuer)
    .setAudience(clientId)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key.privateKey);
  const esc = (s: string) => s.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><title>LMS</title><body onload="document.forms[0].submit()">
    <form method="post" action="${esc(url.searchParams.get('redirect_uri')!)}">
    <input type="hidden" name="id_token" value="${esc(token)}"><input type="hidden" name="state" value="${esc(url.searchParams.get('state')!)}">
    </form></body></html>`;
}

beforeAll(async () => {
  browser = await launchBrowser();
  const pair = await generateKeyPair('RS256', { extractable: true });
  key = { privateKey: pair.privateKey, jwk: { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256' } };
  lms = createServer((req, res) => {
    const url = new URL(req.url ?? '/', lmsUrl);
    if (url.pathname === '/jwks')
      return res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [key.jwk] }));
    if (url.pathname === '/auth')
      return void authorize(url).then((html) => res.setHeader('content-type', 'text/html').end(html));
    if (url.pathname === '/return' && req.method === 'POST') {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        returned.push(new URLSearchParams(body).get('JWT') ?? '');
        res.setHeader('content-type', 'text/html').end('<!doctype html><title>LMS</title><h1>Back in the LMS</h1>');
      });
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => lms.listen(0, '127.0.0.1', r));
  lmsUrl = `http://127.0.0.1:${(lms.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await browser?.close();
  lms?.close();
});

describe('LMS integration pages', () => {
  let adminContext: BrowserContext;

  it('an administrator registers the LMS with the keyboard on an axe-clean page', async () => {
    const admin = await newAccount('admin');
    adminContext = await browser.newContext({
      baseURL: inject('baseUrl'),
      viewport: { width: 1400, height: 1000 },
      bypassCSP: true, // only so axe-core can be injected
    });
    adminContext.setDefaultTimeout(15_000);
    const page = await adminContext.newPage();
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: /^Welcome, / }).waitFor();
    await page.goto('/admin');
    await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'LMS (LTI)' }).click();
    await page.getByRole('heading', { name: 'LMS integration (LTI 1.3)' }).waitFor();
    const base = inject('baseUrl');
    await expect.poll(() => page.getByText(`${base}/lti/jwks`, { exact: true }).count()).toBe(1);
    await page.getByRole('button', { name: 'Copy Public keyset URL (JWKS)' }).waitFor();
    await axe(page);

    // Plain http to a real host is refused before anything is sent; focus lands on the field.
    await page.getByLabel('Name', { exact: true }).focus();
    await page.keyboard.type('Test Moodle');
    await page.keyboard.press('Tab');
    await page.keyboard.type('http://moodle.school.example');
    await page.keyboard.press('Tab');
    await page.keyboard.type(clientId);
    await page.keyboard.press('Tab');
    await page.keyboard.type('d1');
    await page.keyboard.press('Tab');
    await page.keyboard.type(`${lmsUrl}/auth`);
    await page.keyboard.press('Tab');
    await page.keyboard.type(`${lmsUrl}/token`);
    await page.keyboard.press('Tab');
    await page.keyboard.type(`${lmsUrl}/jwks`);
    await page.keyboard.press('Enter');
    await page.getByText('issuer must use https (http is accepted only for localhost and 127.0.0.1)').waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('lti-issuer');
    await axe(page);

    await page.keyboard.press('Control+A');
    await page.keyboard.type(issuer);
    await page.keyboard.press('Enter');
    await page.getByRole('status').getByText('Test Moodle is registered.').waitFor();
    await page.getByRole('row', { name: new RegExp(`Test Moodle ${issuer}`) }).waitFor();
    await axe(page);

    // Key rotation asks first, then says which key signs now.
    await page.getByRole('button', { name: 'Rotate the signing key' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Rotate the signing key?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Rotate' }).click();
    await page.getByText(/^The signing key is rotated: .+ now signs\.$/).waitFor();
  });

  it('an instructor from the LMS picks an exam; the signed answer goes back to the LMS', async () => {
    const context = await browser.newContext({ baseURL: inject('baseUrl'), viewport: { width: 1200, height: 900 } });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const start = () =>
      page.goto(
        `/lti/login?${new URLSearchParams({ iss: issuer, login_hint: 'x', target_link_uri: `${inject('baseUrl')}/lti/launch`, client_id: clientId })}`,
      );
    // First launch: a new teacher account, a course for the LMS course, nothing to place yet.
    await start();
    await page.waitForURL(/\/lti\/deep-link\/[A-Za-z0-9_-]+$/);
    await page.getByRole('heading', { name: 'Choose an exam to place in Chemistry 2B' }).waitFor();
    await page.getByText('You have no exams yet.').waitFor();

    // The teacher writes an exam (through the API, with the session the launch gave), launches again.
    const examId = await publishedExam(page.request, { title: `Titration ${tag}` }, THREE_QUESTIONS);
    await start();
    await page.getByRole('radio', { name: new RegExp(`Titration ${tag}`) }).waitFor();
    await page.getByRole('radio', { name: new RegExp(`Titration ${tag}`) }).focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Back in the LMS' }).waitFor();
    expect(returned).toHaveLength(1);
    const jwks = (await (await fetch(`${inject('baseUrl')}/lti/jwks`)).json()) as { keys: JWK[] };
    const { payload } = await jwtVerify(returned[0]!, createLocalJWKSet(jwks), { issuer: clientId, audience: issuer });
    expect(payload[LTI_CLAIMS.data]).toBe('keep-me');
    expect(payload[LTI_CLAIMS.contentItems]).toMatchObject([{ type: 'ltiResourceLink', custom: { exam_id: examId } }]);
    await context.close();
  });

  it('the picker is axe-clean', async () => {
    const context = await browser.newContext({ baseURL: inject('baseUrl'), bypassCSP: true });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await page.goto(
      `/lti/login?${new URLSearchParams({ iss: issuer, login_hint: 'x', target_link_uri: `${inject('baseUrl')}/lti/launch`, client_id: clientId })}`,
    );
    await page.getByRole('radio', { name: new RegExp(`Titration ${tag}`) }).waitFor();
    await axe(page);
    // Nothing chosen: the message says what to do.
    await page.getByRole('button', { name: 'Place this exam' }).click();
    await page.getByText('Choose the exam to place in the course.').waitFor();
    await axe(page);
    await context.close();
    await adminContext.close();
  });
});
