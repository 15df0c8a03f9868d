// Gas budgets the server relies on. EIP-7825 (Osaka, Hardhat's default hardfork) caps one transaction at
// 2^24 gas whatever the block gas limit, so the batch size the server uses must stay under it.
import { getAddress, hexlify, id, randomBytes } from 'ethers';
import type { CertificateContract } from '../src/certificate-contract.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mined, startChain } from './support/chain.ts';
import type { Chain } from './support/chain.ts';

const TX_GAS_CAP = 16_777_216n;

let chain: Chain;
let asIssuer: CertificateContract;
let nextId = 1n;

beforeAll(async () => {
  chain = await startChain();
  const { admin, issuer } = chain.accounts;
  asIssuer = (await chain.deploy(admin.address, issuer.address)).connect(issuer);
});
afterAll(() => chain?.close());

async function issueBatchGas(recipients: string[]): Promise<bigint> {
  const tokenIds = recipients.map(() => nextId++);
  const hashes = tokenIds.map((t) => id(`metadata:${t}`));
  return (await mined(asIssuer.issueBatch(recipients, tokenIds, hashes))).gasUsed;
}

const freshHolder = () => getAddress(hexlify(randomBytes(20)));
const freshHolders = (n: number) => Array.from({ length: n }, freshHolder);

describe('gas', () => {
  it('one certificate to a first-time holder costs under 125k gas', async () => {
    const receipt = await mined(asIssuer.issue(freshHolder(), nextId++, id('one')));
    expect(receipt.gasUsed).toBeLessThan(125_000n);
  });

  it('150 certificates to 150 first-time holders fit under the per-transaction cap', async () => {
    const gas = await issueBatchGas(freshHolders(150));
    expect(gas).toBeLessThan(TX_GAS_CAP);
    expect(gas / 150n).toBeLessThan(100_000n);
  });

  it('MAX_BATCH (200) certificates to one holder fit under the per-transaction cap', async () => {
    const holder = freshHolder();
    expect(await issueBatchGas(Array.from({ length: 200 }, () => holder))).toBeLessThan(TX_GAS_CAP);
  });
});
