// The demo's Zoom emulator stands in only for what a person did not set: a
// ZOOM_WEBHOOK_SECRET of their own is kept, and the emulator signs with it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { startDemoZoom } from '../demo/zoom-demo.ts';
import { signWebhook } from '../zoom-emulator/signing.ts';
import type { ZoomEmulator } from '../zoom-emulator/emulator.ts';

const emulators: ZoomEmulator[] = [];
let receiver: Server | undefined;
afterAll(async () => {
  await Promise.all(emulators.map((e) => e.stop()));
  receiver?.close();
});

it("keeps a person's ZOOM_WEBHOOK_SECRET and signs the demo's webhooks with it", async () => {
  const env: NodeJS.ProcessEnv = { ZOOM_WEBHOOK_SECRET: 'my-own-secret-token' };
  const emulator = await startDemoZoom(env);
  emulators.push(emulator);
  expect(env.ZOOM_WEBHOOK_SECRET).toBe('my-own-secret-token');

  // What the emulator sends verifies with the person's secret.
  const seen: { signature: string; timestamp: string; body: string }[] = [];
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({
        signature: String(req.headers['x-zm-signature']),
        timestamp: String(req.headers['x-zm-request-timestamp']),
        body,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver!.listen(0, '127.0.0.1', () => r()));
  emulator.setWebhookUrl(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`);
  const meeting = emulator.createMeeting({
    topic: 't',
    type: 2,
    start_time: new Date().toISOString(),
    duration: 30,
  }) as {
    id: number;
  };
  await emulator.startMeeting(meeting.id);
  expect(seen.length).toBeGreaterThan(0);
  const { signature, timestamp, body } = seen[0]!;
  expect(signature).toBe(signWebhook('my-own-secret-token', timestamp, body));
});

it("uses the demo's secret when none is set", async () => {
  const env: NodeJS.ProcessEnv = {};
  emulators.push(await startDemoZoom(env));
  expect(env.ZOOM_WEBHOOK_SECRET).toBe('demo-webhook-secret-token');
});
