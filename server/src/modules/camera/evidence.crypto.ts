// Evidence frames at rest and their short-lived addresses. Frames are sealed with
// AES-256-GCM (a random 12-byte IV per frame, stored as iv|tag|ciphertext with the key's
// id), so neither a database dump nor a backup shows a face. The key is EVIDENCE_KEY, or,
// when unset, one derived with HKDF from the server secret; older keys stay readable after
// a rotation. Addresses are HMAC-signed over (id, expiry, viewer), so a copied address is
// worthless to anyone else and soon to everyone. Nothing here logs a key or an image.
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../../lib/crypto.ts';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface EvidenceKeys {
  /** Seals new frames. */
  current: { id: string; key: Buffer };
  /** Opens frames sealed with any known key, by id. */
  byId: ReadonlyMap<string, Buffer>;
}

/** A key's id: a short hash of it, so the id reveals nothing and needs no configuration. */
const keyIdOf = (key: Buffer) => `k1-${createHash('sha256').update(key).digest('base64url').slice(0, 16)}`;

/** The key derived from the server secret (used when EVIDENCE_KEY is unset, and always readable). */
export function derivedEvidenceKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'exam-hall', 'evidence-frames-v1', 32));
}

export function evidenceKeysOf(secret: string, configured: { key: Buffer | null; oldKeys: Buffer[] }): EvidenceKeys {
  const derived = derivedEvidenceKey(secret);
  const current = configured.key ?? derived;
  const byId = new Map<string, Buffer>();
  for (const key of [current, ...configured.oldKeys, derived]) byId.set(keyIdOf(key), key);
  return { current: { id: keyIdOf(current), key: current }, byId };
}

export function sealFrame(keys: EvidenceKeys, plain: Buffer): { sealed: Buffer; keyId: string } {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keys.current.key, iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return { sealed: Buffer.concat([iv, cipher.getAuthTag(), body]), keyId: keys.current.id };
}

/** The frame, or null when its key is unknown or the bytes were tampered with (GCM tag). */
export function openFrame(keys: EvidenceKeys, keyId: string, sealed: Buffer): Buffer | null {
  const key = keys.byId.get(keyId);
  if (!key || sealed.length < IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
    decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    return null;
  }
}

/** The signature of an evidence address: HMAC-SHA256 of id|exp|userId under a purpose-bound key. */
export function evidenceSignature(secret: string, id: string, exp: number, userId: string): string {
  return createHmac('sha256', secret).update(`evidence-url:${id}|${exp}|${userId}`).digest('base64url');
}

export type SignatureVerdict = 'ok' | 'expired' | 'bad';

/** Checks the signature first (constant time), then the expiry: an address is only ever good for its viewer. */
export function verifyEvidenceSignature(
  secret: string,
  id: string,
  exp: number,
  userId: string,
  sig: string,
  nowMs = Date.now(),
): SignatureVerdict {
  if (!constantTimeEqual(evidenceSignature(secret, id, exp, userId), sig)) return 'bad';
  return exp * 1000 <= nowMs ? 'expired' : 'ok';
}

// ---------------------------------------------------------------- JPEG header

/** Start-of-frame markers (baseline, extended, progressive, lossless, arithmetic); not DHT (C4), JPG (C8), DAC (CC). */
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/**
 * The image's size from its JPEG header, read without decoding: SOI, then marker segments
 * up to the first start-of-frame. Null with a reason when it is not a JPEG we can read.
 */
export function jpegSize(buf: Buffer): { width: number; height: number } | { error: string } {
  if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0xd8) return { error: 'does not start with the JPEG SOI marker' };
  let i = 2;
  while (i + 4 <= buf.length) {
    if (buf[i] !== 0xff) return { error: 'has a broken marker segment' };
    const marker = buf[i + 1]!;
    // Fill bytes and markers without a length.
    if (marker === 0xff) {
      i += 1;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) break; // end of image, or scan data before any frame header
    const length = buf.readUInt16BE(i + 2);
    if (length < 2 || i + 2 + length > buf.length) return { error: 'has a broken marker segment' };
    if (SOF.has(marker)) {
      if (length < 7) return { error: 'has a broken frame header' };
      const height = buf.readUInt16BE(i + 5);
      const width = buf.readUInt16BE(i + 7);
      if (width === 0 || height === 0) return { error: 'has no width or height' };
      return { width, height };
    }
    i += 2 + length;
  }
  return { error: 'has no frame header (SOF)' };
}
