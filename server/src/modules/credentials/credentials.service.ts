// Open Badges 3.0 credentials: the holder's signed file, the public documents a verifier
// dereferences (issuer Profile + controller document, key documents, status lists) and the
// public verifier for uploaded files. Signing and JSON-LD canonicalisation cost CPU, so the
// downloads are limited per person and the verifier per IP (before any work).
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import * as vc from '@digitalbazaar/vc';
import type { CredentialVerification, OpenBadgeCredential } from '@exam-hall/protocol';
import type { Config } from '../../config/config.ts';
import type { Db } from '../../db/client.ts';
import { conflict, rateLimited } from '../../http/errors.ts';
import { keyedHash } from '../../lib/crypto.ts';
import type { Actor } from '../../policy/actor.ts';
import { certificateAccess } from '../../policy/access.ts';
import { accessFacts } from '../../policy/access.sql.ts';
import { certificateWithExam } from '../certificates/certificates.repository.ts';
import type { KeyStore } from '../keys/keys.service.ts';
import { verifyUrlOf, type Requester, type VerificationService } from '../verification/verification.service.ts';
import { issuerUrlOf, keyUrlOf, statusListUrlOf, unsignedCredentialOf } from './credentials.build.ts';
import { documentLoaderWith } from './credentials.contexts.ts';
import { createIssuer } from './credentials.issuer.ts';
import * as repo from './credentials.repository.ts';
import { createStatusLists } from './credentials.status.ts';
import { verifyCredential } from './credentials.verify.ts';

export interface CredentialServiceDeps {
  db: Db;
  redis: Redis;
  config: Config;
  secret: string;
  keys: KeyStore;
  verification: VerificationService;
}

/** Downloads per person per minute: far above a person's clicks, far below a signing loop. */
const DOWNLOADS_PER_MINUTE = 30;
/** Public document fetches (issuer, keys, status lists) per IP per minute: verifiers and wallets
 * fetch these for every credential they check; a school's NAT must not hit it, a loop should. */
const DOCUMENTS_PER_MINUTE = 1200;

export function createCredentialService(deps: CredentialServiceDeps) {
  const { db, config } = deps;
  const publicUrl = config.http.publicUrl;
  const issuer = createIssuer({ keys: deps.keys, publicUrl, institutionName: config.institutionName });
  const statusLists = createStatusLists({ db, issuer, publicUrl });
  const statusListPrefix = statusListUrlOf(publicUrl, 0).slice(0, -1);

  /** This server's own documents, answered in-process (the loader never goes to the network). */
  const loader = documentLoaderWith(async (url) => {
    if (url === issuer.issuerUrl) return issuer.document();
    const kid = issuer.kidOfKeyUrl(url);
    if (kid !== null) return /^[A-Za-z0-9_-]{16,128}$/.test(kid) ? issuer.keyDocument(kid) : null;
    if (url.startsWith(statusListPrefix)) {
      const list = url.slice(statusListPrefix.length);
      return /^(0|[1-9]\d{0,9})$/.test(list) ? statusLists.get(Number(list), loader) : null;
    }
    return null;
  });

  const limiter = (name: string, points: number) =>
    new RateLimiterRedis({
      storeClient: deps.redis,
      keyPrefix: `${config.redis.prefix}:rl:${name}`,
      points,
      duration: 60,
      // Redis down: the same limit per process, rather than an error for everyone.
      insuranceLimiter: new RateLimiterMemory({ points, duration: 60 }),
    });
  const downloads = limiter('credential-download', DOWNLOADS_PER_MINUTE);
  const verifications = limiter('verify-credential', config.verify.maxPerIpPerMinute);
  const documents = limiter('credential-documents', DOCUMENTS_PER_MINUTE);

  async function consume(l: RateLimiterRedis, key: string, what: string) {
    try {
      await l.consume(key);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const seconds = Math.ceil(err.msBeforeNext / 1000);
      throw rateLimited(`Too many ${what}. Try again in ${seconds} s.`, seconds);
    }
  }

  return {
    /** The certificate's signed OpenBadgeCredential: its student, the exam's teachers, admins. */
    async credential(actor: Actor, id: string): Promise<{ credential: OpenBadgeCredential; filename: string }> {
      const row = await certificateAccess(actor, await certificateWithExam(db, id), 'read', accessFacts(db));
      const unsigned = unsignedCredentialOf({ cert: row.cert, publicUrl, institutionName: config.institutionName });
      if (!unsigned) {
        throw conflict(
          `This certificate is not on the blockchain yet (it is ${row.cert.status}), so there is no Open Badge to download.`,
        );
      }
      await consume(downloads, actor.userId, 'credential downloads');
      const { suite } = await issuer.signingSuite();
      const signed = await vc.issue({ credential: unsigned, suite, documentLoader: loader });
      return { credential: signed as OpenBadgeCredential, filename: `open-badge-${row.cert.publicId}.json` };
    },

    /** Before serving a public document: counted per IP. */
    throttleDocuments: (ip: string) =>
      consume(documents, keyedHash(deps.secret, 'ip', ip), 'requests for credential documents from your network'),
    issuerDocument: () => issuer.document(),
    keyDocument: (kid: string) => issuer.keyDocument(kid),
    statusList: (list: number) => statusLists.get(list, loader),

    async verify(credential: unknown, who: Requester): Promise<CredentialVerification> {
      await consume(verifications, keyedHash(deps.secret, 'ip', who.ip), 'credential checks from your network');
      return verifyCredential(credential, {
        loader,
        suite: issuer.verifyingSuite(),
        issuerUrl: issuerUrlOf(publicUrl),
        keyUrlPrefix: keyUrlOf(publicUrl, ''),
        async certificateAt(index, credentialId) {
          const cert = await repo.certificateAtStatusIndex(db, index);
          if (!cert || verifyUrlOf(publicUrl, cert.publicId) !== credentialId) return null;
          return {
            publicId: cert.publicId,
            check: () => deps.verification.verify(cert.publicId, who, 'credential'),
          };
        },
      });
    },
  };
}
export type CredentialService = ReturnType<typeof createCredentialService>;
