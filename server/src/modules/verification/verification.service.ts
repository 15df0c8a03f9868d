// Public certificate verification: the issuer's record checked live against the
// chain. The answer never contains the student's email. Every lookup is rate-limited
// per IP and logged in verification_requests with the IP as a keyed hash only.
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { CertificateMetadata, Verification, VerificationStatus } from '@exam-hall/protocol';
import type { Config } from '../../config/config.ts';
import type { Db } from '../../db/client.ts';
import type { Certificate } from '../../db/schema/certificates.ts';
import { keyedHash } from '../../lib/crypto.ts';
import { rateLimited } from '../../http/errors.ts';
import {
  describeChainError,
  type CertificateChain,
  type OnChainCertificate,
} from '../certificates/certificates.chain.ts';
import { metadataHashOf, tokenIdOf } from '../certificates/certificates.metadata.ts';
import * as repo from './verification.repository.ts';

export interface VerificationDeps {
  db: Db;
  redis: Redis;
  config: Config;
  secret: string;
  chain: CertificateChain | null;
}

export interface Requester {
  ip: string;
  userAgent: string | undefined;
}

export const verifyUrlOf = (publicUrl: string, publicId: string) => `${publicUrl}/verify/${publicId}`;

function factsOf(m: CertificateMetadata): NonNullable<Verification['facts']> {
  return {
    recipientName: m.recipient.name,
    examTitle: m.exam.title,
    courseName: m.course?.name ?? null,
    institutionName: m.institution.name,
    score: m.result.score,
    maxScore: m.result.maxScore,
    percentage: m.result.percentage,
    passingScore: m.result.passingScore,
    completedAt: m.completedAt,
    issuedAt: m.issuedAt,
  };
}

