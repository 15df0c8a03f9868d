// Puts certificates on chain, exactly once each.
//
// Exactly one token per certificate: the token id is the certificate's UUID and the
// contract refuses an id that exists. On top of that, before anything is sent the
// chain is asked whether the token already exists (a worker may have died after
// broadcasting), and the transaction hash is recorded with status `minting` before
// the broadcast, so a restarted worker can follow it (reconcileMinting).
//
// Correct nonces with several jobs and processes: signing and broadcasting happen
// under a PostgreSQL advisory lock per issuer address, with the nonce read from the
// chain's pending count inside the lock. Waiting for the receipt happens outside it,
// so several batches can be in flight.
import type { Db, Tx } from '../../db/client.ts';
import type { Logger } from '../../lib/logger.ts';
import { describeChainError, type CertificateChain, type Mined } from './certificates.chain.ts';
import { tokenIdOf } from './certificates.metadata.ts';
import * as repo from './certificates.repository.ts';

export const MAX_MINT_RETRIES = 8;
/** 5 s, 10 s, 20 s ... capped at 10 minutes. */
export const backoffMs = (retry: number) => Math.min(5000 * 2 ** Math.max(0, retry - 1), 600_000);

interface Claimed {
  id: string;
  to: string;
  tokenId: bigint;
  metadataHash: string;
}

export interface MintReport {
  minted: number;
  reconciled: number;
  failed: number;
  batches: { size: number; txHash: string; gasUsed: string; blockNumber: number }[];
}

/** `claim`: for a row settled before it was ever sent, also record its token and recipient. */
async function markIssued(
  db: Db | Tx,
  chain: CertificateChain,
  ids: string[],
  tx: { txHash: string; blockNumber: number; gasPerCertificate: number },
  claim?: { tokenId: bigint; to: string },
): Promise<number> {
  if (!ids.length) return 0;
  return repo.markIssued(db, ids, {
    ...(claim ? { tokenId: claim.tokenId.toString(), recipientAddress: claim.to } : {}),
    chainId: chain.chainId,
    contractAddress: chain.contractAddress,
    txHash: tx.txHash,
    blockNumber: tx.blockNumber,
    gasUsed: tx.gasPerCertificate,
  });
}

async function markRetry(db: Db, ids: string[], error: string): Promise<number> {
  if (!ids.length) return 0;
  return repo.markRetry(db, ids, error, MAX_MINT_RETRIES);
}

/** Settles certificates whose token turns out to exist already; returns those still to mint. */
async function settleExisting(db: Db, chain: CertificateChain, rows: Claimed[]): Promise<Claimed[]> {
  const { existing, toMint } = await findExisting(chain, rows);
  for (const e of existing) {
    await markIssued(db, chain, [e.id], { ...e.origin, gasPerCertificate: 0 });
  }
  return toMint;
}

/** One batch: claim, check the chain, sign, record, broadcast. Null when nothing is ready. */
async function sendBatch(
  db: Db,
  chain: CertificateChain,
  batchSize: number,
): Promise<{ claimed: Claimed[]; txHash: string | null; settled: number } | null> {
  return db.transaction(async (tx) => {
    await repo.lockIssuer(tx, chain.issuerAddress);
    const rows = await repo.claimReady(tx, batchSize);
    if (!rows.length) return null;
    const claimed = rows.map((r) => ({
      id: r.id,
      to: r.wallet ?? chain.custodyAddress,
      tokenId: tokenIdOf(r.id),
      metadataHash: r.metadataHash,
    }));
    // A worker that died after broadcasting but before committing left these pending
    // although their tokens exist: settle them instead of sending them again.
    const fresh = await findExisting(chain, claimed);
    for (const e of fresh.existing) {
      await markIssued(tx, chain, [e.id], { ...e.origin, gasPerCertificate: 0 }, { tokenId: e.tokenId, to: e.to });
    }
    if (!fresh.toMint.length) return { claimed: [], txHash: null, settled: fresh.existing.length };
    const signed = await chain.signIssue(fresh.toMint);
    for (const c of fresh.toMint) {
      await repo.markMinting(tx, c.id, {
        chainId: chain.chainId,
        contractAddress: chain.contractAddress,
        tokenId: c.tokenId.toString(),
        recipientAddress: c.to,
        txHash: signed.hash,
      });
    }
    // Broadcast last: if it throws, the transaction rolls back and nothing was sent.
    // If the commit fails after it, the contract's duplicate check and settleExisting
    // keep the next attempt from minting twice.
    await chain.broadcast(signed.raw);
    return { claimed: fresh.toMint, txHash: signed.hash, settled: fresh.existing.length };
  });
}

/** Splits certificates into those whose token exists (with the transaction that minted it) and the rest. */
async function findExisting(chain: CertificateChain, claimed: Claimed[]) {
  const records = await Promise.all(claimed.map((c) => chain.read(c.tokenId)));
  const existing: (Claimed & { origin: { txHash: string; blockNumber: number } })[] = [];
  const toMint: Claimed[] = [];
  for (const [i, c] of claimed.entries()) {
    if (!records[i]) {
      toMint.push(c);
      continue;
    }
    const origin = await chain.findIssue(c.tokenId);
    if (!origin) throw new Error(`token ${c.tokenId} exists but its CertificateIssued event was not found`);
    existing.push({ ...c, origin });
  }
  return { existing, toMint };
}

