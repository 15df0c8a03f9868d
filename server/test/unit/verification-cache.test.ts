// The verifier's per-token chain cache against a scripted chain: hits, invalidation by
// events, a read racing an event, and what happens when the chain stops answering.
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.ts';
import type { OnChainCertificate } from '../../src/modules/certificates/certificates.chain.ts';
import { createChainReadCache, type ChainReadCache } from '../../src/modules/verification/verification.cache.ts';

const CONTRACT = '0x' + 'ab'.repeat(20);
const record = (revoked: boolean): OnChainCertificate => ({
  metadataHash: '0x' + '11'.repeat(32),
  issuedAt: new Date(0),
  revoked,
  revokedAt: revoked ? new Date(1000) : null,
  reason: revoked ? 'x' : '',
});

/** A chain whose head, events and records the test sets; counts reads. */
function scriptedChain() {
  const s = {
    head: 10,
    down: false,
    revoked: false,
    events: [] as { tokenId: bigint; block: number }[],
    reads: [] as (number | 'latest')[],
    /** When set, reads wait for it (to race a read with an event). */
    gate: null as Promise<void> | null,
  };
  const fail = () => {
    if (s.down) throw new Error('connection refused');
  };
  return {
    s,
    chain: {
      contractAddress: CONTRACT,
      async head() {
        fail();
        return s.head;
      },
      async touchedTokens(_c: string, from: number, to: number) {
        fail();
        return s.events.filter((e) => e.block >= from && e.block <= to);
      },
      async readForVerification(_c: string, _t: bigint, blockTag: number | 'latest' = 'latest') {
        s.reads.push(blockTag);
        const revoked = s.revoked;
        if (s.gate) await s.gate;
        fail();
        return { record: record(revoked), via: 'node' };
      },
    },
  };
}

async function until<T>(what: string, check: () => T | false | undefined | null, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

let cache: ChainReadCache | undefined;
afterEach(() => cache?.stop());
const log = createLogger('silent');

describe('verification chain cache', () => {
  it('serves a token from the cache until its revocation event is seen, then reads again', async () => {
    const { s, chain } = scriptedChain();
    cache = createChainReadCache(chain, log, { pollMs: 10 });
    await until('the first poll', () => cache!.state().fresh);
    const first = await cache.read(CONTRACT, 7n, { mintedAt: 5 });
    const second = await cache.read(CONTRACT, 7n, { mintedAt: 5 });
    expect(first).toMatchObject({ cached: false, record: { revoked: false } });
    expect(second).toMatchObject({ cached: true, record: { revoked: false } });
    expect(s.reads).toEqual([10]);

    // Revoked on chain in block 11; the read at block 10 stays cached until the watcher sees it.
    s.revoked = true;
    s.events.push({ tokenId: 7n, block: 11 });
    s.head = 11;
    await until('block 11 scanned', () => cache!.state().scanned === 11);
    const after = await cache.read(CONTRACT, 7n, { mintedAt: 5 });
    expect(after).toMatchObject({ cached: false, record: { revoked: true } });
    expect(s.reads).toEqual([10, 11]);
    expect(cache.state().invalidated).toBe(1);
  });

  it('does not store a read that an event overtook while it was under way', async () => {
    const { s, chain } = scriptedChain();
    cache = createChainReadCache(chain, log, { pollMs: 10 });
    await until('the first poll', () => cache!.state().fresh);
    let open!: () => void;
    s.gate = new Promise((r) => (open = r));
    const racing = cache.read(CONTRACT, 7n, { mintedAt: 5 });
    await until('the read to start', () => s.reads.length === 1);
    s.events.push({ tokenId: 7n, block: 11 });
    s.head = 11;
    await until('block 11 scanned', () => cache!.state().scanned === 11);
    s.gate = null;
    open();
    await racing;
    s.revoked = true;
    expect(await cache.read(CONTRACT, 7n, { mintedAt: 5 })).toMatchObject({ cached: false, record: { revoked: true } });
  });

  it('reads live for another contract, a token minted after the scanned block, or when asked', async () => {
    const { s, chain } = scriptedChain();
    cache = createChainReadCache(chain, log, { pollMs: 10 });
    await until('the first poll', () => cache!.state().fresh);
    await cache.read('0x' + 'cd'.repeat(20), 7n, { mintedAt: 5 });
    await cache.read(CONTRACT, 8n, { mintedAt: 12 });
    await cache.read(CONTRACT, 8n, { mintedAt: null });
    await cache.read(CONTRACT, 9n, { mintedAt: 5, live: true });
    expect(s.reads).toEqual(['latest', 'latest', 'latest', 'latest']);
    expect(cache.state().entries).toBe(0);
  });

  it('stops serving entries once the chain has not answered for maxStaleMs: the lookup reads live and fails', async () => {
    const { s, chain } = scriptedChain();
    cache = createChainReadCache(chain, log, { pollMs: 10, maxStaleMs: 100 });
    await until('the first poll', () => cache!.state().fresh);
    await cache.read(CONTRACT, 7n, { mintedAt: 5 });
    expect(await cache.read(CONTRACT, 7n, { mintedAt: 5 })).toMatchObject({ cached: true });
    s.down = true;
    await until('the cache to go stale', () => !cache!.state().fresh);
    await expect(cache.read(CONTRACT, 7n, { mintedAt: 5 })).rejects.toThrow('connection refused');
    // Revoked while the node was unreachable: the gap is scanned when it answers again.
    s.revoked = true;
    s.events.push({ tokenId: 7n, block: 11 });
    s.head = 11;
    s.down = false;
    await until('the chain to answer again', () => cache!.state().fresh && cache!.state().scanned === 11);
    expect(await cache.read(CONTRACT, 7n, { mintedAt: 5 })).toMatchObject({ cached: false, record: { revoked: true } });
  });

  it('drops every entry when the chain goes back (a restarted node) or jumps further than it scans', async () => {
    const { s, chain } = scriptedChain();
    cache = createChainReadCache(chain, log, { pollMs: 10, maxScan: 100 });
    await until('the first poll', () => cache!.state().fresh);
    await cache.read(CONTRACT, 7n, { mintedAt: 5 });
    expect(cache.state().entries).toBe(1);
    s.head = 3;
    await until('the reset', () => cache!.state().scanned === 3);
    expect(cache.state().entries).toBe(0);
    await cache.read(CONTRACT, 7n, { mintedAt: 2 });
    s.head = 500;
    await until('the jump', () => cache!.state().scanned === 500);
    expect(cache.state().entries).toBe(0);
  });

  it('makes one chain read for many lookups of one token at once', async () => {
    const { s, chain } = scriptedChain();
    cache = createChainReadCache(chain, log, { pollMs: 10 });
    await until('the first poll', () => cache!.state().fresh);
    await Promise.all(Array.from({ length: 20 }, () => cache!.read(CONTRACT, 7n, { mintedAt: 5 })));
    expect(s.reads).toEqual([10]);
  });
});