export function createVerificationService(deps: VerificationDeps) {
  const { db, config, chain } = deps;
  const limiter = new RateLimiterRedis({
    storeClient: deps.redis,
    keyPrefix: `${config.redis.prefix}:rl:verify`,
    points: config.verify.maxPerIpPerMinute,
    duration: 60,
  });

  async function throttle(ipHash: string) {
    try {
      await limiter.consume(ipHash);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const seconds = Math.ceil(err.msBeforeNext / 1000);
      throw rateLimited(`Too many verification requests from your network. Try again in ${seconds} s.`, seconds);
    }
  }

  async function check(
    cert: Certificate,
  ): Promise<{ v: Omit<Verification, 'publicId' | 'verifyUrl'>; chainMs: number | null }> {
    const metadata = cert.metadata as CertificateMetadata;
    const facts = factsOf(metadata);
    const computedHash = metadataHashOf(metadata);
    const dbRevocation =
      cert.status === 'revoked'
        ? { revokedAt: cert.revokedAt?.toISOString() ?? null, reason: cert.revokedReason ?? '' }
        : null;
    if (cert.tokenId === null || cert.contractAddress === null || cert.chainId === null) {
      if (dbRevocation) {
        return {
          v: {
            status: 'revoked',
            message: 'The issuer revoked this certificate before it was written to the chain.',
            facts,
            revocation: dbRevocation,
            evidence: null,
          },
          chainMs: null,
        };
      }
      return {
        v: {
          status: 'not_found',
          message: `This certificate is not on the chain yet (${cert.status === 'failed' ? 'issuing failed; the issuer has been told' : 'it is being issued; check again in a few minutes'}).`,
          facts: null,
          revocation: null,
          evidence: null,
        },
        chainMs: null,
      };
    }
    const evidenceBase = {
      chainId: cert.chainId,
      contract: cert.contractAddress,
      tokenId: cert.tokenId,
      txHash: cert.txHash,
      txUrl: cert.txHash && config.chain.explorerTxUrl ? config.chain.explorerTxUrl.replace('{tx}', cert.txHash) : null,
      blockNumber: cert.blockNumber,
      computedHash,
      checkedAt: new Date().toISOString(),
    };
    if (!chain || cert.chainId !== chain.chainId) {
      return {
        v: {
          status: 'unavailable',
          message: `This server cannot read chain ${cert.chainId} right now, so nothing was checked. The evidence below lets you check it on any explorer.`,
          facts,
          revocation: dbRevocation,
          evidence: {
            ...evidenceBase,
            onChainHash: null,
            hashMatches: false,
            onChainRevoked: null,
            issuedOnChainAt: null,
            checkedVia: null,
          },
        },
        chainMs: null,
      };
    }
    const started = performance.now();
    let read: { record: OnChainCertificate | null; via: string };
    try {
      read = await chain.readForVerification(cert.contractAddress, tokenIdOf(cert.id));
    } catch (err) {
      return {
        v: {
          status: 'unavailable',
          message: `No chain endpoint answered (${describeChainError(err).slice(0, 120)}), so nothing was checked. Try again later, or check the evidence below on any explorer.`,
          facts,
          revocation: dbRevocation,
          evidence: {
            ...evidenceBase,
            onChainHash: null,
            hashMatches: false,
            onChainRevoked: null,
            issuedOnChainAt: null,
            checkedVia: null,
          },
        },
        chainMs: Math.round(performance.now() - started),
      };
    }
    const chainMs = Math.round(performance.now() - started);
    const r = read.record;
    const evidence = {
      ...evidenceBase,
      onChainHash: r?.metadataHash ?? null,
      hashMatches: !!r && r.metadataHash.toLowerCase() === computedHash.toLowerCase(),
      onChainRevoked: r?.revoked ?? null,
      issuedOnChainAt: r?.issuedAt.toISOString() ?? null,
      checkedVia: read.via,
    };
    let status: VerificationStatus;
    let message: string;
    let revocation = dbRevocation;
    if (!r && dbRevocation) {
      status = 'revoked';
      message = 'The issuer revoked this certificate.';
    } else if (!r) {
      if (cert.status === 'minting') {
        return {
          v: {
            status: 'not_found',
            message: 'This certificate is being written to the chain; check again in a minute.',
            facts: null,
            revocation: null,
            evidence: null,
          },
          chainMs,
        };
      }
      status = 'tampered';
      message = 'The issuer’s record names a token that does not exist on the chain. Do not trust this certificate.';
    } else if (r.revoked) {
      status = 'revoked';
      message = 'The issuer revoked this certificate on the chain.';
      revocation = { revokedAt: r.revokedAt?.toISOString() ?? null, reason: r.reason };
    } else if (dbRevocation) {
      status = 'revoked';
      message = 'The issuer revoked this certificate; the chain will record it within minutes.';
    } else if (!evidence.hashMatches) {
      status = 'tampered';
      message = 'The certificate’s details do not match the hash recorded on the chain: they were changed after issue.';
    } else {
      status = 'valid';
      message = 'Genuine and unaltered: the details match the hash recorded on the chain, and it is not revoked.';
    }
    return { v: { status, message, facts, revocation, evidence }, chainMs };
  }

  return {
    /** `credential`: the live check behind an uploaded Open Badge (credentials module). */
    async verify(
      publicId: string,
      who: Requester,
      method: 'public_id' | 'qr' | 'credential' = 'public_id',
    ): Promise<Verification> {
      const started = performance.now();
      const ipHash = keyedHash(deps.secret, 'ip', who.ip);
      await throttle(ipHash);
      const cert = await repo.certificateByPublicId(db, publicId);
      const { v, chainMs } = cert
        ? await check(cert)
        : {
            v: {
              status: 'not_found' as const,
              message: 'No certificate has this id. Check the link or QR code.',
              facts: null,
              revocation: null,
              evidence: null,
            },
            chainMs: null,
          };
      await repo.logRequest(db, {
        certificateId: cert?.id ?? null,
        method,
        lookupValue: publicId,
        ipHash,
        userAgent: who.userAgent?.slice(0, 200) ?? null,
        result: v.status === 'unavailable' ? 'error' : v.status,
        responseMs: Math.round(performance.now() - started),
        chainMs,
      });
      return { ...v, publicId, verifyUrl: cert ? verifyUrlOf(config.http.publicUrl, publicId) : null };
    },

    /** The holder's file for checking without this server (scripts/verify-certificate.ts). */
    async file(publicId: string, who: Requester) {
      await throttle(keyedHash(deps.secret, 'ip', who.ip));
      const cert = await repo.certificateByPublicId(db, publicId);
      if (!cert || cert.tokenId === null || cert.contractAddress === null || cert.chainId === null) return null;
      return {
        metadata: cert.metadata as CertificateMetadata,
        anchor: { chainId: cert.chainId, contract: cert.contractAddress, tokenId: cert.tokenId },
      };
    },
  };
}

export type VerificationService = ReturnType<typeof createVerificationService>;
