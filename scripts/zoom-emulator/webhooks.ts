// Webhook delivery the way Zoom does it: a signed JSON POST, one attempt per call here (Zoom would
// retry later; tests want to see exactly what the receiver answered), 3 s to answer.
import { randomUUID } from 'node:crypto';
import { encryptPlainToken, signWebhook } from './signing.ts';
import { randomToken } from './ids.ts';

export interface WebhookDelivery {
  event: string;
  url: string | null;
  /** HTTP status the receiver answered; null when nothing was sent or the request failed. */
  status: number | null;
  error?: string;
  /** The exact bytes that were signed and sent. */
  rawBody: string;
  timestamp: string;
  signature: string;
  responseBody?: string;
}

export const ZOOM_USER_AGENT = 'Zoom Marketplace/1.0a';
const ANSWER_WITHIN_MS = 3000;

export async function deliverWebhook(
  url: string | undefined,
  secret: string,
  body: Record<string, unknown>,
): Promise<WebhookDelivery> {
  const rawBody = JSON.stringify(body);
  // The signed timestamp is the delivery time (receivers check it against their clock), even when
  // the event itself (event_ts) is back- or forward-dated.
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = signWebhook(secret, timestamp, rawBody);
  const delivery: WebhookDelivery = {
    event: String(body.event),
    url: url ?? null,
    status: null,
    rawBody,
    timestamp,
    signature,
  };
  if (!url) {
    delivery.error = 'no webhook URL set';
    return delivery;
  }
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': ZOOM_USER_AGENT,
        'x-zm-request-timestamp': timestamp,
        'x-zm-signature': signature,
        'x-zm-trackingid': `v=2.0&s=${randomUUID()}&c=emulator`,
      },
      body: rawBody,
      signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
    });
    delivery.status = res.status;
    delivery.responseBody = await res.text();
  } catch (err) {
    delivery.error = err instanceof Error ? err.message : String(err);
  }
  return delivery;
}

/** Sends endpoint.url_validation and checks the receiver's { plainToken, encryptedToken }. */
export async function validateEndpoint(
  url: string | undefined,
  secret: string,
): Promise<WebhookDelivery & { ok: boolean }> {
  const plainToken = randomToken(16);
  const delivery = await deliverWebhook(url, secret, {
    payload: { plainToken },
    event_ts: Date.now(),
    event: 'endpoint.url_validation',
  });
  let ok = false;
  if (delivery.status === 200 && delivery.responseBody) {
    try {
      const answer = JSON.parse(delivery.responseBody) as { plainToken?: unknown; encryptedToken?: unknown };
      ok = answer.plainToken === plainToken && answer.encryptedToken === encryptPlainToken(secret, plainToken);
    } catch {
      ok = false;
    }
  }
  return { ...delivery, ok };
}
