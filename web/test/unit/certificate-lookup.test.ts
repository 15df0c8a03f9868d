// What a person pastes into the certificate lookup is told apart by shape, and a malformed
// value is named with what is wrong, before anything is sent.
import { describe, expect, it } from 'vitest';
import { MAX_CREDENTIAL_BYTES, parseCredentialFile, parseLookup } from '../../src/lib/certificates/lookup.ts';

const ID = 'AbCdEfGhIjKlMnOpQrStUv';
const TX = `0x${'ab12'.repeat(16)}`;

describe('parseLookup', () => {
  it('reads a certificate id, a verification link from any host, a transaction hash and a token id', () => {
    expect(parseLookup(`  ${ID} `)).toEqual({ kind: 'publicId', publicId: ID });
    expect(parseLookup(`https://exams.school.example/verify/${ID}?via=qr`)).toEqual({ kind: 'publicId', publicId: ID });
    expect(parseLookup(TX.toUpperCase().replace('0X', '0x'))).toEqual({ kind: 'txHash', txHash: TX });
    expect(parseLookup('123456789')).toEqual({ kind: 'tokenId', tokenId: '123456789' });
  });

  it('names what is wrong with a malformed value', () => {
    expect(parseLookup('')).toMatchObject({ kind: 'error', message: expect.stringContaining('Enter a certificate') });
    expect(parseLookup('0x1234')).toMatchObject({ message: expect.stringContaining('this one has 4') });
    expect(parseLookup(`0x${'g'.repeat(64)}`)).toMatchObject({
      message: expect.stringContaining('0-9 and the letters a-f'),
    });
    expect(parseLookup('9'.repeat(79))).toMatchObject({ message: expect.stringContaining('at most 78 digits') });
    expect(parseLookup('https://example.com/somewhere')).toMatchObject({
      message: expect.stringContaining('/verify/'),
    });
    expect(parseLookup(`https://x.example/verify/${ID.slice(0, 10)}`)).toMatchObject({
      message: expect.stringContaining('cut short'),
    });
    expect(parseLookup('hello world')).toMatchObject({ message: expect.stringContaining('not a certificate id') });
  });
});

describe('parseCredentialFile', () => {
  it('accepts JSON with @context and type', () => {
    const text = JSON.stringify({
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiableCredential'],
    });
    expect(parseCredentialFile('c.json', text.length, text)).toMatchObject({ ok: true });
  });

  it('refuses a big file, a file that is not JSON and JSON that is no credential, naming the file', () => {
    expect(parseCredentialFile('big.json', MAX_CREDENTIAL_BYTES + 1, '{}')).toMatchObject({
      ok: false,
      message: expect.stringContaining('big.json is 17 KB'),
    });
    expect(parseCredentialFile('photo.json', 3, 'GIF')).toMatchObject({
      message: expect.stringContaining('photo.json is not a credential file'),
    });
    expect(parseCredentialFile('cert.json', 20, '{"metadata":{}}')).toMatchObject({
      message: expect.stringContaining('no @context or type'),
    });
  });
});
