// The certificate contract as the server sees it: read a token, send issue / revoke
// transactions with an explicit nonce, follow a transaction. Every call is bounded by
// CHAIN_TIMEOUT_MS. Signing happens here so the caller can record the transaction
// hash before broadcasting (see certificates.minter.ts).
import { Contract, FetchRequest, Interface, JsonRpcProvider, keccak256, Network, Wallet } from 'ethers';
import { certificateAbi } from '@exam-hall/contracts/artifact.ts';
import type { Config } from '../../config/config.ts';

export interface OnChainCertificate {
  metadataHash: string;
  issuedAt: Date;
  revoked: boolean;
  revokedAt: Date | null;
  reason: string;
}

export interface IssueItem {
  to: string;
  tokenId: bigint;
  metadataHash: string;
}

export interface Mined {
  status: 'success' | 'reverted';
  blockNumber: number;
  gasUsed: bigint;
  /** Token ids whose CertificateIssued event is in this transaction. */
  issued: Set<bigint>;
  revoked: Set<bigint>;
}

export type TxState = { state: 'unknown' } | { state: 'pending' } | ({ state: 'mined' } & Mined);

export class ChainUnavailableError extends Error {}

const iface = new Interface(certificateAbi);
const issuedTopic = iface.getEvent('CertificateIssued')!.topicHash;
const revokedTopic = iface.getEvent('CertificateRevoked')!.topicHash;

function providerFor(url: string, chainId: number, timeoutMs: number, batchStallTime = 10): JsonRpcProvider {
  const req = new FetchRequest(url);
  req.timeout = timeoutMs;
  // staticNetwork: no eth_chainId before every call; cacheTimeout -1: never reuse a
  // cached nonce or receipt (a node can answer a stale nonce right after a send).
  // batchStallTime: ethers waits this long to batch calls; the verifier's readers use 0
  // (calls made in the same tick still go as one batch, but nothing waits 10 ms for company).
  return new JsonRpcProvider(req, Network.from(chainId), { staticNetwork: true, cacheTimeout: -1, batchStallTime });
}

/** One eth_call of `certificate(tokenId)`: the record, or null when the contract reverts with
 * ERC721NonexistentToken (one round trip instead of `exists` then `certificate`). */
async function readOnce(
  provider: JsonRpcProvider,
  contract: string,
  tokenId: bigint,
  blockTag: number | 'latest',
): Promise<OnChainCertificate | null> {
  let out: string;
  try {
    out = await provider.call({
      to: contract,
      data: iface.encodeFunctionData('certificate', [tokenId]),
      blockTag,
    });
  } catch (err) {
    const data = (err as { data?: unknown }).data;
    if (typeof data === 'string' && data.length >= 10 && iface.parseError(data)?.name === 'ERC721NonexistentToken')
      return null;
    throw err;
  }
  const r = iface.decodeFunctionResult('certificate', out);
  return {
    metadataHash: r[0] as string,
    issuedAt: new Date(Number(r[1] as bigint) * 1000),
    revoked: r[2] as boolean,
    revokedAt: (r[3] as bigint) ? new Date(Number(r[3] as bigint) * 1000) : null,
    reason: r[4] as string,
  };
}

