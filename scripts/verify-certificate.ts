// Checks a certificate from the chain alone: no Exam Hall server, no database.
//
//   node scripts/verify-certificate.ts <certificate.json> --rpc <JSON-RPC URL>
//
// certificate.json is the file the verification page offers ("Download the
// certificate file"): { metadata, anchor: { chainId, contract, tokenId } }. The
// script recomputes SHA-256 over the RFC 8785 canonical form of `metadata` and
// compares it with the hash the contract holds for the token, and reads whether the
// token is revoked. Exit code: 0 valid, 1 revoked, 2 tampered, 3 not found,
// 4 could not check (bad file, chain unreachable or on another chain id).
//
// It depends only on ethers and canonicalize, and declares the two contract
// functions it calls itself, so it can be copied out of this repository.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import canonicalize from 'canonicalize';
import { Contract, JsonRpcProvider, isAddress } from 'ethers';

const ABI = [
  'function exists(uint256 tokenId) view returns (bool)',
  'function certificate(uint256 tokenId) view returns (bytes32 metadataHash, uint64 issuedAt, bool revoked, uint64 revokedAt, string revocationReason)',
];
const EXIT = { valid: 0, revoked: 1, tampered: 2, not_found: 3, error: 4 } as const;
type Verdict = keyof typeof EXIT;

function finish(verdict: Verdict, lines: string[], json: boolean, extra: Record<string, unknown> = {}): never {
  if (json) process.stdout.write(`${JSON.stringify({ verdict, ...extra })}\n`);
  else process.stdout.write(`${verdict.toUpperCase()}\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
  process.exit(EXIT[verdict]);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rpc: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean' } },
});
const json = values.json ?? false;
if (values.help || positionals.length !== 1 || !values.rpc) {
  process.stderr.write('usage: node scripts/verify-certificate.ts <certificate.json> --rpc <JSON-RPC URL> [--json]\n');
  process.exit(EXIT.error);
}

let file: { metadata?: unknown; anchor?: { chainId?: unknown; contract?: unknown; tokenId?: unknown } };
try {
  file = JSON.parse(readFileSync(positionals[0]!, 'utf8'));
} catch (err) {
  finish('error', [`cannot read ${positionals[0]}: ${(err as Error).message}`], json);
}
const anchor = file.anchor ?? {};
if (
  !file.metadata ||
  typeof file.metadata !== 'object' ||
  typeof anchor.chainId !== 'number' ||
  typeof anchor.contract !== 'string' ||
  !isAddress(anchor.contract) ||
  typeof anchor.tokenId !== 'string' ||
  !/^\d+$/.test(anchor.tokenId)
) {
  finish(
    'error',
    ['not a certificate file: expected { metadata: {...}, anchor: { chainId, contract, tokenId } }'],
    json,
  );
}
const computed = `0x${createHash('sha256').update(canonicalize(file.metadata)!, 'utf8').digest('hex')}`;

const provider = new JsonRpcProvider(values.rpc, undefined, { staticNetwork: true });
try {
  const network = await Promise.race([
    provider.send('eth_chainId', []),
    new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 10 s')), 10_000)),
  ]);
  if (Number(network) !== anchor.chainId) {
    finish(
      'error',
      [`the RPC endpoint is chain ${Number(network)}, the certificate is on chain ${anchor.chainId}`],
      json,
    );
  }
  const contract = new Contract(anchor.contract, ABI, provider);
  const tokenId = BigInt(anchor.tokenId);
  const facts = [`contract ${anchor.contract} on chain ${anchor.chainId}, token ${anchor.tokenId}`];
  if (!(await contract.getFunction('exists')(tokenId))) {
    finish('not_found', [...facts, 'no such token on chain'], json, { computedHash: computed });
  }
  const [onChainHash, issuedAt, revoked, revokedAt, reason] = (await contract.getFunction('certificate')(tokenId)) as [
    string,
    bigint,
    boolean,
    bigint,
    string,
  ];
  const detail = {
    computedHash: computed,
    onChainHash,
    issuedAt: new Date(Number(issuedAt) * 1000).toISOString(),
  };
  const lines = [...facts, `computed hash ${computed}`, `on-chain hash ${onChainHash}`, `issued ${detail.issuedAt}`];
  if (onChainHash.toLowerCase() !== computed)
    finish('tampered', [...lines, 'the metadata does not match the hash on chain'], json, detail);
  if (revoked) {
    finish('revoked', [...lines, `revoked ${new Date(Number(revokedAt) * 1000).toISOString()}: ${reason}`], json, {
      ...detail,
      reason,
    });
  }
  finish('valid', [...lines, 'the metadata matches the hash on chain and the token is not revoked'], json, detail);
} catch (err) {
  finish('error', [`could not check: ${(err as Error).message.slice(0, 300)}`], json);
} finally {
  provider.destroy();
}
