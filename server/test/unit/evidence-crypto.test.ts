// Evidence frames at rest and their addresses (server/src/modules/camera/evidence.crypto.ts):
// AES-256-GCM with a fresh IV per frame, key rotation, tamper detection, the per-viewer
// signature, and the JPEG header check that reads the size without decoding.
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import jpeg from 'jpeg-js';
import { loadConfig } from '../../src/config/config.ts';
import { schedules } from '../../src/jobs/registry.ts';
import {
  derivedEvidenceKey,
  evidenceKeysOf,
  evidenceSignature,
  jpegSize,
  openFrame,
  sealFrame,
  verifyEvidenceSignature,
} from '../../src/modules/camera/evidence.crypto.ts';

const SECRET = 'unit-test-secret-that-is-long-enough-0123456789';
const frame = (w: number, h: number) =>
  Buffer.from(jpeg.encode({ data: Buffer.alloc(w * h * 4, 200), width: w, height: h }, 70).data);

describe('sealing frames', () => {
  it('seals with a fresh IV each time and opens to the same bytes', () => {
    const keys = evidenceKeysOf(SECRET, { key: null, oldKeys: [] });
    const plain = frame(32, 24);
    const a = sealFrame(keys, plain);
    const b = sealFrame(keys, plain);
    expect(a.sealed.subarray(0, 12).equals(b.sealed.subarray(0, 12))).toBe(false);
    expect(a.sealed.equals(b.sealed)).toBe(false);
    expect(a.sealed.includes(Buffer.from('JFIF'))).toBe(false);
    expect(openFrame(keys, a.keyId, a.sealed)!.equals(plain)).toBe(true);
    // The key id names the key without revealing it.
    expect(a.keyId).toMatch(/^k1-[A-Za-z0-9_-]{16}$/);
    expect(a.keyId).not.toContain(derivedEvidenceKey(SECRET).toString('base64').slice(0, 8));
  });

  it('refuses tampered bytes and unknown keys instead of answering garbage', () => {
    const keys = evidenceKeysOf(SECRET, { key: null, oldKeys: [] });
    const { sealed, keyId } = sealFrame(keys, frame(16, 16));
    for (const at of [0, 13, sealed.length - 1]) {
      const bad = Buffer.from(sealed);
      bad[at] = bad[at]! ^ 1;
      expect(openFrame(keys, keyId, bad)).toBeNull();
    }
    expect(openFrame(keys, 'k1-unknown', sealed)).toBeNull();
    expect(openFrame(keys, keyId, sealed.subarray(0, 20))).toBeNull();
    const otherServer = evidenceKeysOf('another-secret-of-another-install-0123456789', { key: null, oldKeys: [] });
    expect(openFrame(otherServer, keyId, sealed)).toBeNull();
  });

  it('keeps frames readable across a key rotation (EVIDENCE_KEYS_OLD, and the derived key)', () => {
    const k1 = randomBytes(32);
    const k2 = randomBytes(32);
    const derived = evidenceKeysOf(SECRET, { key: null, oldKeys: [] });
    const first = evidenceKeysOf(SECRET, { key: k1, oldKeys: [] });
    const byDerived = sealFrame(derived, frame(8, 8));
    const byK1 = sealFrame(first, frame(8, 8));
    expect(byK1.keyId).not.toBe(byDerived.keyId);
    const rotated = evidenceKeysOf(SECRET, { key: k2, oldKeys: [k1] });
    expect(openFrame(rotated, byK1.keyId, byK1.sealed)).not.toBeNull();
    expect(openFrame(rotated, byDerived.keyId, byDerived.sealed)).not.toBeNull();
    expect(sealFrame(rotated, frame(8, 8)).keyId).not.toBe(byK1.keyId);
    // Without the old key, its frames cannot be opened.
    expect(openFrame(evidenceKeysOf(SECRET, { key: k2, oldKeys: [] }), byK1.keyId, byK1.sealed)).toBeNull();
  });

  it('reads EVIDENCE_KEY and EVIDENCE_KEYS_OLD as 32-byte base64 keys, naming the variable otherwise', () => {
    const k = randomBytes(32).toString('base64');
    const old = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')];
    const c = loadConfig({ EVIDENCE_KEY: k, EVIDENCE_KEYS_OLD: old.join(', ') });
    expect(c.evidence.key!.equals(Buffer.from(k, 'base64'))).toBe(true);
    expect(c.evidence.oldKeys.map((b) => b.toString('base64'))).toEqual(old);
    expect(loadConfig({}).evidence).toEqual({ key: null, oldKeys: [] });
    expect(() => loadConfig({ EVIDENCE_KEY: randomBytes(16).toString('base64') })).toThrow(
      /EVIDENCE_KEY must be 32 bytes/,
    );
    expect(() => loadConfig({ EVIDENCE_KEYS_OLD: `${k},nope` })).toThrow(/EVIDENCE_KEYS_OLD/);
  });

  it('runs the retention job hourly on the maintenance queue, and once when a worker starts', () => {
    expect(schedules.find((s) => s.name === 'evidence.retention')).toMatchObject({
      queue: 'maintenance',
      everyMs: 3_600_000,
      atStart: true,
    });
  });
});

