// Public certificate verification: the issuer's record checked live against the
// chain. The answer never contains the student's email. Every lookup is rate-limited
// per IP and logged in verification_requests with the IP as a keyed hash only (written in
// batches off the request path: verification.log.ts). Chain reads are cached per token and
// kept true by the contract's events (verification.cache.ts).
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type {
  CertificateMetadata,
  Verification,
  VerificationLookupQuery,
  VerificationStatus,
} from '@exam-hall/protocol';
import type { Config } from '../../config/config.ts';
import type { Db } from '../../db/client.ts';
import type { Certificate } from '../../db/schema/certificates.ts';
import { keyedHash } from '../../lib/crypto.ts';
import { createLogger, type Logger } from '../../lib/logger.ts';
import { rateLimited } from '../../http/errors.ts';
import { describeChainError, type CertificateChain } from '../certificates/certificates.chain.ts';
import { metadataHashOf, tokenIdOf } from '../certificates/certificates.metadata.ts';
import * as repo from './verification.repository.ts';
import { createChainReadCache, type CachedRead } from './verification.cache.ts';
import { createVerificationLog, type LogBufferOptions } from './verification.log.ts';

export interface VerificationDeps {
  db: Db;
  redis: Redis;
  config: Config;
  secret: string;
  chain: CertificateChain | null;
  log?: Logger;
  logBuffer?: LogBufferOptions;
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
  const log = deps.log ?? createLogger(config.logLevel, { service: 'exam-hall', module: 'verification' });
  const limiter = new RateLimiterRedis({
    storeClient: deps.redis,
    keyPrefix: `${config.redis.prefix}:rl:verify`,
    points: config.verify.maxPerIpPerMinute,
    duration: 60,
    // Redis down: the same limit per process in memory at once, rather than an error (or a
    // wait for ioredis' retries) for everyone.
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory({ points: config.verify.maxPerIpPerMinute, duration: 60 }),
  });
  const cache = chain ? createChainReadCache(chain, log, { pollMs: config.verify.chainPollMs }) : null;

  // The issuer's row by public id, kept ROW_TTL_MS in this process: under load most lookups
  // are of a few certificates, and the row read was a PostgreSQL round trip per lookup on a
  // machine PostgreSQL shares. A tiny TTL rather than Redis pub/sub: every API process sees
  // a revocation (or any change of the row) within ROW_TTL_MS, without a message channel
  // that could itself fail silently. Only found rows are kept, at most ROW_MAX.
  const ROW_TTL_MS = 1000;
  const ROW_MAX = 10_000;
  const rowCache = new Map<string, { cert: Certificate; at: number }>();
  // The recomputed hash (canonical JSON + SHA-256) per row object: a cached row is hashed once.
  const hashes = new WeakMap<Certificate, string>();
  const hashOf = (cert: Certificate) => {
    let h = hashes.get(cert);
    if (h === undefined) hashes.set(cert, (h = metadataHashOf(cert.metadata as CertificateMetadata)));
    return h;
  };
  async function certificateOf(publicId: string): Promise<Certificate | undefined> {
    const hit = rowCache.get(publicId);
    if (hit && performance.now() - hit.at < ROW_TTL_MS) return hit.cert;
    const cert = await repo.certificateByPublicId(db, publicId);
    rowCache.delete(publicId);
    if (cert) {
      rowCache.set(publicId, { cert, at: performance.now() });
      if (rowCache.size > ROW_MAX) rowCache.delete(rowCache.keys().next().value!);
    }
    return cert;
  }
  const requests = createVerificationLog(db, log, deps.logBuffer);

