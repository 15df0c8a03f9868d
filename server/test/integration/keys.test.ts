// The signing-key store: one active key per purpose even when many processes ask at once,
// private keys sealed at rest (and useless under another secret), retired LTI keys published
// only for their grace period, retired credential keys for ever.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import { createDb } from '../../src/db/client.ts';
import { signingKeys } from '../../src/db/schema/index.ts';
import { createKeyStore } from '../../src/modules/keys/keys.service.ts';
import { createTestDatabase } from '../support/test-db.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let conn: ReturnType<typeof createDb>;
const secret = 'a-test-secret-that-is-long-enough-0123456789';

beforeAll(async () => {
  database = await createTestDatabase();
  conn = createDb(database.url, 8);
});

afterAll(async () => {
  await conn?.pool.end();
  await database?.drop();
});

describe('key store', () => {
  it('concurrent first uses from several processes make one active key (and one next)', async () => {
    const stores = Array.from({ length: 6 }, () => createKeyStore({ db: conn.db, secret }));
    const keys = await Promise.all(stores.map((s) => s.active('credential_issuer')));
    expect(new Set(keys.map((k) => k.kid)).size).toBe(1);
    const rows = await conn.db.select().from(signingKeys).where(eq(signingKeys.purpose, 'credential_issuer'));
    expect(rows.map((r) => r.state).sort()).toEqual(['active', 'next']);
    // Ed25519, extractable, and the kid is the public key's thumbprint.
    const k = keys[0]!;
    expect(k.publicJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });
    expect(k.privateJwk.d).toBeTruthy();
    expect(k.privateKey.extractable).toBe(true);
    expect((await exportJWK(k.privateKey)).d).toBe(k.privateJwk.d);
    expect(await calculateJwkThumbprint(k.publicJwk)).toBe(k.kid);
  });

  it('seals private keys: no private part in the row, and another secret cannot open them', async () => {
    const store = createKeyStore({ db: conn.db, secret });
    const key = await store.active('lti_tool');
    expect(key.alg).toBe('RS256');
    const [row] = await conn.db.select().from(signingKeys).where(eq(signingKeys.kid, key.kid));
    expect(row!.privateSealed).not.toContain(String(key.privateJwk.d).slice(0, 20));
    expect(row!.publicJwk).not.toHaveProperty('d');
    const other = createKeyStore({ db: conn.db, secret: 'another-secret-entirely-0123456789abcdef' });
    await expect(other.active('lti_tool')).rejects.toThrow(/does not open with this server's secret/);
    expect(await store.byKid(key.kid)).toMatchObject({ purpose: 'lti_tool', state: 'active' });
    expect(await store.byKid('nope')).toBeNull();
  });

  it('rotation: next becomes active; a retired lti key is published only within its grace, a credential key for ever', async () => {
    let now = new Date();
    const store = createKeyStore({ db: conn.db, secret }, { ltiRetiredGraceMs: 60_000, now: () => now });
    const before = await store.published('lti_tool');
    const r = await store.rotate('lti_tool');
    expect(r).toEqual({ activeKid: before[1]!.kid, retiredKid: before[0]!.kid });
    expect((await store.active('lti_tool')).kid).toBe(r.activeKid);
    expect((await store.published('lti_tool')).map((k) => k.kid)).toContain(r.retiredKid);
    now = new Date(Date.now() + 120_000);
    expect((await store.published('lti_tool')).map((k) => k.kid)).not.toContain(r.retiredKid);

    const c = await store.rotate('credential_issuer');
    now = new Date(Date.now() + 10 * 365 * 86_400_000);
    expect((await store.published('credential_issuer')).map((k) => k.kid)).toContain(c.retiredKid);
    expect(await store.byKid(c.retiredKid!)).toMatchObject({ state: 'retired' });
  });
});
