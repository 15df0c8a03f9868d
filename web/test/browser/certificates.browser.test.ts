// A student passes the demo exam in the browser; the workers issue the certificate
// on the local chain; the QR code (decoded from its PNG) opens the public page, which
// says Genuine; altering the certificate in the database makes it say Do not trust; after
// the teacher revokes it from the results page it says Revoked, also on chain.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../../../server/src/config/config.ts';
import { createDb } from '../../../server/src/db/client.ts';
import { createLogger } from '../../../server/src/lib/logger.ts';
import { DEMO_EXAM_TITLE, seedDemoExams } from '../../../server/src/demo/demo-exams.seed.ts';
import { seedDemoCertificate } from '../../../server/src/demo/demo-certificate.seed.ts';
import { startWorkers } from '../../../server/src/jobs/runtime.ts';
import { createChain } from '../../../server/src/modules/certificates/certificates.chain.ts';
import { mintPending } from '../../../server/src/modules/certificates/certificates.minter.ts';
import { downloadedBytes, launchBrowser } from './chromium.ts';

const baseUrl = inject('baseUrl');
const databaseUrl = inject('databaseUrl');
const teacherEmail = inject('teacherEmail');
const teacherPassword = inject('teacherPassword');
const studentEmail = inject('studentEmail');
const studentPassword = inject('studentPassword');

/** The demo exam's right answers that make a pass (every choice question; true/false left out). */
const RIGHT: Record<string, string[]> = {
  'What is the chemical symbol for sodium?': ['Na'],
  'Which gas makes up most of the air we breathe?': ['Nitrogen'],
  'What is the pH of pure water at 25 °C?': ['7'],
  'How many protons does a carbon atom have?': ['6'],
  'Which of these are noble gases?': ['Helium', 'Neon', 'Argon'],
  'Which of these are physical changes?': ['Ice melting', 'Sugar dissolving'],
  'Which of these are metals?': ['Copper', 'Zinc'],
  'Which are products of complete combustion of methane?': ['Carbon dioxide', 'Water'],
};

async function verdict(page: Page): Promise<string | null> {
  return page.locator('[data-status]').getAttribute('data-status');
}

/** The big verdict line people read. */
const label = async (page: Page) => (await page.locator('#v-verdict-heading').textContent()) ?? '';