  // The keyed hash of an address, kept for the addresses seen lately (an HMAC per lookup
  // showed in the profile under load); at most 10,000, oldest first out.
  const ipHashes = new Map<string, string>();
  function ipHashOf(ip: string): string {
    let h = ipHashes.get(ip);
    if (h === undefined) {
      h = keyedHash(deps.secret, 'ip', ip);
      ipHashes.set(ip, h);
      if (ipHashes.size > 10_000) ipHashes.delete(ipHashes.keys().next().value!);
    }
    return h;
  }

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
    const computedHash = hashOf(cert);
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
    if (!chain || !cache || cert.chainId !== chain.chainId) {
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
    let read: CachedRead;
    try {
      // Only issued certificates are read through the cache. A minting or revoked one is read
      // live: the issuer's record may already know of a block the watcher has not scanned yet
      // (cached reads are made at the scanned block), and the page must not contradict it.
      read = await cache.read(cert.contractAddress, tokenIdOf(cert.id), {
        mintedAt: cert.blockNumber,
        live: cert.status !== 'issued',
      });
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
      checkedAt: read.checkedAt.toISOString(),
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

  type Method = 'public_id' | 'qr' | 'tx_hash' | 'token_id' | 'credential';
  const notFound = (message: string) => ({
    v: { status: 'not_found' as const, message, facts: null, revocation: null, evidence: null },
    chainMs: null,
  });

  /** Checks the certificate found (or explains why none), logs the lookup, answers. */
  async function answer(
    found: { cert: Certificate | undefined; missing: string },
    lookup: { method: Method; value: string; ipHash: string; who: Requester; started: number },
  ): Promise<Verification> {
    const { cert } = found;
    const { v, chainMs } = cert ? await check(cert) : notFound(found.missing);
    requests.add({
      certificateId: cert?.id ?? null,
      method: lookup.method,
      lookupValue: lookup.value,
      ipHash: lookup.ipHash,
      userAgent: lookup.who.userAgent?.slice(0, 200) ?? null,
      result: v.status === 'unavailable' ? 'error' : v.status,
      responseMs: Math.round(performance.now() - lookup.started),
      chainMs,
    });
    return {
      ...v,
      publicId: cert?.publicId ?? '',
      verifyUrl: cert ? verifyUrlOf(config.http.publicUrl, cert.publicId) : null,
    };
  }

  return {
    /** `credential`: the live check behind an uploaded Open Badge (credentials module). */
    async verify(
      publicId: string,
      who: Requester,
      method: 'public_id' | 'qr' | 'credential' = 'public_id',
    ): Promise<Verification> {
      const started = performance.now();
      const ipHash = ipHashOf(who.ip);
      await throttle(ipHash);
      const cert = await certificateOf(publicId);
      const out = await answer(
        { cert, missing: 'No certificate has this id. Check the link or QR code.' },
        { method, value: publicId, ipHash, who, started },
      );
      return { ...out, publicId };
    },

    /** By the issuing transaction's hash or the token id (seed 003's other lookup methods). */
    async lookup(q: VerificationLookupQuery, who: Requester): Promise<Verification> {
      const started = performance.now();
      const ipHash = ipHashOf(who.ip);
      await throttle(ipHash);
      const byTx = q.txHash !== undefined;
      const value = byTx ? q.txHash!.toLowerCase() : q.tokenId!;
      const found = byTx ? await repo.certificatesByTxHash(db, value) : await repo.certificatesByTokenId(db, value);
      const [one, two] = found;
      // A token id repeats only across contracts: the configured contract's token wins.
      const cert = !two
        ? one
        : byTx
          ? undefined
          : found.find((c) => c.chainId === chain?.chainId && c.contractAddress === chain?.contractAddress);
      const missing = two
        ? byTx
          ? 'This transaction issued several certificates at once. Look each up by its certificate id or token id.'
          : 'This token id names certificates on several contracts. Use the certificate id or QR code.'
        : byTx
          ? 'No certificate was issued by this transaction. Check the hash, or use the certificate id or QR code.'
          : 'No certificate has this token id. Check the number, or use the certificate id or QR code.';
      return answer({ cert, missing }, { method: byTx ? 'tx_hash' : 'token_id', value, ipHash, who, started });
    },

    /** The holder's file for checking without this server (scripts/verify-certificate.ts). */
    async file(publicId: string, who: Requester) {
      await throttle(ipHashOf(who.ip));
      const cert = await repo.certificateByPublicId(db, publicId);
      if (!cert || cert.tokenId === null || cert.contractAddress === null || cert.chainId === null) return null;
      return {
        metadata: cert.metadata as CertificateMetadata,
        anchor: { chainId: cert.chainId, contract: cert.contractAddress, tokenId: cert.tokenId },
      };
    },

    /** For tests and the benchmark: the chain cache's and the log buffer's state. */
    state: () => ({ cache: cache?.state() ?? null, log: requests.state() }),

    /** Stops the chain watcher and writes the buffered log rows (before the pool closes). */
    async close() {
      cache?.stop();
      await requests.close();
    },
  };
}

export type VerificationService = ReturnType<typeof createVerificationService>;
