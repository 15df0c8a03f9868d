// Zoom's webhook signature scheme, kept pure so tests (and the product) can sign or forge bodies:
// x-zm-signature = "v0=" + hex(HMAC-SHA256(secret token, "v0:{x-zm-request-timestamp}:{raw body}")),
// and endpoint.url_validation is answered with hex(HMAC-SHA256(secret token, plainToken)).
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signWebhook(secret: string, timestamp: string | number, rawBody: string | Uint8Array): string {
  const mac = createHmac('sha256', secret);
  mac.update(`v0:${timestamp}:`);
  mac.update(rawBody);
  return `v0=${mac.digest('hex')}`;
}

export function encryptPlainToken(secret: string, plainToken: string): string {
  return createHmac('sha256', secret).update(plainToken).digest('hex');
}

/** Constant-time check of an x-zm-signature header against the exact bytes received. */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string,
  rawBody: string | Uint8Array,
  signature: string,
): boolean {
  const expected = Buffer.from(signWebhook(secret, timestamp, rawBody));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
