// Judging an uploaded credential with a verifier this project did not write
// (@digitalbazaar/vc + data-integrity + eddsa-rdfc-2022 + vc-bitstring-status-list): the proof
// against our published keys, the status list bit, then the anchored certificate's live
// chain check. Every failure of the libraries becomes a verdict in plain words, never a 5xx.
import * as vc from '@digitalbazaar/vc';
import { checkStatus } from '@digitalbazaar/vc-bitstring-status-list';
import type { CredentialCheck, CredentialVerification, Verification } from '@exam-hall/protocol';
import { STATUS_LIST_SIZE } from '@exam-hall/protocol';
import { unavailableErrorOf } from '../../db/unavailable.ts';
import { UnknownDocumentError, type DocumentLoader } from './credentials.contexts.ts';

interface Found {
  /** The certificate's live check (logged by the verification service). */
  check: () => Promise<Verification>;
  publicId: string;
}

export interface VerifyDeps {
  loader: DocumentLoader;
  suite: unknown;
  issuerUrl: string;
  /** Our verification methods' common prefix (<publicUrl>/issuer/keys/). */
  keyUrlPrefix: string;
  /** The certificate at this global status list index whose credential id is `credentialId`, or null. */
  certificateAt: (index: number, credentialId: string) => Promise<Found | null>;
}

/** Every error the libraries nest (VerificationError.errors, .cause), flattened. */
function errorsIn(err: unknown, depth = 0): Error[] {
  if (!(err instanceof Error) || depth > 5) return [];
  const e = err as Error & { errors?: unknown[]; cause?: unknown };
  return [e, ...(e.errors ?? []).flatMap((x) => errorsIn(x, depth + 1)), ...errorsIn(e.cause, depth + 1)];
}

/** A real credential has about 25 objects and arrays, 150 values, depth 6. Canonicalisation
 * (RDFC-1.0) grows faster than linearly with blank nodes, so bigger shapes are refused unread. */
const LIMITS = { containers: 80, values: 600, depth: 12 };
function complexityProblem(value: unknown): string | null {
  let containers = 0;
  let values = 0;
  let tooDeep = false;
  const walk = (v: unknown, depth: number) => {
    values++;
    if (v === null || typeof v !== 'object') return;
    if (depth > LIMITS.depth) {
      tooDeep = true;
      return;
    }
    containers++;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (containers > LIMITS.containers || values > LIMITS.values || tooDeep) return;
      walk(child, depth + 1);
    }
  };
  walk(value, 0);
  if (tooDeep) return `It is nested more than ${LIMITS.depth} levels deep; a credential is not.`;
  if (containers > LIMITS.containers || values > LIMITS.values) return 'It is far larger than a credential.';
  return null;
}

const short = (s: string) => (s.length > 200 ? `${s.slice(0, 200)}…` : s);

function proofFailure(result: vc.VerifyResult): { tampered: boolean; detail: string } {
  const errors = [result.error, ...(result.results ?? []).map((r) => r.error)].flatMap((e) => errorsIn(e));
  if (errors.some((e) => e instanceof UnknownDocumentError)) {
    return {
      tampered: false,
      detail:
        'It is not signed with a key this institution publishes, or it uses a vocabulary this verifier does not know.',
    };
  }
  if (errors.some((e) => e.message === 'Invalid signature.')) {
    return {
      tampered: true,
      detail: 'The signature does not match the content: the file was changed after it was signed.',
    };
  }
  if (errors.some((e) => /no matching proofs/i.test(e.message))) {
    return { tampered: false, detail: 'It carries no eddsa-rdfc-2022 Data Integrity proof.' };
  }
  return {
    tampered: false,
    detail: `It is not a valid signed credential (${short(errors[0]?.message ?? 'unknown reason')}).`,
  };
}

type StatusResult = NonNullable<vc.VerifyResult['statusResult']>;