async function waitForVerdict(page: Page, url: string, want: string, ms = 30_000) {
  const until = Date.now() + ms;
  for (;;) {
    await page.goto(url);
    await page.locator('[data-status]').waitFor();
    if ((await verdict(page)) === want) return;
    if (Date.now() > until) throw new Error(`verification page stayed ${await verdict(page)}, wanted ${want}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('certificates from a pass to REVOKED', { timeout: 180_000 }, () => {
  let browser: Browser;
  let db: pg.Client;
  let workers: Awaited<ReturnType<typeof startWorkers>>;
  let invite: { email: string; code: string };
  let examId = '';
  let secret = '';

  beforeAll(async () => {
    const config = loadConfig({
      ...process.env,
      DATABASE_URL: databaseUrl,
      REDIS_PREFIX: inject('redisPrefix'),
      ...inject('chainEnv'),
    });
    // The grading, certificate and revocation jobs, against the system under test.
    workers = await startWorkers(config, createLogger('silent'), { schedules: false });
    secret = config.secret;
    const seeding = createDb(databaseUrl, 1);
    const seeded = await seedDemoExams(seeding.db, config.secret, teacherEmail);
    await seeding.pool.end();
    examId = seeded.examId;
    invite = seeded.invites.filter((i) => i.status === 'unused').at(-1)!;
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await db?.end();
    await workers?.close();
  });

  it('issues, verifies by QR, detects tampering and shows a revocation', async () => {
    // The student passes the demo exam with an access code.
    const student = await browser.newContext({ baseURL: baseUrl });
    const page = await student.newPage();
    await page.goto('/start');
    await page.getByLabel('Email').fill(invite.email);
    await page.getByLabel('Access code').fill(invite.code);
    await page.getByRole('button', { name: 'Enter the exam' }).click();
    await page.getByRole('button', { name: 'Start exam' }).click();
    await page.getByRole('heading', { name: DEMO_EXAM_TITLE }).waitFor();
    await page.getByRole('button', { name: 'Show all questions on one page' }).click();
    for (const [prompt, picks] of Object.entries(RIGHT)) {
      const group = page.getByRole('group', { name: prompt });
      for (const pick of picks) {
        const multiple = picks.length > 1;
        await group.getByRole(multiple ? 'checkbox' : 'radio', { name: pick, exact: true }).check();
      }
    }
    await page.getByRole('button', { name: 'Submit exam' }).click();
    const dialog = page.getByRole('dialog', { name: 'Submit your exam?' });
    await dialog.getByRole('button', { name: 'Submit exam' }).click();

    // Graded by the worker, then the certificate is minted; the result page shows its link.
    await page.getByText('Passed', { exact: true }).waitFor({ timeout: 30_000 });
    const link = page.getByRole('link', { name: 'Open verification page' });
    await link.waitFor({ timeout: 60_000 });
    const verifyHref = (await link.getAttribute('href'))!;
    const publicId = verifyHref.split('/').at(-1)!;
    const { rows } = await db.query<{ id: string; status: string; metadata: unknown; token_id: string }>(
      'select id, status, metadata, token_id from certificates where public_id = $1',
      [publicId],
    );
    expect(rows[0]).toMatchObject({ status: 'issued' });

    // The QR code, decoded from the PNG the server draws, leads to the verification page.
    const png = PNG.sync.read(
      Buffer.from(await (await fetch(`${baseUrl}/api/verify/${publicId}/qr.png`)).arrayBuffer()),
    );
    const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(decoded?.data).toBe(`${baseUrl}/verify/${publicId}?via=qr`);
    const anyone = await (await browser.newContext()).newPage();
    await anyone.goto(decoded!.data);
    await anyone.locator('[data-status]').waitFor();
    expect(await verdict(anyone)).toBe('valid');
    expect(await label(anyone)).toContain('Genuine');
    expect(await anyone.getByText(invite.email).count()).toBe(0);
    expect(await anyone.getByText(rows[0]!.token_id).count()).toBe(1);

    // Altered in the database: the hash no longer matches the chain.
    await db.query(
      `update certificates set metadata = jsonb_set(metadata, '{result,percentage}', '100') where id = $1`,
      [rows[0]!.id],
    );
    await waitForVerdict(anyone, decoded!.data, 'tampered');
    expect(await label(anyone)).toContain('Do not trust');
    await db.query('update certificates set metadata = $2 where id = $1', [rows[0]!.id, rows[0]!.metadata]);
    await waitForVerdict(anyone, decoded!.data, 'valid');

    // The teacher revokes it from the exam's results page.
    const teacher = await browser.newContext({ baseURL: baseUrl });
    const tp = await teacher.newPage();
    await tp.goto('/sign-in');
    await tp.getByLabel('Email').fill(teacherEmail);
    await tp.getByLabel('Password').fill(teacherPassword);
    await tp.getByRole('button', { name: 'Sign in' }).click();
    await tp.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
    await tp.goto(`/teach/exams/${examId}/results`);
    await tp
      .getByRole('button', { name: /Revoke certificate/ })
      .first()
      .click();
    const revoke = tp.getByRole('dialog');
    await revoke.getByLabel('Public reason').fill('Issued in error');
    await revoke.getByRole('button', { name: 'Revoke certificate' }).click();
    await revoke.waitFor({ state: 'hidden' });

    await waitForVerdict(anyone, decoded!.data, 'revoked');
    expect(await label(anyone)).toContain('Revoked');
    await anyone.getByText('Issued in error').first().waitFor();
    // The revocation job reaches the chain: the evidence says so.
    const until = Date.now() + 30_000;
    for (;;) {
      await anyone.goto(decoded!.data);
      const onChain = anyone.locator('dt', { hasText: 'Revoked on chain' }).locator('xpath=following-sibling::dd[1]');
      if ((await onChain.textContent())?.trim() === 'Yes') break;
      if (Date.now() > until) throw new Error('the revocation never reached the chain');
      await new Promise((r) => setTimeout(r, 500));
    }
    const [logged] = (
      await db.query<{ n: number }>(
        `select count(*)::int as n from verification_requests where lookup_value = $1 and method = 'qr'`,
        [publicId],
      )
    ).rows;
    expect(logged!.n).toBeGreaterThan(3);
  });

  it("lists the signed-in student's certificates with share links, PDF and wallet", async () => {
    // The demo data's certificate: a completed "Lab safety" attempt, minted by the workers.
    const seeding = createDb(databaseUrl, 1);
    const cert = await seedDemoCertificate(seeding.db, {
      secret,
      teacherEmail,
      studentEmail,
      institutionName: 'Browser Test Institute',
    });
    await seeding.pool.end();
    const { rows } = await db.query<{ id: string }>('select id from certificates where public_id = $1', [
      cert!.publicId,
    ]);
    const context = await browser.newContext({ baseURL: baseUrl });
    const page = await context.newPage();
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill(studentEmail);
    await page.getByLabel('Password').fill(studentPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Certificates' }).click();
    await page.getByRole('heading', { name: 'Your certificates' }).waitFor();
    const card = page.locator(`[data-certificate="${rows[0]!.id}"]`);
    await card.getByRole('heading', { name: 'Lab safety: completed demo exam' }).waitFor();
    await card.getByText(`/verify/${cert!.publicId}`).waitFor();
    const pdf = await context.request.get(`/api/certificates/${rows[0]!.id}/certificate.pdf`);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');

    // Once on chain (this file's workers run no schedules, so the pending demo certificate is
    // minted here), the card offers the Open Badges 3.0 credential as a file to download.
    const config = loadConfig({ ...process.env, DATABASE_URL: databaseUrl, ...inject('chainEnv') });
    const chain = createChain(config.chain);
    const minting = createDb(databaseUrl, 1);
    await mintPending(minting.db, chain, createLogger('silent'), 10);
    await minting.pool.end();
    chain.destroy();
    await page.reload();
    const badge = card.getByRole('link', { name: 'Open Badge (JSON)' });
    await badge.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), badge.click()]);
    expect(download.suggestedFilename()).toBe(`open-badge-${cert!.publicId}.json`);
    const credential = JSON.parse((await downloadedBytes(download)).toString('utf8')) as Record<string, unknown>;
    expect(credential).toMatchObject({
      type: ['VerifiableCredential', 'OpenBadgeCredential'],
      proof: { cryptosuite: 'eddsa-rdfc-2022' },
    });

    // A wallet address with a broken checksum is refused next to the field; a good one is saved.
    await page.getByLabel('Wallet address').fill('0x52908400098527886E0F7030069857d4E4169eE7');
    await page.getByRole('button', { name: 'Save address' }).click();
    await page.getByText('The address has a wrong checksum').waitFor();
    expect(await page.getByLabel('Wallet address').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Wallet address').fill('0x52908400098527886e0F7030069857d4E4169eE7');
    await page.getByRole('button', { name: 'Save address' }).click();
    await page.getByRole('status').filter({ hasText: 'Certificates issued from now on go to this address' }).waitFor();
    await context.close();
  });
});
