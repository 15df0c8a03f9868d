// What a person pasted into the certificate lookup: a verification link, a certificate id,
// a transaction hash or a token id. Told apart by shape, each checked with a message that
// says what is wrong in words, before anything is sent.
import { CREDENTIAL_UPLOAD_MAX_KB } from '@exam-hall/protocol';

export type Lookup =
  | { kind: 'publicId'; publicId: string }
  | { kind: 'txHash'; txHash: string }
  | { kind: 'tokenId'; tokenId: string }
  | { kind: 'error'; message: string };

const PUBLIC_ID = /^[A-Za-z0-9_-]{22,64}$/;

export function parseLookup(raw: string): Lookup {
  const value = raw.trim();
  if (!value)
    return { kind: 'error', message: 'Enter a certificate link, certificate id, transaction hash or token id.' };
  if (/^0x/i.test(value)) {
    const hex = value.slice(2);
    if (!/^[0-9a-fA-F]*$/.test(hex))
      return {
        kind: 'error',
        message: 'A transaction hash has only the digits 0-9 and the letters a-f after 0x. Check for a typing mistake.',
      };
    if (hex.length !== 64)
      return {
        kind: 'error',
        message: `A transaction hash is 0x followed by 64 characters; this one has ${hex.length}. Copy all of it.`,
      };
    return { kind: 'txHash', txHash: `0x${hex.toLowerCase()}` };
  }
  if (/^\d+$/.test(value)) {
    if (value.length > 78)
      return { kind: 'error', message: `A token id has at most 78 digits; this one has ${value.length}.` };
    return { kind: 'tokenId', tokenId: value };
  }
  // A link: the id is the path segment after /verify/ (any host: the link may come from a PDF or a QR code).
  const inLink = /\/verify\/([^/?#\s]+)/.exec(value);
  if (/^https?:\/\//i.test(value) && !inLink)
    return { kind: 'error', message: 'This link is not a certificate verification link (those contain /verify/).' };
  const id = inLink ? decodeURIComponent(inLink[1]!) : value;
  if (!PUBLIC_ID.test(id))
    return {
      kind: 'error',
      message: inLink
        ? 'The certificate id in this link is cut short or changed. Copy the whole link again.'
        : 'This is not a certificate id, transaction hash (0x…) or token id (digits). A certificate id is at least 22 letters, digits, - or _.',
    };
  return { kind: 'publicId', publicId: id };
}

/** The most a credential file may weigh: the server's own limit (a real one is about 4 KB). */
export const MAX_CREDENTIAL_BYTES = CREDENTIAL_UPLOAD_MAX_KB * 1024;

/** An uploaded credential file read and checked enough to send: JSON with @context and type. */
export function parseCredentialFile(
  name: string,
  size: number,
  text: string,
): { ok: true; credential: Record<string, unknown> } | { ok: false; message: string } {
  if (size > MAX_CREDENTIAL_BYTES)
    return {
      ok: false,
      message: `${name} is ${Math.ceil(size / 1024)} KB; a credential file is at most ${MAX_CREDENTIAL_BYTES / 1024} KB. Is it the right file?`,
    };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {
      ok: false,
      message: `${name} is not a credential file (it is not JSON). Choose the .json credential the certificate holder gave you.`,
    };
  }
  if (
    typeof parsed !== 'object' ||
    parsed === null ||
    Array.isArray(parsed) ||
    !('@context' in parsed) ||
    !('type' in parsed)
  )
    return {
      ok: false,
      message: `${name} is JSON but not a verifiable credential (it has no @context or type). Choose the credential file, not the certificate file.`,
    };
  return { ok: true, credential: parsed as Record<string, unknown> };
}