export async function verifyCredential(credential: unknown, deps: VerifyDeps): Promise<CredentialVerification> {
  const checks: CredentialCheck[] = [];
  const verdict = (
    status: CredentialVerification['status'],
    message: string,
    certificate: Verification | null = null,
  ): CredentialVerification => ({ status, message, checks, certificate });

  const c = credential as {
    issuer?: unknown;
    credentialStatus?: { statusListIndex?: unknown; statusListCredential?: unknown };
    id?: unknown;
    proof?: unknown;
  };
  // Cheap refusals first: canonicalising a crafted document costs CPU on the event loop.
  const shape = complexityProblem(credential);
  if (shape) {
    checks.push({ name: 'Format', ok: false, detail: shape });
    return verdict('invalid', 'This file is not a credential this institution issued, so it proves nothing.');
  }
  const issuerId = typeof c.issuer === 'string' ? c.issuer : (c.issuer as { id?: unknown } | undefined)?.id;
  if (issuerId !== deps.issuerUrl) {
    checks.push({ name: 'Issuer', ok: false, detail: 'The credential does not name this institution as its issuer.' });
    return verdict('invalid', 'This credential was not issued by this institution, so it cannot be checked here.');
  }
  checks.push({ name: 'Issuer', ok: true, detail: `Issued by ${deps.issuerUrl}.` });
  const proofs = (Array.isArray(c.proof) ? c.proof : [c.proof]) as { verificationMethod?: unknown }[];
  if (
    !proofs.some((p) => typeof p?.verificationMethod === 'string' && p.verificationMethod.startsWith(deps.keyUrlPrefix))
  ) {
    checks.push({
      name: 'Signature',
      ok: false,
      detail: c.proof ? 'It is not signed with a key this institution publishes.' : 'It carries no signature (proof).',
    });
    return verdict('invalid', 'This is not a credential the institution signed, so it proves nothing.');
  }

  let statusResult: StatusResult | undefined;
  const result = await vc.verifyCredential({
    credential,
    suite: deps.suite,
    documentLoader: deps.loader,
    // Kept so the status outcome can be explained, whatever vc does with it.
    checkStatus: async (options) => {
      statusResult = (await checkStatus(options)) as StatusResult;
      return statusResult;
    },
  });

  // Our own documents could not be read (PostgreSQL or Redis down): say so (503), not 'invalid'.
  const outage = [result.error, ...(result.results ?? []).map((r) => r.error), statusResult?.error]
    .flatMap((e) => errorsIn(e))
    .map((e) => unavailableErrorOf(e))
    .find(Boolean);
  if (outage) throw outage;

  // vc checks the status only after the proof held.
  const proofOk = result.verified || statusResult !== undefined;
  if (!proofOk) {
    const failure = proofFailure(result);
    checks.push({ name: 'Signature', ok: false, detail: failure.detail });
    return failure.tampered
      ? verdict('tampered', 'The credential was changed after the institution signed it. Do not trust it.')
      : verdict('invalid', 'This is not a credential the institution signed, so it proves nothing.');
  }
  checks.push({
    name: 'Signature',
    ok: true,
    detail: 'Signed by the institution’s published key (eddsa-rdfc-2022), and unaltered since.',
  });

  if (!c.credentialStatus) {
    checks.push({
      name: 'Revocation list',
      ok: false,
      detail: 'It has no revocation entry, so it is not a certificate.',
    });
    return verdict('invalid', 'The institution signed this document, but it is not a certificate credential.');
  }
  const entry = statusResult?.results?.[0];
  if (!statusResult?.verified || !entry) {
    const why = errorsIn(statusResult?.error).find((e) => e instanceof UnknownDocumentError)
      ? 'The credential points to a status list this institution does not publish.'
      : `The revocation list could not be read (${short(statusResult?.error?.message ?? 'no status entry')}).`;
    checks.push({ name: 'Revocation list', ok: false, detail: why });
    return verdict(
      'unavailable',
      'The signature holds, but whether it was revoked could not be checked. Try again later.',
    );
  }

  // The signature covers credentialStatus and id, so they are the institution's own.
  const list = Number(String(c.credentialStatus?.statusListCredential).split('/').pop());
  const index = list * STATUS_LIST_SIZE + Number(c.credentialStatus?.statusListIndex);
  const found = Number.isSafeInteger(index) ? await deps.certificateAt(index, String(c.id)) : null;
  if (entry.status) {
    checks.push({ name: 'Revocation list', ok: false, detail: 'The institution’s revocation list marks it revoked.' });
    return verdict('revoked', 'The institution revoked this credential.', found ? await found.check() : null);
  }
  checks.push({ name: 'Revocation list', ok: true, detail: 'Not on the institution’s revocation list.' });

  if (!found) {
    checks.push({
      name: 'Blockchain record',
      ok: false,
      detail: 'The institution has no certificate for this credential.',
    });
    return verdict('invalid', 'The signature holds, but the institution has no certificate for this credential.');
  }
  const live = await found.check();
  const ok = live.status === 'valid';
  checks.push({ name: 'Blockchain record', ok, detail: live.message });
  switch (live.status) {
    case 'valid':
      return verdict(
        'valid',
        'Genuine: signed by the institution, unaltered, not revoked, and its record on the blockchain checks out.',
        live,
      );
    case 'revoked':
      return verdict('revoked', 'The institution revoked this certificate.', live);
    case 'tampered':
      return verdict(
        'tampered',
        'The institution’s record of this certificate no longer matches the blockchain. Do not trust it.',
        live,
      );
    case 'unavailable':
      return verdict(
        'unavailable',
        'The signature holds, but the blockchain record could not be checked right now. Try again later.',
        live,
      );
    default:
      return verdict('invalid', live.message, live);
  }
}
