// CLI: node scripts/zoom-emulator/main.ts [--port 9099] [--host 127.0.0.1] [--webhook-url URL]
// Credentials come from ZOOM_ACCOUNT_ID / ZOOM_CLIENT_ID / ZOOM_CLIENT_SECRET / ZOOM_WEBHOOK_SECRET
// (development defaults otherwise). Logs one line per request.
import { parseArgs } from 'node:util';
import { startZoomEmulator } from './emulator.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9099' },
    host: { type: 'string', default: '127.0.0.1' },
    'webhook-url': { type: 'string' },
  },
});

const env = (name: string, fallback: string) => process.env[name] || fallback;
const accountId = env('ZOOM_ACCOUNT_ID', 'dev-account');
const clientId = env('ZOOM_CLIENT_ID', 'dev-client-id');
const clientSecret = env('ZOOM_CLIENT_SECRET', 'dev-client-secret');
const webhookSecret = env('ZOOM_WEBHOOK_SECRET', 'dev-webhook-secret');

const emulator = await startZoomEmulator({
  port: Number(values.port),
  host: values.host,
  accountId,
  clientId,
  clientSecret,
  webhookSecret,
  webhookUrl: values['webhook-url'],
  controlRoutes: true,
  onRequest: (line) => console.log(`${new Date().toISOString()} ${line}`),
});

const shownSecret = (name: string, value: string) => (process.env[name] ? '(from environment)' : value);
console.log(`Zoom emulator on ${emulator.url}
  OAuth token URL  ${emulator.oauthTokenUrl}   (POST ?grant_type=account_credentials&account_id=...)
  API base URL     ${emulator.apiBaseUrl}
  ZOOM_ACCOUNT_ID      ${accountId}
  ZOOM_CLIENT_ID       ${clientId}
  ZOOM_CLIENT_SECRET   ${shownSecret('ZOOM_CLIENT_SECRET', clientSecret)}
  ZOOM_WEBHOOK_SECRET  ${shownSecret('ZOOM_WEBHOOK_SECRET', webhookSecret)}
  host user            ${emulator.hostEmail} (or "me")
  webhooks to          ${values['webhook-url'] ?? '(none: pass --webhook-url)'}
  dev controls         POST /_emulator/meetings/{id}/start|join|leave|end|generate, GET .../report, GET /_emulator/stats`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void emulator.stop().then(() => process.exit(0));
  });
}