async function applyMined(db: Db, chain: CertificateChain, claimed: Claimed[], txHash: string, mined: Mined) {
  const perCert = Math.round(Number(mined.gasUsed) / Math.max(1, claimed.length));
  const inTx = claimed.filter((c) => mined.issued.has(c.tokenId)).map((c) => c.id);
  const minted = await markIssued(db, chain, inTx, {
    txHash,
    blockNumber: mined.blockNumber,
    gasPerCertificate: perCert,
  });
  const missing = claimed.filter((c) => !mined.issued.has(c.tokenId));
  // Reverted (or, impossibly, partial): whatever exists was minted elsewhere; the rest retries.
  const toRetry = (await settleExisting(db, chain, missing)).map((c) => c.id);
  const failed = await markRetry(db, toRetry, `transaction ${txHash} reverted`);
  return { minted, failed };
}

/** Mints everything pending, batch after batch, until nothing is ready. */
export async function mintPending(
  db: Db,
  chain: CertificateChain,
  log: Logger,
  batchSize: number,
): Promise<MintReport> {
  const report: MintReport = { minted: 0, reconciled: 0, failed: 0, batches: [] };
  for (;;) {
    let sent: Awaited<ReturnType<typeof sendBatch>>;
    try {
      sent = await sendBatch(db, chain, batchSize);
    } catch (err) {
      // Nothing was broadcast (the transaction rolled back). Back off the batch we tried.
      const message = describeChainError(err);
      const ids = await repo.readyIds(db, batchSize);
      report.failed += await markRetry(db, ids, message);
      log.warn({ err: message, certificates: ids.length }, 'mint batch not sent; will retry with backoff');
      return report;
    }
    if (!sent) return report;
    report.reconciled += sent.settled;
    if (!sent.txHash) continue;
    const mined = await chain.waitMined(sent.txHash);
    const applied = await applyMined(db, chain, sent.claimed, sent.txHash, mined);
    report.minted += applied.minted;
    report.failed += applied.failed;
    report.batches.push({
      size: sent.claimed.length,
      txHash: sent.txHash,
      gasUsed: mined.gasUsed.toString(),
      blockNumber: mined.blockNumber,
    });
    log.info(
      { txHash: sent.txHash, size: sent.claimed.length, gasUsed: mined.gasUsed.toString() },
      'certificates minted',
    );
  }
}

/**
 * Certificates left in `minting` (a worker died while waiting for its transaction):
 * the chain decides. Token exists -> issued. Transaction still pending -> wait.
 * Transaction reverted, or unknown for longer than `staleSeconds` -> pending again.
 */
export async function reconcileMinting(db: Db, chain: CertificateChain, staleSeconds: number) {
  const rows = await repo.mintingOn(db, chain.chainId);
  let issued = 0;
  let requeued = 0;
  let waiting = 0;
  const byTx = new Map<string, typeof rows>();
  for (const r of rows) byTx.set(r.txHash ?? '', [...(byTx.get(r.txHash ?? '') ?? []), r]);
  for (const [txHash, group] of byTx) {
    const state = txHash ? await chain.txState(txHash) : ({ state: 'unknown' } as const);
    if (state.state === 'pending') {
      waiting += group.length;
      continue;
    }
    const claimed = group.map((r) => ({
      id: r.id,
      to: r.recipientAddress ?? chain.custodyAddress,
      tokenId: tokenIdOf(r.id),
      metadataHash: r.metadataHash,
    }));
    if (state.state === 'mined') {
      const applied = await applyMined(db, chain, claimed, txHash, state);
      issued += applied.minted;
      requeued += claimed.length - applied.minted;
      continue;
    }
    // Unknown transaction: maybe minted by another path, maybe never broadcast.
    const notMinted = await settleExisting(db, chain, claimed);
    issued += claimed.length - notMinted.length;
    const stale = notMinted.filter((c) => {
      const row = group.find((g) => g.id === c.id)!;
      return Date.now() - row.updatedAt.getTime() > staleSeconds * 1000;
    });
    await markRetry(
      db,
      stale.map((c) => c.id),
      `transaction ${txHash || '(none)'} was never mined`,
    );
    requeued += stale.length;
    waiting += notMinted.length - stale.length;
  }
  return { issued, requeued, waiting };
}

/**
 * Sends a revocation recorded in the database to the chain. Safe to repeat: a token
 * already revoked on chain is only recorded. Throws (so the job retries) while the
 * token's mint is still in flight.
 */
export async function sendRevocation(db: Db, chain: CertificateChain, certificateId: string) {
  const cert = await repo.findCertificate(db, certificateId);
  if (!cert || cert.status !== 'revoked' || cert.revokedOnChainAt) return { state: 'nothing to do' as const };
  const tokenId = tokenIdOf(cert.id);
  const record = await chain.read(tokenId);
  if (!record) {
    if (!cert.txHash) return { state: 'never minted' as const };
    const tx = await chain.txState(cert.txHash);
    if (tx.state === 'pending') throw new Error('the certificate is still being minted; retrying the revocation');
    return { state: 'never minted' as const };
  }
  if (!record.revoked) {
    const hash = await db.transaction(async (tx) => {
      await repo.lockIssuer(tx, chain.issuerAddress);
      const signed = await chain.signRevoke(tokenId, (cert.revokedReason ?? 'Revoked').slice(0, 256));
      await repo.setRevokeTxHash(tx, cert.id, signed.hash);
      await chain.broadcast(signed.raw);
      return signed.hash;
    });
    const mined = await chain.waitMined(hash);
    if (!mined.revoked.has(tokenId)) {
      const again = await chain.read(tokenId);
      if (!again?.revoked) throw new Error(`revocation transaction ${hash} did not revoke the token`);
    }
  }
  await repo.markRevokedOnChain(db, cert.id);
  return { state: 'revoked on chain' as const };
}
