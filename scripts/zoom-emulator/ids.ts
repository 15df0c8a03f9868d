// Identifiers and timestamps in the forms Zoom uses, from either crypto randomness or a seeded
// generator (so generate() is reproducible).
import { randomBytes } from 'node:crypto';

export type Rng = () => number;

/** mulberry32: small, fast, good enough to make reproducible test data. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bytes(n: number, rng?: Rng): Buffer {
  if (!rng) return randomBytes(n);
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rng() * 256);
  return out;
}

/** Zoom timestamps carry whole seconds: "2025-06-04T19:11:50Z". */
export function zoomTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Meeting instance UUID: base64 of 16 bytes, so it may hold '/', '+' and ends in "==". */
export function newMeetingUuid(rng?: Rng): string {
  return bytes(16, rng).toString('base64');
}

/** User, host and registrant ids look like "6y-Yqx-DSGiUlkjaIH7ISw" (22 chars, base64url). */
export function newZoomId(rng?: Rng): string {
  return bytes(16, rng).toString('base64url');
}

/** participant_uuid as seen in real payloads: "10010282-DB44-816C-EAE6-61EE82AF0F62". */
export function newParticipantUuid(rng?: Rng): string {
  const h = bytes(16, rng).toString('hex').toUpperCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** 11-digit meeting number (fits a JS safe integer, like Zoom's). */
export function newMeetingNumber(rng?: Rng): number {
  const r = rng ? rng() : randomBytes(6).readUIntBE(0, 6) / 2 ** 48;
  return 81_000_000_000 + Math.floor(r * 18_000_000_000);
}

export function newPinCode(rng?: Rng): number {
  const r = rng ? rng() : randomBytes(4).readUInt32BE(0) / 2 ** 32;
  return 100_000 + Math.floor(r * 900_000);
}

export function randomToken(n = 32): string {
  return randomBytes(n).toString('base64url');
}
