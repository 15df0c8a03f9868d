import { timingSafeEqual } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import {
  CODE_ALPHABET,
  CODE_ENTROPY_BITS,
  CODE_LENGTH,
  codeHint,
  formatCode,
  generateNormalizedCode,
  hashCode,
  hashesEqual,
  newAccessCode,
  normalizeCode,
  verifyCode,
} from '../../src/modules/participants/access-codes.ts';

vi.mock('node:crypto', async (original) => {
  const real = await original<typeof import('node:crypto')>();
  return { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});

const SECRET = 'unit-test-secret-unit-test-secret-123';

describe('access code generation', () => {
  it('uses 32 distinct symbols without the look-alikes I, L, O and U', () => {
    expect(new Set(CODE_ALPHABET).size).toBe(32);
    expect(CODE_ALPHABET).toMatch(/^[0-9A-Z]+$/);
    for (const c of 'ILOU') expect(CODE_ALPHABET).not.toContain(c);
  });

  it('carries at least 60 bits, computed from alphabet size and length', () => {
    expect(CODE_ENTROPY_BITS).toBe(CODE_LENGTH * Math.log2(CODE_ALPHABET.length));
    expect(CODE_ENTROPY_BITS).toBeGreaterThanOrEqual(60);
  });

  it('formats codes as three groups of four', () => {
    const { code, hint } = newAccessCode(SECRET);
    expect(code).toMatch(new RegExp(`^[${CODE_ALPHABET}]{4}-[${CODE_ALPHABET}]{4}-[${CODE_ALPHABET}]{4}$`));
    expect(hint).toBe(code.slice(-4));
    expect(formatCode('7KQM3XTR9PWD')).toBe('7KQM-3XTR-9PWD');
  });

  it('draws 10,000 distinct codes using every symbol', () => {
    const codes = Array.from({ length: 10_000 }, generateNormalizedCode);
    expect(new Set(codes).size).toBe(codes.length);
    const seen = new Set(codes.join(''));
    expect(seen.size).toBe(32);
    // Roughly uniform: each symbol is expected 3,750 times in 120,000 characters.
    const counts = new Map<string, number>();
    for (const c of codes.join('')) counts.set(c, (counts.get(c) ?? 0) + 1);
    for (const n of counts.values()) expect(n).toBeGreaterThan(3_300);
  });
});

describe('normalizeCode', () => {
  it('ignores case, spaces and dashes', () => {
    expect(normalizeCode(' 7kqm-3xtr 9pwd ')).toBe('7KQM3XTR9PWD');
    expect(normalizeCode('7KQM3XTR9PWD')).toBe('7KQM3XTR9PWD');
  });

  it('reads O as 0 and I or L as 1', () => {
    expect(normalizeCode('OOII-LLAB-CDEF')).toBe('001111ABCDEF');
  });

  it('rejects wrong lengths and symbols outside the alphabet', () => {
    expect(normalizeCode('7KQM-3XTR-9PW')).toBeNull();
    expect(normalizeCode('7KQM-3XTR-9PWDX')).toBeNull();
    expect(normalizeCode('7KQM-3XTR-9PWU')).toBeNull();
    expect(normalizeCode('7KQM-3XTR-9PW!')).toBeNull();
    expect(normalizeCode('')).toBeNull();
  });
});

describe('hashing and verification', () => {
  it('stores a keyed hash, never the code', () => {
    const normalized = generateNormalizedCode();
    const h = hashCode(SECRET, normalized);
    expect(h).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(h).not.toContain(normalized);
    expect(hashCode('another-secret-another-secret-1234', normalized)).not.toBe(h);
    expect(codeHint(normalized)).toBe(normalized.slice(-4));
  });

  it('verifies the code however it is typed, and nothing else', () => {
    const { code, hash } = newAccessCode(SECRET);
    expect(verifyCode(SECRET, hash, code)).toBe(true);
    expect(verifyCode(SECRET, hash, code.toLowerCase().replaceAll('-', ' '))).toBe(true);
    expect(verifyCode(SECRET, hash, newAccessCode(SECRET).code)).toBe(false);
    expect(verifyCode(SECRET, hash, 'not a code')).toBe(false);
    expect(verifyCode('another-secret-another-secret-1234', hash, code)).toBe(false);
  });

  it('compares hashes with timingSafeEqual and survives malformed stored values', () => {
    const a = hashCode(SECRET, 'AAAAAAAAAAAA');
    vi.mocked(timingSafeEqual).mockClear();
    expect(hashesEqual(a, a)).toBe(true);
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
    expect(hashesEqual(a, hashCode(SECRET, 'AAAAAAAAAAAB'))).toBe(false);
    expect(hashesEqual(a, 'short')).toBe(false);
    expect(hashesEqual('', '')).toBe(true); // equal empty buffers; never a stored hash (NOT NULL, 43 chars)
  });
});