describe('evidence addresses', () => {
  const id = '6f1c2f4e-6a55-4f0e-9d55-0a6b9e1f2c3d';
  const user = 'b3a8f3f2-1d2c-4e5f-8a9b-0c1d2e3f4a5b';
  const now = Date.UTC(2026, 0, 1, 12);
  const exp = now / 1000 + 60;

  it('is good for its viewer until it expires, and for no one else', () => {
    const sig = evidenceSignature(SECRET, id, exp, user);
    expect(verifyEvidenceSignature(SECRET, id, exp, user, sig, now)).toBe('ok');
    expect(verifyEvidenceSignature(SECRET, id, exp, user, sig, now + 60_000)).toBe('expired');
    expect(verifyEvidenceSignature(SECRET, id, exp, 'someone-else', sig, now)).toBe('bad');
    expect(verifyEvidenceSignature(SECRET, id, exp + 600, user, sig, now)).toBe('bad');
    expect(verifyEvidenceSignature(SECRET, id.replace('6f', '7f'), exp, user, sig, now)).toBe('bad');
    expect(verifyEvidenceSignature('another-secret-0123456789-0123456789', id, exp, user, sig, now)).toBe('bad');
    expect(verifyEvidenceSignature(SECRET, id, exp, user, `${sig}x`, now)).toBe('bad');
    // An expired address whose signature is wrong says "bad", not "expired": nothing is revealed.
    expect(verifyEvidenceSignature(SECRET, id, exp, user, 'A'.repeat(43), now + 3_600_000)).toBe('bad');
  });
});

describe('the JPEG header', () => {
  it('gives the size of real JPEGs without decoding them', () => {
    expect(jpegSize(frame(320, 240))).toEqual({ width: 320, height: 240 });
    expect(jpegSize(frame(17, 401))).toEqual({ width: 17, height: 401 });
  });

  it('refuses what is not a JPEG, or is cut short, with a reason', () => {
    const f = frame(40, 30);
    expect(jpegSize(Buffer.from('GIF89a....'))).toEqual({ error: 'does not start with the JPEG SOI marker' });
    expect(jpegSize(Buffer.alloc(0))).toMatchObject({ error: expect.any(String) });
    expect(jpegSize(f.subarray(0, 2))).toMatchObject({ error: expect.any(String) });
    expect(jpegSize(f.subarray(0, 30))).toMatchObject({ error: expect.any(String) });
    // SOI then straight to the scan: no frame header.
    expect(jpegSize(Buffer.from([0xff, 0xd8, 0xff, 0xda, 0, 2, 0, 0]))).toEqual({
      error: 'has no frame header (SOF)',
    });
    // A segment length running past the end.
    expect(jpegSize(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0xff, 0xff, 0, 0]))).toEqual({
      error: 'has a broken marker segment',
    });
    // A zero-sized frame header.
    const zero = Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0, 11, 8, 0, 0, 0, 0, 1, 1, 0x11, 0]);
    expect(jpegSize(zero)).toEqual({ error: 'has no width or height' });
  });

  it('never throws on random bytes after the SOI marker', () => {
    for (let i = 0; i < 2000; i++) {
      const junk = Buffer.concat([Buffer.from([0xff, 0xd8]), randomBytes(Math.floor(Math.random() * 64))]);
      expect(() => jpegSize(junk)).not.toThrow();
    }
  });
});
