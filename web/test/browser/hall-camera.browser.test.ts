// Camera proctoring in the proctor's live hall: a student (driven over HTTP and a socket,
// as the exam page's detector would) reports its camera and raises camera alerts with a
// confidence and one evidence frame; the teacher's hall in Chromium shows the camera state
// in words (with the identity score) and follows it live, words each alert with its measure
// and confidence, loads the frame on demand through its signed address under the page's own
// CSP, lists the camera signals in the risk breakdown with weight and mean confidence, says
// when a frame was deleted, and axe-core finds nothing serious or critical.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import jpeg from 'jpeg-js';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { request, type APIRequestContext, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { FACE_DESCRIPTOR_LENGTH, type AckReply } from '@exam-hall/protocol';
import { launchBrowser } from './chromium.ts';
import {
  apiAs,
  invite,
  newAccount,
  publishedExam,
  shot,
  signedInPage,
  stamp,
  THREE_QUESTIONS,
  type Account,
} from './seed.ts';

const baseUrl = inject('baseUrl');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const tag = stamp();
const examTitle = `Camera hall ${tag}`;
const studentEmail = `cam-${tag}@pupils.example`;
const studentName = `Cara Camera ${tag}`;

/** A small grey-and-white JPEG, as the exam page's captureFrame would send (64 x 48). */
function smallJpeg(): Buffer {
  const width = 64;
  const height = 48;
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const v = (i % width) * 4;
    data.writeUInt32BE(((v << 24) | (v << 16) | (v << 8) | 0xff) >>> 0, i * 4);
  }
  return jpeg.encode({ data, width, height }, 70).data;
}

async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated over the DevTools protocol, so the page's own CSP stays on (no bypassCSP):
  // the evidence image must load under it.
  await page.evaluate(axeSource);
  return page.evaluate<string[]>(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ': ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`,
  );
}

