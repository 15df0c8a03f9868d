// Sealing a signing key's private JWK at rest: AES-256-GCM with a key derived (HKDF-SHA256)
// from the server secret, a random 12-byte IV per key, and the key's kid as additional
// authenticated data (a sealed blob copied onto another row does not open). Hand-written
// on node:crypto because it is a dozen lines of standard primitives (the same scheme as
// camera evidence frames); no library adds anything here.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { SigningKeyPurpose } from '@exam-hall/protocol';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';

export function sealingKeyOf(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'exam-hall', 'signing-keys-v1', 32));
}

export function sealPrivateJwk(key: Buffer, kid: string, jwk: JWK): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(kid));
  const body = Buffer.concat([cipher.update(JSON.stringify(jwk), 'utf8'), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
}

/** The private JWK, or an Error (never the secret) when the blob does not open. */
export function openPrivateJwk(key: Buffer, kid: string, sealed: string): JWK {
  const [version, data] = sealed.split('.', 2);
  const raw = Buffer.from(data ?? '', 'base64url');
  if (version !== VERSION || raw.length <= IV_BYTES + TAG_BYTES) throw new Error(`signing key ${kid}: unreadable`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(kid));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as JWK;
  } catch {
    // Wrong server secret or a tampered row: say which key, not why in detail.
    throw new Error(`signing key ${kid} does not open with this server's secret`);
  }
}

/** lti_tool: RS256 (RSA 2048, what LTI platforms accept); credential_issuer: Ed25519 (eddsa-rdfc-2022). */
export const algorithmOf = (purpose: SigningKeyPurpose): 'RS256' | 'EdDSA' =>
  purpose === 'lti_tool' ? 'RS256' : 'EdDSA';

export interface GeneratedKey {
  kid: string;
  alg: string;
  publicJwk: JWK;
  privateJwk: JWK;
}

export async function generateSigningKey(purpose: SigningKeyPurpose): Promise<GeneratedKey> {
  const alg = algorithmOf(purpose);
  const pair =
    alg === 'RS256'
      ? await generateKeyPair('RS256', { modulusLength: 2048, extractable: true })
      : await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const bare = await exportJWK(pair.publicKey);
  // The kid is the key's RFC 7638 thumbprint: stable, unique, and reveals nothing.
  const kid = await calculateJwkThumbprint(bare);
  const publicJwk: JWK = { ...bare, kid, alg, use: 'sig' };
  const privateJwk: JWK = { ...(await exportJWK(pair.privateKey)), kid, alg, use: 'sig' };
  return { kid, alg, publicJwk, privateJwk };
}
