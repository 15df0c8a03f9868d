// The public verification page for an employer: the verdict and the facts in plain words
// (Genuine / Do not trust / Revoked / Not found / Could not check now), the evidence folded under "How this was
// checked" until opened (by keyboard), axe-core clean with it open, no sideways scrolling
// at a phone's 375 px. The lookup page finds a certificate by transaction hash and token
// id, names a malformed value before sending anything, and checks an uploaded Open Badge
// credential (a changed field fails). The student's /certificates page counts the checks.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../../../server/src/config/config.ts';
import { createDb } from '../../../server/src/db/client.ts';
import { createLogger } from '../../../server/src/lib/logger.ts';
import { createChain } from '../../../server/src/modules/certificates/certificates.chain.ts';
import { mintPending } from '../../../server/src/modules/certificates/certificates.minter.ts';
import { CERTIFICATE_DEMO_TITLE, seedDemoCertificate } from '../../../server/src/demo/demo-certificate.seed.ts';
import { launchBrowser } from './chromium.ts';
import { newAccount, signedInPage, type Account } from './seed.ts';

const baseUrl = inject('baseUrl');
const databaseUrl = inject('databaseUrl');
const INSTITUTION = 'Verify Page Institute';
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate<string[]>(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`,
  );
}

interface Issued {
  account: Account;
  id: string;
  publicId: string;
  tokenId: string;
  txHash: string;
}

describe('verification page and lookups', { timeout: 120_000 }, () => {
  let browser: Browser;
  let db: pg.Client;
  const issued: Record<'genuine' | 'tampered' | 'revoked', Issued> = {} as never;

  beforeAll(async () => {
    const config = loadConfig({
      ...process.env,
      DATABASE_URL: databaseUrl,
      REDIS_PREFIX: inject('redisPrefix'),
      ...inject('chainEnv'),
    });
    const chain = createChain(config.chain);
    const seeding = createDb(databaseUrl, 1);
    const log = createLogger('silent');
    const mint = () => mintPending(seeding.db, chain, log, 50);
    const seed = async () => {
      const account = await newAccount('student');
      const cert = await seedDemoCertificate(seeding.db, {
        secret: config.secret,
        teacherEmail: inject('teacherEmail'),
        studentEmail: account.email,
        institutionName: INSTITUTION,
      });
      return { account, publicId: cert!.publicId };
    };
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      // Whatever other files left pending goes first, so the genuine one is alone in its
      // transaction (a transaction hash then names one certificate); the other two share one.
      await mint();
      const genuine = await seed();
      await mint();
      const tampered = await seed();
      const revoked = await seed();
      await mint();
      for (const [key, s] of Object.entries({ genuine, tampered, revoked })) {
        const { rows } = await db.query<{ id: string; token_id: string; tx_hash: string; status: string }>(
          'select id, token_id, tx_hash, status from certificates where public_id = $1',
          [s.publicId],
        );
        expect(rows[0]!.status).toBe('issued');
        issued[key as keyof typeof issued] = {
          ...s,
          id: rows[0]!.id,
          tokenId: rows[0]!.token_id,
          txHash: rows[0]!.tx_hash,
        };
      }
    } finally {
      chain.destroy();
      await seeding.pool.end();
    }
    await db.query(
      `update certificates set metadata = jsonb_set(metadata, '{recipient,name}', '"Someone Else"') where id = $1`,
      [issued.tampered.id],
    );
    await db.query(
      `update certificates set status = 'revoked', revoked_at = now(), revoked_reason = 'Issued in error' where id = $1`,
      [issued.revoked.id],
    );
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await db?.end();
  });

  it('states a genuine certificate in plain words, with the evidence folded until opened, axe-clean, at phone width', async () => {
    const context = await browser.newContext({
      baseURL: baseUrl,
      bypassCSP: true,
      viewport: { width: 375, height: 800 },
    });
    const page = await context.newPage();
    const g = issued.genuine;
    await page.goto(`/verify/${g.publicId}`);
    await page.getByRole('heading', { level: 2, name: 'Genuine' }).waitFor();
    expect(await page.locator('[data-status]').getAttribute('data-status')).toBe('valid');
    const facts = page.getByRole('region', { name: 'What this certificate says' });
    const said = (await facts.textContent())!.replace(/\s+/g, ' ');
    expect(said).toContain(`${g.account.name} passed ${CERTIFICATE_DEMO_TITLE}`);
    expect(said).toContain('with a score of 100%');
    expect(said).toContain(`Issued by ${INSTITUTION}`);
    // No jargon above the fold: the evidence is folded away.
    const above = (await page.locator('main').innerText()).toLowerCase();
    for (const word of ['hash', 'token', 'contract', 'block', 'json']) expect(above).not.toContain(word);
    const fold = page.locator('details', { has: page.getByText('How this was checked') });
    expect(await fold.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    expect(await page.getByText(g.tokenId).isVisible()).toBe(false);

    // Opened with the keyboard: the token, transaction and the command to check it independently.
    await page.getByText('How this was checked').focus();
    await page.keyboard.press('Enter');
    await page.getByText(g.tokenId).waitFor();
    expect(await page.getByText(g.txHash).count()).toBe(1);
    await page.getByText(`node scripts/verify-certificate.ts certificate-${g.publicId}.json --rpc`).waitFor();
    const dd = (label: string) => fold.locator('dt', { hasText: label }).locator('xpath=following-sibling::dd[1]');
    expect((await dd('Hashes match').textContent())?.trim()).toBe('Yes');
    expect((await dd('Revoked on chain').textContent())?.trim()).toBe('No');

    // The certificate file downloads from the link on the page.
    const href = await page.getByRole('link', { name: 'Download the certificate file' }).getAttribute('href');
    const file = await context.request.get(href!);
    expect(file.status()).toBe(200);
    expect(await file.json()).toMatchObject({ metadata: { recipient: { name: g.account.name } } });

    expect(await seriousViolations(page)).toEqual([]);
    // Nothing wider than the phone: no sideways scrolling, even with the long hashes open.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await context.close();
  });

  it('says Do not trust, Revoked, Not found and Could not check now in words', async () => {
    const context = await browser.newContext({ baseURL: baseUrl });
    const page = await context.newPage();

    await page.goto(`/verify/${issued.tampered.publicId}`);
    await page.getByRole('heading', { level: 2, name: 'Do not trust' }).waitFor();
    await page.getByText(`do not match what ${INSTITUTION} recorded`).waitFor();
    await page.getByRole('heading', { name: 'What the issuer’s record says now (changed)' }).waitFor();
    await page.getByText('Someone Else passed').waitFor();

    await page.goto(`/verify/${issued.revoked.publicId}`);
    await page.getByRole('heading', { level: 2, name: 'Revoked' }).waitFor();
    await page.getByText(`${INSTITUTION} has withdrawn this certificate on`).waitFor();
    await page.getByText('Reason given: Issued in error').waitFor();

    await page.goto(`/verify/${randomBytes(16).toString('base64url')}`);
    await page.getByRole('heading', { level: 2, name: 'Not found' }).waitFor();
    await page.getByText('No certificate has this id. Check the link or QR code.').waitFor();

    // A link cut short: said so, with the way to look it up otherwise.
    await page.goto('/verify/abc');
    await page.getByRole('alert').getByText('This link does not hold a certificate id').waitFor();
    await page.getByRole('link', { name: 'Look up a certificate another way' }).click();
    await page.getByRole('heading', { level: 1, name: 'Check a certificate' }).waitFor();

    // Anchored on a chain this server cannot read: nothing was checked, and the page says so.
    // (The issuer's row may be cached for a second: reload until the page sees the change.)
    await db.query('update certificates set chain_id = 424242 where id = $1', [issued.tampered.id]);
    const heading = page.locator('[data-verdict] h2');
    await expect
      .poll(
        async () => {
          await page.goto(`/verify/${issued.tampered.publicId}`);
          await heading.waitFor();
          return (await heading.innerText()).trim();
        },
        { timeout: 10_000, interval: 300 },
      )
      .toContain('Could not check now');
    await page.getByText('we cannot say whether this certificate is genuine').waitFor();
    await page.getByRole('heading', { name: 'What the issuer’s record says (not checked)' }).waitFor();
    await context.close();
  });

  it('looks up by transaction hash and token id, and names a malformed value without sending it', async () => {
    const context = await browser.newContext({ baseURL: baseUrl, bypassCSP: true });
    const page = await context.newPage();
    const lookups: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/verify/')) lookups.push(r.url());
    });
    await page.goto('/verify');
    const field = page.getByLabel('Certificate link, certificate id, transaction hash or token id');

    await field.fill('0x1234');
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await page.getByText('A transaction hash is 0x followed by 64 characters; this one has 4').waitFor();
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('lookup');
    expect(lookups).toEqual([]);

    await field.fill(issued.genuine.txHash);
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await page.getByRole('heading', { level: 3, name: 'Genuine' }).waitFor();
    expect(await field.getAttribute('aria-invalid')).toBeNull();
    await page.getByText(`${issued.genuine.account.name} passed`).waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    await field.fill(issued.revoked.tokenId);
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await page.getByRole('heading', { level: 3, name: 'Revoked' }).waitFor();
    await page.getByText(`${issued.revoked.account.name} passed`).waitFor();

    // The other two share one transaction: that hash alone cannot say which is meant.
    await field.fill(issued.tampered.txHash);
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await page.getByRole('heading', { level: 3, name: 'Not found' }).waitFor();
    await page.getByText('This transaction issued several certificates at once').waitFor();

    // A verification link goes to that certificate's own page.
    await field.fill(`${baseUrl}/verify/${issued.genuine.publicId}?via=link`);
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await page.waitForURL(`**/verify/${issued.genuine.publicId}`);
    await page.getByRole('heading', { level: 2, name: 'Genuine' }).waitFor();
    await context.close();
  });

  it('refuses a file that is not a credential, naming the file, without sending it', async () => {
    const context = await browser.newContext({ baseURL: baseUrl });
    const page = await context.newPage();
    const sent: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/verify/')) sent.push(r.url());
    });
    await page.goto('/verify');
    await page.getByRole('button', { name: 'Check the file' }).click();
    await page.getByText('Choose a credential file (.json) first.').waitFor();
    const input = page.getByLabel('Credential file', { exact: true });
    await input.setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('not json') });
    await page.getByRole('button', { name: 'Check the file' }).click();
    await page.getByText('notes.json is not a credential file (it is not JSON)').waitFor();
    expect(await input.getAttribute('aria-invalid')).toBe('true');
    expect(sent).toEqual([]);
    await context.close();
  });

  it("checks an uploaded Open Badge credential: each check in words and its certificate's verdict; a changed field fails", async () => {
    const g = issued.genuine;
    // The holder downloads the signed credential.
    const { context: holder } = await signedInPage(browser, g.account);
    const res = await holder.request.get(`/api/certificates/${g.id}/credential`);
    expect(res.status()).toBe(200);
    const credential = (await res.json()) as Record<string, unknown>;
    await holder.close();

    const context = await browser.newContext({ baseURL: baseUrl, bypassCSP: true });
    const page = await context.newPage();
    await page.goto('/verify');
    const input = page.getByLabel('Credential file', { exact: true });
    await input.setInputFiles({
      name: 'badge.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(credential)),
    });
    await page.getByRole('button', { name: 'Check the file' }).click();
    await page.getByRole('heading', { level: 3, name: 'The credential file: Genuine' }).waitFor();
    const checks = page.getByRole('list').filter({ has: page.locator('[data-ok]') });
    expect(await checks.locator('[data-ok="false"]').count()).toBe(0);
    expect(await checks.locator('[data-ok="true"]').count()).toBeGreaterThan(0);
    await checks
      .getByText(/: passed\./)
      .first()
      .waitFor();
    // The certificate it is anchored to, checked live, in the same words as its own page.
    await page.getByRole('heading', { level: 4, name: 'Genuine' }).waitFor();
    await page.getByText(`${g.account.name} passed ${CERTIFICATE_DEMO_TITLE}`).waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    // One changed field: the signature no longer holds.
    await input.setInputFiles({
      name: 'badge.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ ...credential, name: 'Another exam' })),
    });
    await page.getByRole('button', { name: 'Check the file' }).click();
    await page.getByRole('heading', { level: 3, name: 'The credential file: Do not trust' }).waitFor();
    expect(await checks.locator('[data-ok="false"]').count()).toBeGreaterThan(0);
    await context.close();
  });

  it("counts checks on the student's certificates page, waiting for the count", async () => {
    const g = issued.genuine;
    const count = async () =>
      (
        await db.query<{ total: number; qr: number }>(
          `select count(*)::int as total, (count(*) filter (where method = 'qr'))::int as qr
             from verification_requests where certificate_id = $1`,
          [g.id],
        )
      ).rows[0]!;
    const before = await count();
    const anyone = await browser.newContext({ baseURL: baseUrl });
    const res = await anyone.request.get(`/api/verify/${g.publicId}?via=qr`);
    expect(res.status()).toBe(200);
    await anyone.close();

    const { context, page } = await signedInPage(browser, g.account);
    const card = page.locator(`[data-certificate="${g.id}"]`);
    // Log rows may be written just after the answer (earlier checks' too): reload until the
    // page counts this one. Rows come late, never get lost, so the numbers only grow.
    const shown = async () => {
      await page.goto('/certificates');
      const text = (await card.locator('[data-verifications]').innerText()).replace(/\s+/g, ' ');
      const m = /^Checked (\d+) times \((\d+) from the QR code\), last on .+\.$/.exec(text.trim());
      return m ? { total: Number(m[1]), qr: Number(m[2]) } : { total: -1, qr: -1, text };
    };
    await expect.poll(shown, { timeout: 15_000, interval: 300 }).toMatchObject({ qr: before.qr + 1 });
    expect((await shown()).total).toBeGreaterThanOrEqual(before.total + 1);
    await card.getByRole('button', { name: `Copy link to the certificate for ${CERTIFICATE_DEMO_TITLE}` }).waitFor();
    await context.close();
  });
});
