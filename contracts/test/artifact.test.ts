import { createRequire } from 'node:module';
import { Wallet, ZeroAddress } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateAbi, certificateBytecode, solcVersion } from '../src/artifact.ts';
import {
  ERC5192_INTERFACE_ID,
  MAX_BATCH,
  certificateContract,
  deployCertificateContract,
} from '../src/certificate-contract.ts';
import { mined, startChain } from './support/chain.ts';
import type { Chain } from './support/chain.ts';

let chain: Chain;
beforeAll(async () => {
  chain = await startChain();
});
afterAll(() => chain?.close());

describe('committed artifact (src/artifact.ts)', () => {
  it('equals a fresh compile of contracts/ExamHallCertificate.sol; run `npm run build -w contracts` if not', () => {
    expect(certificateBytecode).toBe(chain.compiled.bytecode);
    expect(certificateAbi).toEqual(chain.compiled.abi);
  });

  it('names the solc release that is installed and configured', () => {
    const require = createRequire(import.meta.url);
    expect(require('solc/package.json').version).toBe(solcVersion);
  });
});

describe('certificate-contract helpers', () => {
  it('deployCertificateContract deploys the committed bytecode with roles, name and symbol', async () => {
    const { deployer, admin, issuer } = chain.accounts;
    const deployed = await deployCertificateContract(deployer, { admin: admin.address, issuer: issuer.address });

    const receipt = await chain.provider.getTransactionReceipt(deployed.txHash);
    expect(receipt?.contractAddress).toBe(deployed.address);
    expect(receipt?.blockNumber).toBe(deployed.blockNumber);
    expect(await chain.provider.getCode(deployed.address)).not.toBe('0x');

    const cert = certificateContract(deployed.address, chain.provider);
    expect(await cert.name()).toBe('Exam Hall Certificate');
    expect(await cert.symbol()).toBe('EHC');
    expect(await cert.MAX_BATCH()).toBe(BigInt(MAX_BATCH));
    expect(await cert.supportsInterface(ERC5192_INTERFACE_ID)).toBe(true);
    expect(await cert.hasRole(await cert.ISSUER_ROLE(), issuer.address)).toBe(true);
    expect(await cert.hasRole(await cert.DEFAULT_ADMIN_ROLE(), admin.address)).toBe(true);
  });

  it('passes a custom name and symbol, and the returned contract can send as its runner', async () => {
    const { deployer, admin, issuer, alice } = chain.accounts;
    const { address } = await deployCertificateContract(deployer, {
      admin: admin.address,
      issuer: issuer.address,
      name: 'Test Certs',
      symbol: 'TC',
    });
    const cert = certificateContract(address, issuer);
    expect([await cert.name(), await cert.symbol()]).toEqual(['Test Certs', 'TC']);
    await mined(cert.issue(alice.address, 7n, `0x${'ab'.repeat(32)}`));
    expect(await cert.ownerOf(7n)).toBe(alice.address);
  });

  it('refuses a zero or malformed admin or issuer before sending anything', async () => {
    const { deployer, admin } = chain.accounts;
    const before = await chain.provider.getTransactionCount(deployer.address);
    const issuer = Wallet.createRandom().address;
    await expect(deployCertificateContract(deployer, { admin: ZeroAddress, issuer })).rejects.toThrow(/admin/);
    await expect(deployCertificateContract(deployer, { admin: admin.address, issuer: ZeroAddress })).rejects.toThrow(
      /issuer/,
    );
    await expect(deployCertificateContract(deployer, { admin: 'not-an-address', issuer })).rejects.toThrow();
    expect(await chain.provider.getTransactionCount(deployer.address)).toBe(before);
  });
});