describe('camera proctoring in the live hall', { timeout: 90_000 }, () => {
  let browser: Browser;
  let owner: Account;
  let teacher: APIRequestContext;
  let student: APIRequestContext;
  let socket: Socket;
  let proctor: BrowserContext;
  let hall: Page;
  let examId = '';
  let attemptId = '';
  const cspViolations: string[] = [];

  async function emit<T>(event: string, payload: unknown): Promise<T> {
    const reply = (await socket.timeout(10_000).emitWithAck(event, payload)) as AckReply<T>;
    if (!reply.ok) throw new Error(`${event}: ${reply.error.code}: ${reply.error.message}`);
    return reply.data;
  }

  const row = () =>
    hall
      .getByRole('table', { name: /^Participants/ })
      .getByRole('row')
      .filter({ has: hall.getByRole('rowheader', { name: new RegExp(studentName) }) });
  const cameraCell = () => row().getByRole('cell').nth(1);

  beforeAll(async () => {
    browser = await launchBrowser();
    owner = await newAccount('teacher');
    teacher = await apiAs(owner);
    examId = await publishedExam(
      teacher,
      {
        title: examTitle,
        proctoring: { enabled: true, camera: { mode: 'identity', evidence: true, retentionDays: 7 } },
      },
      THREE_QUESTIONS,
    );
    const code = await invite(teacher, examId, studentEmail, studentName);

    // The student: in with the code, the lobby's consent and camera check, then Start.
    student = await request.newContext({ baseURL: baseUrl });
    const entered = await student.post('/api/attempts/start', { data: { email: studentEmail, code } });
    expect(entered.status()).toBe(201);
    attemptId = (await entered.json()).attempt.id;
    const checked = await student.post(`/api/attempts/${attemptId}/camera-check`, {
      // Identity mode: the face description the lobby's check captured (never the photo).
      data: {
        consent: true,
        state: 'ready',
        faceScore: 0.99,
        reference: Array.from({ length: FACE_DESCRIPTOR_LENGTH }, (_, i) => Math.sin(i) / 10),
      },
    });
    expect(checked.status(), await checked.text()).toBe(200);
    const begun = await student.post(`/api/attempts/${attemptId}/begin`);
    expect(begun.status(), await begun.text()).toBe(200);

    const cookie = (await student.storageState()).cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    socket = io(baseUrl, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    await emit('attempt:join', { attemptId, deviceId: `cam-device-${tag}` });
    await emit('camera:status', { attemptId, state: 'on' });

    // The detector saw no face for 12 s: the alert with its confidence, then its frame.
    const ack = await emit<{ stored: boolean; wantsEvidence?: boolean }>('proctor:signal', {
      attemptId,
      type: 'no_face',
      clientEventId: `noface-${tag}`,
      durationMs: 12_000,
      confidence: 0.91,
      measure: { faces: 0 },
    });
    expect(ack).toMatchObject({ stored: true, wantsEvidence: true });
    const uploaded = await student.post(`/api/attempts/${attemptId}/evidence?clientEventId=noface-${tag}`, {
      headers: { 'content-type': 'image/jpeg' },
      data: smallJpeg(),
      // As a browser does: a kept-alive connection the server closed as it was reused is retried (ECONNRESET).
      maxRetries: 1,
    });
    expect(uploaded.status(), await uploaded.text()).toBe(201);
    // Someone else at the screen: the identity check's alert, with the similarity it measured.
    await emit('proctor:signal', {
      attemptId,
      type: 'face_mismatch',
      clientEventId: `mismatch-${tag}`,
      confidence: 0.88,
      measure: { similarity: 0.31 },
    });
    await emit('camera:status', { attemptId, state: 'no_face' });
  }, 60_000);

  afterAll(async () => {
    socket?.close();
    await proctor?.close();
    await student?.dispose();
    await teacher?.dispose();
    await browser?.close();
  });

  it('shows the camera state in words and follows it live', async () => {
    ({ context: proctor, page: hall } = await signedInPage(browser, owner));
    hall.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    await hall.goto(`/hall/${examId}`);
    await hall.getByRole('heading', { name: examTitle, level: 1 }).waitFor();
    await hall.getByText('Live', { exact: true }).waitFor();
    await hall.getByRole('columnheader', { name: 'Camera' }).waitFor();
    await cameraCell()
      .filter({ hasText: /No face now\s*since \d/ })
      .waitFor();

    // The student's page sees the face again: the hall follows without a reload.
    await emit('camera:status', { attemptId, state: 'on', similarity: 0.82 });
    await cameraCell()
      .filter({ hasText: /Camera on\s*since \d.* · Identity 0\.82/ })
      .waitFor();
    await emit('camera:status', { attemptId, state: 'off' });
    await cameraCell()
      .filter({ hasText: /Camera off/ })
      .waitFor();
  });

  it('words camera alerts with their measure and confidence, and shows the frame on demand', async () => {
    const alerts = hall.getByRole('region', { name: /^Alerts/ });
    const noFace = alerts.getByRole('listitem').filter({ hasText: 'No face' });
    await noFace.filter({ hasText: /No face for 12 s, 0 faces · confidence 0\.91/ }).waitFor();
    await alerts
      .getByRole('listitem')
      .filter({ hasText: /Face mismatch similarity 0\.31 · confidence 0\.88/ })
      .waitFor();

    // A new camera alert while the hall is open arrives live, worded the same way.
    await emit('proctor:signal', {
      attemptId,
      type: 'multi_person',
      clientEventId: `multi-${tag}`,
      confidence: 0.8,
      measure: { faces: 2 },
    });
    const multi = alerts.getByRole('listitem').filter({ hasText: 'More than one person' });
    await multi.filter({ hasText: /More than one person 2 faces · confidence 0\.80/ }).waitFor();
    // Its frame follows the alert: the hall learns of it live and offers it.
    expect(await multi.getByRole('button', { name: /^Show frame\b/ }).count()).toBe(0);
    const uploaded = await student.post(`/api/attempts/${attemptId}/evidence?clientEventId=multi-${tag}`, {
      headers: { 'content-type': 'image/jpeg' },
      data: smallJpeg(),
      // As a browser does: a kept-alive connection the server closed as it was reused is retried (ECONNRESET).
      maxRetries: 1,
    });
    expect(uploaded.status(), await uploaded.text()).toBe(201);
    await multi.getByRole('button', { name: /^Show frame\b.*more than one person/ }).waitFor();

    // No frame is fetched before it is asked for.
    expect(await hall.locator('img[data-evidence]').count()).toBe(0);
    const urlAsked = hall.waitForResponse((r) => /\/api\/evidence\/[0-9a-f-]+\/url$/.test(r.url()));
    const imageLoaded = hall.waitForResponse((r) => /\/api\/evidence\/[0-9a-f-]+\?exp=/.test(r.url()));
    await noFace.getByRole('button', { name: /^Show frame\b.*no face/ }).click();
    expect((await urlAsked).status()).toBe(200);
    const image = await imageLoaded;
    expect(image.status()).toBe(200);
    expect(image.headers()['content-type']).toBe('image/jpeg');

    const img = noFace.getByRole('img', { name: /^Camera frame taken at \d.* for the no face alert$/ });
    await img.waitFor();
    await expect
      .poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth), { timeout: 10_000 })
      .toBe(64);
    expect(cspViolations).toEqual([]);
    await shot(hall, 'hall-camera-alerts');
  });

  it('lists the camera signals in the risk breakdown with weight and mean confidence', async () => {
    await row()
      .getByRole('button', { name: new RegExp(`^Actions for ${studentName}`) })
      .click();
    const risk = hall.getByRole('table', { name: /^Risk score/ });
    await risk.waitFor();
    await risk.getByRole('columnheader', { name: 'Mean confidence' }).waitFor();
    const noFace = risk.getByRole('row').filter({ has: hall.getByRole('rowheader', { name: 'No face' }) });
    // Count 1, weight 10, confidence 0.91, 10 x 0.91 = 9.1 points.
    await expect.poll(() => noFace.getByRole('cell').allTextContents()).toEqual(['1', '10', '0.91', '9.1']);
    const multi = risk.getByRole('row').filter({ has: hall.getByRole('rowheader', { name: 'More than one person' }) });
    await expect.poll(() => multi.getByRole('cell').allTextContents()).toEqual(['1', '20', '0.80', '16']);
    const mismatch = risk.getByRole('row').filter({ has: hall.getByRole('rowheader', { name: 'Face mismatch' }) });
    // 30 x 0.88 = 26.4 points.
    await expect.poll(() => mismatch.getByRole('cell').allTextContents()).toEqual(['1', '30', '0.88', '26.4']);
  });

  it('passes axe-core with nothing serious or critical, frame and breakdown shown', async () => {
    expect(await seriousViolations(hall)).toEqual([]);
  });

  it('says a frame removed by the retention job was deleted, and why an open one cannot be shown', async () => {
    const db = new pg.Client({ connectionString: inject('databaseUrl') });
    await db.connect();
    try {
      const res = await db.query(
        `update proctoring_evidence set deleted_at = now(), sealed = null
           where event_id in (select id from proctoring_events where attempt_id = $1 and type in ('no_face', 'multi_person'))`,
        [attemptId],
      );
      expect(res.rowCount).toBe(2);
    } finally {
      await db.end();
    }
    // The hall still offers the frame it knew of: asking for it now says what happened.
    const multi = hall
      .getByRole('region', { name: /^Alerts/ })
      .getByRole('listitem')
      .filter({ hasText: 'More than one person' });
    await multi.getByRole('button', { name: /^Show frame\b/ }).click();
    await multi
      .getByRole('alert')
      .filter({ hasText: /^The frame could not be shown: .*deleted after its retention period/ })
      .waitFor();
    expect(await multi.getByRole('img').count()).toBe(0);

    await hall.reload();
    const noFace = hall
      .getByRole('region', { name: /^Alerts/ })
      .getByRole('listitem')
      .filter({ hasText: 'No face' });
    await noFace.getByText('Frame deleted after 7 days').waitFor();
    expect(await noFace.getByRole('button', { name: /^Show frame\b/ }).count()).toBe(0);
  });
});
