// One-time access codes: what they look like, how people may type them, how they are stored.
//
// Alphabet: Crockford's base32 (0-9 and A-Z without I, L, O, U). 32 symbols give exactly
// 5 bits per character, so a random byte masked to 5 bits picks a symbol without modulo
// bias, and 12 characters carry 60 bits, shown as three groups of four (7KQM-3XTR-9PWD).
// The look-alikes are harmless because typing is forgiving: O is read as 0 and I or L
// as 1, and case, spaces and dashes do not matter. (The all-letters alternative
// 23456789ABCDEFGHJKMNPQRSTVWXYZ has only 30 symbols: 12 characters would give 58.9 bits,
// so it would need a 13th character and an awkward last group.) U is not a symbol and is
// not mapped: a code containing U is simply wrong.
//
// Storage: only HMAC-SHA256(app secret, 'access-code:' + normalized code). Codes are
// random, so no slow hash is needed; the key means a leaked table alone cannot even be
// brute-forced offline. The hint (last 4 characters) lets a teacher tell codes apart.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_LENGTH = 12;
export const CODE_GROUP = 4;
/** log2(32) * 12 = 60 bits, the least a code may have: the bits are the protection (docs/SECURITY-LIMITS.md). */
export const CODE_ENTROPY_BITS = CODE_LENGTH * Math.log2(CODE_ALPHABET.length);
export const CODE_HINT_LENGTH = 4;

const LOOK_ALIKES: Record<string, string> = { O: '0', I: '1', L: '1' };
const VALID = new RegExp(`^[${CODE_ALPHABET}]{${CODE_LENGTH}}$`);

/** A fresh code in its normalized form (12 symbols, no dashes), from the CSPRNG. */
export function generateNormalizedCode(): string {
  const bytes = randomBytes(CODE_LENGTH);
  let out = '';
  for (const b of bytes) out += CODE_ALPHABET[b & 31];
  return out;
}

/** The normalized code as people read it: groups of four joined by dashes. */
export function formatCode(normalized: string): string {
  const groups: string[] = [];
  for (let i = 0; i < normalized.length; i += CODE_GROUP) groups.push(normalized.slice(i, i + CODE_GROUP));
  return groups.join('-');
}

/**
 * What a person typed, as the stored form: upper case, without spaces or dashes, with
 * O read as 0 and I/L as 1. Null when the result cannot be a code (wrong length or symbol).
 */
export function normalizeCode(input: string): string | null {
  const s = input
    .toUpperCase()
    .replace(/[\s-]+/g, '')
    .replace(/[OIL]/g, (c) => LOOK_ALIKES[c]!);
  return VALID.test(s) ? s : null;
}

/** The stored form: full-length HMAC-SHA256 under the app secret, base64url (43 characters). */
export function hashCode(secret: string, normalized: string): string {
  return createHmac('sha256', secret).update(`access-code:${normalized}`).digest('base64url');
}

export function codeHint(normalized: string): string {
  return normalized.slice(-CODE_HINT_LENGTH);
}

/** A new code: the plain form for the teacher (once), and what the database keeps. */
export function newAccessCode(secret: string): { code: string; hash: string; hint: string } {
  const normalized = generateNormalizedCode();
  return { code: formatCode(normalized), hash: hashCode(secret, normalized), hint: codeHint(normalized) };
}

/** Whether typed input is the code behind a stored hash; the comparison takes constant time. */
export function verifyCode(secret: string, storedHash: string, input: string): boolean {
  const normalized = normalizeCode(input);
  if (normalized === null) return false;
  return hashesEqual(storedHash, hashCode(secret, normalized));
}

/** Constant-time comparison of two stored-form hashes (the length is public: always 32 bytes). */
export function hashesEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'base64url');
  const bb = Buffer.from(b, 'base64url');
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}
