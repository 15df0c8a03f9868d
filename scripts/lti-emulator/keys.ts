// The platform's RS256 key pair (published at /.well-known/jwks.json) and verification of what the
// tool signs (client assertions, deep-linking responses) against the tool's own JWKS URL, with jose.
import {
  createRemoteJWKSet,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type JWK,
  type JWTPayload,
  type JWTVerifyResult,
} from 'jose';
import { randomToken } from './state.ts';

export interface PlatformKeys {
  kid: string;
  publicJwk: JWK;
  sign(payload: JWTPayload, opts?: { expiresInSeconds?: number; kid?: string }): Promise<string>;
}

export async function createPlatformKeys(): Promise<PlatformKeys> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
  const kid = `platform-${randomToken(6)}`;
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return {
    kid,
    publicJwk,
    async sign(payload, opts = {}) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT(payload)
        .setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? kid, typ: 'JWT' })
        .setIssuedAt(now)
        .setExpirationTime(now + (opts.expiresInSeconds ?? 300))
        .sign(privateKey);
    },
  };
}

/** Verifies JWTs the tool signed, fetching its JWKS (jose caches it and refetches on an unknown kid). */
export class ToolVerifier {
  private jwks: ReturnType<typeof createRemoteJWKSet> | null = null;
  private url = '';

  setJwksUrl(url: string): void {
    if (url === this.url) return;
    this.url = url;
    // A short cooldown so a tool that has just rotated its key is re-read quickly.
    this.jwks = url ? createRemoteJWKSet(new URL(url), { cooldownDuration: 1000, timeoutDuration: 5000 }) : null;
  }

  async verify(token: string, expect: { issuer: string; audience: string }): Promise<JWTVerifyResult> {
    if (!this.jwks) throw new Error('no tool JWKS URL is registered');
    return jwtVerify(token, this.jwks, {
      issuer: expect.issuer,
      audience: expect.audience,
      algorithms: ['RS256', 'RS384', 'RS512', 'ES256', 'EdDSA'],
      clockTolerance: 5,
      requiredClaims: ['iat', 'exp'],
    });
  }
}

/** A short reason for a jose verification failure, without the token itself. */
export function jwtFailure(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err) {
    const code = String((err as { code: unknown }).code);
    const claim = 'claim' in err ? ` (${String((err as { claim: unknown }).claim)})` : '';
    return `${code}${claim}: ${err instanceof Error ? err.message : ''}`;
  }
  return err instanceof Error ? err.message : String(err);
}