async function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ChainUnavailableError(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A short, log-safe description of an ethers error (decoded revert name when there is one). */
export function describeChainError(err: unknown): string {
  const e = err as { revert?: { name?: string; args?: unknown[] }; shortMessage?: string; message?: string };
  if (e.revert?.name) return `contract reverted: ${e.revert.name}(${(e.revert.args ?? []).map(String).join(', ')})`;
  return (e.shortMessage ?? e.message ?? String(err)).slice(0, 300);
}

/** `readOnly`: for API processes, which only verify: the issuer key is never loaded into a signer there. */
export function createChain(cfg: Config['chain'], opts: { readOnly?: boolean } = {}) {
  if (!cfg.contractAddress) throw new Error('no certificate contract configured');
  const contractAddress = cfg.contractAddress;
  const provider = providerFor(cfg.rpcUrl, cfg.chainId, cfg.timeoutMs);
  const readers = [cfg.rpcUrl, ...cfg.fallbackRpcUrls].map((url) => ({
    host: new URL(url).host,
    provider: providerFor(url, cfg.chainId, Math.min(cfg.timeoutMs, 5000), 0),
  }));
  const signer = opts.readOnly ? null : new Wallet(cfg.issuerKey, provider);
  const wallet = {
    get address(): string {
      if (!signer) throw new Error('this chain client is read-only');
      return signer.address;
    },
    signTransaction: (tx: Parameters<Wallet['signTransaction']>[0]) => {
      if (!signer) throw new Error('this chain client is read-only');
      return signer.signTransaction(tx);
    },
  };
  const contract = new Contract(contractAddress, certificateAbi, provider);
  const custodyAddress = cfg.custodyAddress ?? signer?.address ?? '';
  const t = cfg.timeoutMs;

  /** The main endpoint, then each fallback, until one answers. */
  async function anyReader<T>(
    what: string,
    call: (p: JsonRpcProvider) => Promise<T>,
  ): Promise<{ record: T; via: string }> {
    const errors: string[] = [];
    for (const r of readers) {
      try {
        return { record: await bounded(call(r.provider), Math.min(t, 5000), what), via: r.host };
      } catch (err) {
        errors.push(`${r.host}: ${describeChainError(err)}`);
      }
    }
    throw new ChainUnavailableError(errors.join('; '));
  }

  async function readWith(c: Contract, tokenId: bigint): Promise<OnChainCertificate | null> {
    const exists = (await c.getFunction('exists')(tokenId)) as boolean;
    if (!exists) return null;
    const r = (await c.getFunction('certificate')(tokenId)) as [string, bigint, boolean, bigint, string];
    return {
      metadataHash: r[0],
      issuedAt: new Date(Number(r[1]) * 1000),
      revoked: r[2],
      revokedAt: r[3] ? new Date(Number(r[3]) * 1000) : null,
      reason: r[4],
    };
  }

  async function sign(data: string): Promise<{ raw: string; hash: string; nonce: number }> {
    const nonce = await bounded(provider.getTransactionCount(wallet.address, 'pending'), t, 'nonce lookup');
    // Estimating first surfaces a revert (role missing, duplicate token) before anything is sent.
    const gas = await bounded(
      provider.estimateGas({ from: wallet.address, to: contractAddress, data }),
      t,
      'gas estimate',
    );
    const fees = await bounded(provider.getFeeData(), t, 'fee lookup');
    const raw = await wallet.signTransaction({
      to: contractAddress,
      data,
      nonce,
      gasLimit: (gas * 12n) / 10n,
      chainId: cfg.chainId,
      type: 2,
      maxFeePerGas: fees.maxFeePerGas ?? fees.gasPrice,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas ?? 0n,
    });
    return { raw, hash: keccak256(raw), nonce };
  }

  async function broadcast(raw: string): Promise<void> {
    await bounded(provider.broadcastTransaction(raw), t, 'broadcast');
  }

  function minedFrom(receipt: {
    status: number | null;
    blockNumber: number;
    gasUsed: bigint;
    logs: readonly { address: string; topics: readonly string[]; data: string }[];
  }): Mined {
    const issued = new Set<bigint>();
    const revoked = new Set<bigint>();
    for (const log of receipt.logs) {
      if (log.address.toLowerCase() !== contractAddress.toLowerCase()) continue;
      const parsed = iface.parseLog({ topics: [...log.topics], data: log.data });
      if (parsed?.name === 'CertificateIssued') issued.add(parsed.args[0] as bigint);
      if (parsed?.name === 'CertificateRevoked') revoked.add(parsed.args[0] as bigint);
    }
    return {
      status: receipt.status === 1 ? 'success' : 'reverted',
      blockNumber: receipt.blockNumber,
      gasUsed: receipt.gasUsed,
      issued,
      revoked,
    };
  }

  return {
    chainId: cfg.chainId,
    contractAddress,
    issuerAddress: signer?.address ?? '',
    custodyAddress,
    explorerTxUrl: cfg.explorerTxUrl,

    /** The token's record, or null when it does not exist. */
    read: (tokenId: bigint) => bounded(readWith(contract, tokenId), t, 'token read'),

    /** For the public verifier: the main endpoint, then each fallback, until one answers.
     * Takes the contract the certificate names, which may predate the configured one. */
    async readForVerification(
      contract: string,
      tokenId: bigint,
      blockTag: number | 'latest' = 'latest',
    ): Promise<{ record: OnChainCertificate | null; via: string }> {
      return anyReader('token read', async (p) => readOnce(p, contract, tokenId, blockTag));
    },

    /** The newest block number, from the first endpoint that answers (verification cache). */
    head: () => anyReader('block number', (p) => p.getBlockNumber()).then((r) => r.record),

    /** Tokens whose CertificateIssued or CertificateRevoked event is in blocks from..to (inclusive). */
    async touchedTokens(contract: string, from: number, to: number): Promise<{ tokenId: bigint; block: number }[]> {
      const { record: logs } = await anyReader('event scan', (p) =>
        p.getLogs({ address: contract, fromBlock: from, toBlock: to, topics: [[issuedTopic, revokedTopic]] }),
      );
      // topics[1] is the indexed tokenId of both events.
      return logs.filter((l) => l.topics[1]).map((l) => ({ tokenId: BigInt(l.topics[1]!), block: l.blockNumber }));
    },

    async signIssue(items: IssueItem[]) {
      const data =
        items.length === 1
          ? iface.encodeFunctionData('issue', [items[0]!.to, items[0]!.tokenId, items[0]!.metadataHash])
          : iface.encodeFunctionData('issueBatch', [
              items.map((i) => i.to),
              items.map((i) => i.tokenId),
              items.map((i) => i.metadataHash),
            ]);
      return sign(data);
    },

    signRevoke: (tokenId: bigint, reason: string) => sign(iface.encodeFunctionData('revoke', [tokenId, reason])),

    broadcast,

    /** Waits until the transaction has CHAIN_CONFIRMATIONS confirmations (bounded). */
    async waitMined(hash: string): Promise<Mined> {
      const receipt = await bounded(
        provider.waitForTransaction(hash, cfg.confirmations, t),
        t + 1000,
        'waiting for the transaction',
      );
      if (!receipt) throw new ChainUnavailableError(`transaction ${hash} not mined within ${t} ms`);
      return minedFrom(receipt);
    },

    /** What the chain knows of a transaction we recorded before a crash. */
    async txState(hash: string): Promise<TxState> {
      const receipt = await bounded(provider.getTransactionReceipt(hash), t, 'receipt lookup');
      if (receipt) return { state: 'mined', ...minedFrom(receipt) };
      const tx = await bounded(provider.getTransaction(hash), t, 'transaction lookup');
      return tx ? { state: 'pending' } : { state: 'unknown' };
    },

    /** The transaction and block that minted a token, from its CertificateIssued event. */
    async findIssue(tokenId: bigint): Promise<{ txHash: string; blockNumber: number } | null> {
      const logs = await bounded(contract.queryFilter(contract.filters.CertificateIssued!(tokenId)), t, 'event lookup');
      const log = logs[0];
      return log ? { txHash: log.transactionHash, blockNumber: log.blockNumber } : null;
    },

    async blockTime(blockNumber: number): Promise<Date> {
      const block = await bounded(provider.getBlock(blockNumber), t, 'block lookup');
      return block ? new Date(block.timestamp * 1000) : new Date();
    },

    destroy() {
      provider.destroy();
      for (const r of readers) r.provider.destroy();
    },
  };
}

export type CertificateChain = ReturnType<typeof createChain>;
