import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  buildMetadata,
  canonicalJson,
  metadataHashOf,
  newPublicId,
  tokenIdOf,
} from '../../src/modules/certificates/certificates.metadata.ts';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument } from 'pdf-lib';
import { certificatePdf, loadFonts, printable } from '../../src/modules/certificates/certificates.documents.ts';

const facts = {
  publicId: 'AAAAAAAAAAAAAAAAAAAAAA',
  institutionName: 'Institute',
  courseName: null,
  examId: '00000000-0000-4000-8000-000000000001',
  examTitle: 'Chemistry',
  studentName: 'Zoë Ångström',
  score: 12.5,
  maxScore: 16,
  percentage: 78.13,
  passingScore: 60,
  completedAt: new Date('2026-11-01T10:00:00Z'),
  issuedAt: new Date('2026-11-01T10:05:00Z'),
};

describe('certificate metadata', () => {
  it('canonicalizes with sorted keys and ECMAScript numbers (RFC 8785)', () => {
    expect(canonicalJson({ b: 1, a: { d: 2.5, c: [3, 1.0] } })).toBe('{"a":{"c":[3,1],"d":2.5},"b":1}');
  });

  it('hashes the canonical UTF-8 bytes, whatever order the keys come in (as JSONB returns them)', () => {
    const m = buildMetadata(facts);
    const reordered = Object.fromEntries(Object.entries(m).reverse());
    expect(metadataHashOf(reordered)).toBe(metadataHashOf(m));
    expect(metadataHashOf(m)).toBe(`0x${createHash('sha256').update(canonicalJson(m), 'utf8').digest('hex')}`);
    expect(metadataHashOf({ ...m, result: { ...m.result, percentage: 78.14 } })).not.toBe(metadataHashOf(m));
  });

  it('salts every certificate so the hash cannot be confirmed by guessing the facts', () => {
    const a = buildMetadata(facts);
    const b = buildMetadata(facts);
    expect(a.salt).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(a.salt).not.toBe(b.salt);
    expect(metadataHashOf(a)).not.toBe(metadataHashOf(b));
  });

  it('keeps no email and states a pass', () => {
    const m = buildMetadata(facts);
    expect(JSON.stringify(m)).not.toContain('@');
    expect(m.result).toEqual({ score: 12.5, maxScore: 16, percentage: 78.13, passingScore: 60, passed: true });
  });

  it('makes 128-bit public ids and token ids from the UUID', () => {
    const ids = new Set(Array.from({ length: 1000 }, newPublicId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    expect(tokenIdOf('00000000-0000-4000-8000-000000000001')).toBe(0x00000000000040008000000000000001n);
    expect(() => tokenIdOf('not-a-uuid')).toThrow(/not a UUID/);
  });

  it('prints names in Latin, Greek and Cyrillic scripts as written, and "?" for what the font lacks', async () => {
    const doc = await PDFDocument.create();
    doc.registerFontkit(fontkit);
    const font = await doc.embedFont((await loadFonts()).serif, { subset: true });
    expect(printable('Zoë Ångström', font)).toBe('Zoë Ångström');
    expect(printable('Łukasz Šimek, Şükrü, Дмитрий, Σωκράτης', font)).toBe('Łukasz Šimek, Şükrü, Дмитрий, Σωκράτης');
    expect(printable('王小明', font)).toBe('???');
  });

  it('makes a PDF for any name', async () => {
    const metadata = buildMetadata({ ...facts, studentName: 'Łukasz 王' });
    const pdf = await certificatePdf({ metadata, verifyUrl: 'http://localhost:3000/verify/x', anchor: null });
    expect(Buffer.from(pdf).subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.byteLength).toBeLessThan(200_000); // fonts are subset, not embedded whole
  });
});
