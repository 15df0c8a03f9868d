// The server's own signing keys, for both purposes: the LTI tool (RS256: client assertions,
// Deep Linking responses; published at /lti/jwks) and the credential issuer (Ed25519: Open
// Badges 3.0 Data Integrity proofs). Private keys are sealed at rest (keys.crypto.ts).
//
// Rotation: every purpose keeps an 'active' key that signs and a 'next' key that is already
// published, so relying parties that cache our JWKS know a key before it signs anything.
// rotate() retires the active key, promotes next, and makes a new next. A retired lti_tool
// key stays published for LTI_RETIRED_GRACE_MS (tokens it signed live minutes; platforms
// cache JWKS for hours); a retired credential_issuer key stays published for ever, because
// credentials signed with it are kept for years and must keep verifying.
import { and, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import { importJWK, type CryptoKey, type JWK } from 'jose';
import type { SigningKeyPurpose, SigningKeyState } from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';
import { signingKeys } from '../../db/schema/index.ts';
import { generateSigningKey, openPrivateJwk, sealingKeyOf, sealPrivateJwk } from './keys.crypto.ts';

export const LTI_RETIRED_GRACE_MS = 7 * 86_400_000;
/** How long a process trusts its cached active key before re-reading (another process may rotate). */
const ACTIVE_CACHE_MS = 10_000;

export interface ActiveKey {
  kid: string;
  alg: string;
  publicJwk: JWK;
  privateKey: CryptoKey;
  privateJwk: JWK;
}

export interface KeyStore {
  /** The active key (created on first use; concurrent first uses must not create two). */
  active(purpose: SigningKeyPurpose): Promise<ActiveKey>;
  /** Keys to publish: next + active + retired within their grace period (public JWKs only). */
  published(purpose: SigningKeyPurpose): Promise<JWK[]>;
  byKid(kid: string): Promise<{ purpose: SigningKeyPurpose; publicJwk: JWK; state: SigningKeyState } | null>;
  rotate(purpose: SigningKeyPurpose): Promise<{ activeKid: string; retiredKid: string | null }>;
}

export interface KeyStoreOptions {
  /** Retired lti_tool keys stay published this long (tests shorten it). */
  ltiRetiredGraceMs?: number;
  now?: () => Date;
}

const lockKey = (purpose: SigningKeyPurpose) => `exam-hall:signing-keys:${purpose}`;

export function createKeyStore(deps: { db: Db; secret: string }, options: KeyStoreOptions = {}): KeyStore {
  const { db } = deps;
  const sealing = sealingKeyOf(deps.secret);
  const grace = options.ltiRetiredGraceMs ?? LTI_RETIRED_GRACE_MS;
  const now = options.now ?? (() => new Date());
  const cache = new Map<SigningKeyPurpose, { key: ActiveKey; until: number }>();

  async function insertKey(tx: Tx, purpose: SigningKeyPurpose, state: SigningKeyState) {
    const made = await generateSigningKey(purpose);
    await tx.insert(signingKeys).values({
      purpose,
      kid: made.kid,
      alg: made.alg,
      publicJwk: made.publicJwk as Record<string, unknown>,
      privateSealed: sealPrivateJwk(sealing, made.kid, made.privateJwk),
      state,
      activatedAt: state === 'active' ? now() : null,
    });
    return made.kid;
  }

  /** Creates the active (and next) key unless another caller already did: serialized per purpose. */
  async function ensureActive(purpose: SigningKeyPurpose): Promise<void> {
    await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${lockKey(purpose)}))`);
      const existing = await tx
        .select({ state: signingKeys.state })
        .from(signingKeys)
        .where(and(eq(signingKeys.purpose, purpose), inArray(signingKeys.state, ['active', 'next'])));
      if (!existing.some((k) => k.state === 'active')) await insertKey(tx, purpose, 'active');
      if (!existing.some((k) => k.state === 'next')) await insertKey(tx, purpose, 'next');
    });
  }

  async function loadActive(purpose: SigningKeyPurpose): Promise<ActiveKey | null> {
    const [row] = await db
      .select()
      .from(signingKeys)
      .where(and(eq(signingKeys.purpose, purpose), eq(signingKeys.state, 'active')))
      .limit(1);
    if (!row) return null;
    const privateJwk = openPrivateJwk(sealing, row.kid, row.privateSealed);
    const privateKey = (await importJWK(privateJwk, row.alg, { extractable: true })) as CryptoKey;
    return { kid: row.kid, alg: row.alg, publicJwk: row.publicJwk as JWK, privateKey, privateJwk };
  }

  async function active(purpose: SigningKeyPurpose): Promise<ActiveKey> {
    const hit = cache.get(purpose);
    if (hit && hit.until > Date.now()) return hit.key;
    let key = await loadActive(purpose);
    if (!key) {
      await ensureActive(purpose);
      key = await loadActive(purpose);
    }
    if (!key) throw new Error(`no active ${purpose} signing key`);
    cache.set(purpose, { key, until: Date.now() + ACTIVE_CACHE_MS });
    return key;
  }

  async function published(purpose: SigningKeyPurpose): Promise<JWK[]> {
    // Publishing makes the keys exist: a JWKS fetched before anything was signed still
    // lists the key that will sign.
    await active(purpose);
    const retiredVisible =
      purpose === 'credential_issuer'
        ? eq(signingKeys.state, 'retired')
        : and(eq(signingKeys.state, 'retired'), gt(signingKeys.retiredAt, new Date(now().getTime() - grace)));
    const rows = await db
      .select({ publicJwk: signingKeys.publicJwk, state: signingKeys.state })
      .from(signingKeys)
      .where(and(eq(signingKeys.purpose, purpose), or(inArray(signingKeys.state, ['active', 'next']), retiredVisible)))
      .orderBy(signingKeys.createdAt);
    const order: Record<SigningKeyState, number> = { active: 0, next: 1, retired: 2 };
    return rows.sort((a, b) => order[a.state] - order[b.state]).map((r) => r.publicJwk as JWK);
  }

  async function byKid(kid: string) {
    const [row] = await db
      .select({ purpose: signingKeys.purpose, publicJwk: signingKeys.publicJwk, state: signingKeys.state })
      .from(signingKeys)
      .where(eq(signingKeys.kid, kid))
      .limit(1);
    return row ? { purpose: row.purpose, publicJwk: row.publicJwk as JWK, state: row.state } : null;
  }

  async function rotate(purpose: SigningKeyPurpose) {
    const result = await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${lockKey(purpose)}))`);
      const [current] = await tx
        .update(signingKeys)
        .set({ state: 'retired', retiredAt: now() })
        .where(and(eq(signingKeys.purpose, purpose), eq(signingKeys.state, 'active')))
        .returning({ kid: signingKeys.kid });
      const [promoted] = await tx
        .update(signingKeys)
        .set({ state: 'active', activatedAt: now() })
        .where(and(eq(signingKeys.purpose, purpose), eq(signingKeys.state, 'next'), isNull(signingKeys.retiredAt)))
        .returning({ kid: signingKeys.kid });
      const activeKid = promoted?.kid ?? (await insertKey(tx, purpose, 'active'));
      await insertKey(tx, purpose, 'next');
      return { activeKid, retiredKid: current?.kid ?? null };
    });
    cache.delete(purpose);
    return result;
  }

  return { active, published, byKid, rotate };
}
