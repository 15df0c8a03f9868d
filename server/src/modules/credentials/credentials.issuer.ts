// The institution as a credential issuer: its Data Integrity signer (eddsa-rdfc-2022 over the
// credential_issuer Ed25519 key from the key store), its Profile, which is also the controller
// document authorising its keys, and each key as a Multikey document of its own URL. Retired
// keys stay listed (the key store publishes them for ever), so credentials they signed verify.
import type { JWK } from 'jose';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import type { ActiveKey, KeyStore } from '../keys/keys.service.ts';
import { issuerProfileOf, issuerUrlOf, keyUrlOf } from './credentials.build.ts';
import { OB_V3_CONTEXT, SECURITY_V2_CONTEXT, VC_V2_CONTEXT } from './credentials.contexts.ts';

const PURPOSE = 'credential_issuer' as const;

export function createIssuer(deps: { keys: KeyStore; publicUrl: string; institutionName: string }) {
  const { keys, publicUrl } = deps;
  const issuerUrl = issuerUrlOf(publicUrl);
  const kidOfKeyUrl = (url: string) => {
    const prefix = keyUrlOf(publicUrl, '');
    return url.startsWith(prefix) ? url.slice(prefix.length) : null;
  };

  async function multikeyOf(jwk: JWK, kid: string, secretKey: boolean) {
    return Ed25519Multikey.fromJwk({
      jwk: jwk as Record<string, unknown>,
      secretKey,
      id: keyUrlOf(publicUrl, kid),
      controller: issuerUrl,
    });
  }

  return {
    issuerUrl,
    kidOfKeyUrl,

    /** A proof suite that signs with the active key (the key store creates it on first use). */
    async signingSuite(): Promise<{ suite: unknown; key: ActiveKey }> {
      const key = await keys.active(PURPOSE);
      const pair = await multikeyOf(key.privateJwk, key.kid, true);
      return { suite: new DataIntegrityProof({ signer: pair.signer(), cryptosuite: eddsaRdfc2022 }), key };
    },

    /** A suite that verifies eddsa-rdfc-2022 proofs; the key comes from the proof's verificationMethod. */
    verifyingSuite: () => new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }),

    /** GET /issuer: the OB 3.0 Profile, and the controller document listing every published key. */
    async document() {
      const published = await keys.published(PURPOSE);
      return {
        '@context': [VC_V2_CONTEXT, OB_V3_CONTEXT, SECURITY_V2_CONTEXT],
        ...issuerProfileOf(publicUrl, deps.institutionName),
        assertionMethod: published.flatMap((jwk) => (jwk.kid ? [keyUrlOf(publicUrl, jwk.kid)] : [])),
      };
    },

    /** GET /issuer/keys/:kid: one public key as a Multikey, or null when it is not an issuer key of ours. */
    async keyDocument(kid: string) {
      const found = await keys.byKid(kid);
      if (!found || found.purpose !== PURPOSE) return null;
      const pair = await multikeyOf(found.publicJwk, kid, false);
      return (await pair.export({ publicKey: true, includeContext: true })) as {
        '@context': string;
        id: string;
        type: 'Multikey';
        controller: string;
        publicKeyMultibase: string;
      };
    },
  };
}
export type Issuer = ReturnType<typeof createIssuer>;
