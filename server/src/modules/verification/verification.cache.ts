// Chain reads of the public verifier, cached per token and kept true by watching the
// contract. A watcher asks the chain for its newest block every `pollMs` and for the
// contract's CertificateIssued / CertificateRevoked events in the new blocks; each event
// drops its token's entry. Reads are made at the block the watcher has scanned up to, so
// an entry is "the token's state at block B, and no event for it since B": it stays true
// until an event says otherwise.
//
// Written by hand (not ethers' contract.on): ethers' event subscriptions do not say up to
// which block they have looked, nor whether the node is answering, and both decide here
// whether an entry may be served.
//
// What an employer sees when the chain is down: entries are served only while the
// watcher heard from the chain within `maxStaleMs`; after that every lookup reads live,
// and when no endpoint answers the verdict is `unavailable` (facts and evidence shown,
// "nothing was checked"). So a revocation can never hide behind the cache for longer
// than `maxStaleMs` after the chain stops answering, and an entry is at most `maxAgeMs`
// old even while everything is quiet.
import type { Logger } from '../../lib/logger.ts';
import type { CertificateChain, OnChainCertificate } from '../certificates/certificates.chain.ts';

export interface CachedRead {
  record: OnChainCertificate | null;
  via: string;
  /** When the chain last confirmed this state (the watcher's last answer, or now for a live read). */
  checkedAt: Date;
  cached: boolean;
}

type Reader = Pick<CertificateChain, 'readForVerification' | 'head' | 'touchedTokens' | 'contractAddress'>;

type Entry =
  | { kind: 'read'; record: OnChainCertificate | null; via: string; atBlock: number; storedAt: number }
  /** An event for the token at `block`: reads made at an earlier block are not stored. */
  | { kind: 'tombstone'; block: number };

export interface ChainCacheOptions {
  /** 0: no cache, every lookup reads the chain. */
  pollMs: number;
  maxStaleMs?: number;
  maxAgeMs?: number;
  maxEntries?: number;
  /** Blocks scanned again on every poll (a shallow reorg can move an event). */
  overlap?: number;
  /** A gap wider than this is not scanned: the whole cache is dropped instead. */
  maxScan?: number;
}

export function createChainReadCache(chain: Reader, log: Logger, opts: ChainCacheOptions) {
  const enabled = opts.pollMs > 0;
  const maxStaleMs = opts.maxStaleMs ?? Math.max(3 * opts.pollMs, 5000);
  const maxAgeMs = opts.maxAgeMs ?? 60_000;
  const maxEntries = opts.maxEntries ?? 50_000;
  const overlap = opts.overlap ?? 3;
  const maxScan = opts.maxScan ?? 2000;
  const watched = chain.contractAddress.toLowerCase();
  const entries = new Map<string, Entry>();
  const inflight = new Map<string, Promise<CachedRead>>();
  let scanned: number | null = null;
  let lastOkAt = 0;
  let failing = false;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const counters = { hits: 0, misses: 0, live: 0, invalidated: 0 };

  function put(key: string, e: Entry) {
    entries.delete(key);
    entries.set(key, e);
    // Map keeps insertion order: the first key is the least recently stored.
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
  }

  async function poll() {
    const head = await chain.head();
    if (scanned === null || head < scanned) {
      // First poll, or the chain went back (a restarted dev node): nothing cached is trusted.
      entries.clear();
      scanned = head;
    } else if (head - scanned > maxScan) {
      entries.clear();
      scanned = head;
    } else if (head > scanned) {
      const from = Math.max(0, scanned + 1 - overlap);
      for (const { tokenId, block } of await chain.touchedTokens(chain.contractAddress, from, head)) {
        const key = tokenId.toString();
        const e = entries.get(key);
        if (e?.kind === 'tombstone' && e.block >= block) continue;
        put(key, { kind: 'tombstone', block });
        counters.invalidated++;
      }
      scanned = Math.max(scanned, head);
    }
    lastOkAt = Date.now();
  }

  function schedule() {
    if (stopped) return;
    timer = setTimeout(() => {
      poll()
        .then(() => {
          if (failing) log.info('verification cache: the chain answers again');
          failing = false;
        })
        .catch((err: unknown) => {
          if (!failing) log.warn({ err }, 'verification cache: the chain did not answer; lookups read live');
          failing = true;
        })
        .finally(schedule);
    }, opts.pollMs);
    timer.unref();
  }

  const fresh = () => enabled && scanned !== null && Date.now() - lastOkAt <= maxStaleMs;

  async function live(contract: string, tokenId: bigint): Promise<CachedRead> {
    counters.live++;
    const r = await chain.readForVerification(contract, tokenId);
    return { ...r, checkedAt: new Date(), cached: false };
  }

  async function readAt(key: string, contract: string, tokenId: bigint, at: number): Promise<CachedRead> {
    counters.misses++;
    const r = await chain.readForVerification(contract, tokenId, at);
    const cur = entries.get(key);
    // An event seen while this read was under way makes it stale: do not store it.
    if (!(cur?.kind === 'tombstone' && cur.block > at))
      put(key, { kind: 'read', record: r.record, via: r.via, atBlock: at, storedAt: Date.now() });
    return { ...r, checkedAt: new Date(), cached: false };
  }

  if (enabled) {
    // The first poll at once, so the cache serves from the first seconds.
    timer = setTimeout(() => {
      poll()
        .catch((err: unknown) => {
          failing = true;
          log.warn({ err }, 'verification cache: the chain did not answer; lookups read live');
        })
        .finally(schedule);
    }, 0);
    timer.unref();
  }

  return {
    /**
     * The token's on-chain record. `live` forces a read now (the issuer's record says the
     * state is changing); `mintedAt` is the block the issuer recorded for the mint (a token
     * minted after the scanned block is read live, not at the scanned block).
     */
    async read(contract: string, tokenId: bigint, o: { mintedAt: number | null; live?: boolean }) {
      if (o.live || !fresh() || contract.toLowerCase() !== watched) return live(contract, tokenId);
      const at = scanned!;
      if (o.mintedAt === null || o.mintedAt > at) return live(contract, tokenId);
      const key = tokenId.toString();
      const e = entries.get(key);
      if (e?.kind === 'read' && Date.now() - e.storedAt <= maxAgeMs) {
        counters.hits++;
        return { record: e.record, via: e.via, checkedAt: new Date(lastOkAt), cached: true };
      }
      // Many lookups of one certificate at once make one read.
      const k = `${key}@${at}`;
      let p = inflight.get(k);
      if (!p) {
        p = readAt(key, contract, tokenId, at).finally(() => inflight.delete(k));
        inflight.set(k, p);
      }
      return p;
    },

    /** For tests and the benchmark: the block scanned up to, and counters. */
    state: () => ({ enabled, fresh: fresh(), scanned, entries: entries.size, ...counters }),

    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

export type ChainReadCache = ReturnType<typeof createChainReadCache>;
