// One in-process Hardhat network (EDR, no JSON-RPC port) per test file, driven by plain ethers 6.
import { BrowserProvider, ContractFactory, isError } from 'ethers';
import type {
  BaseContract,
  ContractTransactionReceipt,
  ContractTransactionResponse,
  Interface,
  JsonRpcSigner,
} from 'ethers';
import { expect } from 'vitest';
import { compileCertificate, createContractsHre } from '../../scripts/compile.ts';
import type { CompiledCertificate } from '../../scripts/compile.ts';
import type { CertificateContract } from '../../src/certificate-contract.ts';

export interface Chain {
  compiled: CompiledCertificate;
  provider: BrowserProvider;
  /** Hardhat's funded, unlocked default accounts, by role in the tests. */
  accounts: Record<'deployer' | 'admin' | 'issuer' | 'alice' | 'bob' | 'outsider', JsonRpcSigner>;
  /** Status of the last transaction in the latest block: proves a failing transaction was really mined. */
  latestTransactionStatus(): Promise<number | null>;
  /** Deploys the freshly compiled source, so these tests exercise the .sol file itself. */
  deploy(admin: string, issuer: string): Promise<CertificateContract>;
  close(): Promise<void>;
}

export async function startChain(): Promise<Chain> {
  const hre = await createContractsHre();
  const compiled = await compileCertificate(hre);
  const connection = await hre.network.create();
  // cacheTimeout -1: ethers' 250 ms request cache can hand out a stale nonce right after a deployment.
  const provider = new BrowserProvider(connection.provider, undefined, { cacheTimeout: -1 });
  const accounts: string[] = await provider.send('eth_accounts', []);
  const [deployer, admin, issuer, alice, bob, outsider] = await Promise.all(
    accounts.slice(0, 6).map((address) => provider.getSigner(address)),
  );
  if (!deployer || !admin || !issuer || !alice || !bob || !outsider) throw new Error('expected 6 funded accounts');
  return {
    compiled,
    provider,
    accounts: { deployer, admin, issuer, alice, bob, outsider },
    async latestTransactionStatus() {
      const block = await provider.getBlock('latest');
      const hash = block?.transactions.at(-1);
      return hash ? ((await provider.getTransactionReceipt(hash))?.status ?? null) : null;
    },
    async deploy(admin, issuer) {
      const factory = new ContractFactory(compiled.abi as never, compiled.bytecode, deployer);
      const contract = await factory.deploy('Exam Hall Certificate', 'EHC', admin, issuer);
      await contract.waitForDeployment();
      return contract as unknown as CertificateContract;
    },
    close: () => connection.close(),
  };
}

/**
 * Asserts that `action` reverts with the custom error `name` (and `args`, if given), decoded with the
 * contract's ABI. Works both for reverts caught by gas estimation and for mined, reverted transactions.
 */
export async function expectRevert(
  action: Promise<unknown>,
  contract: BaseContract,
  name: string,
  args?: unknown[],
): Promise<void> {
  let caught: unknown;
  try {
    await action;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a revert with ${name}`).toBeDefined();
  const decoded = decodeRevert(caught, contract.interface);
  expect(decoded?.name, `revert of ${String(caught)}`).toBe(name);
  if (args) expect(decoded?.args).toEqual(args);
}

function decodeRevert(error: unknown, iface: Interface): { name: string; args: unknown[] } | undefined {
  if (isError(error, 'CALL_EXCEPTION') && error.revert) {
    return { name: error.revert.name, args: [...error.revert.args] };
  }
  const data = findRevertData(error);
  if (!data) return undefined;
  const parsed = iface.parseError(data);
  return parsed ? { name: parsed.name, args: [...parsed.args] } : undefined;
}

function findRevertData(value: unknown, depth = 0): string | undefined {
  if (depth > 6 || value === null || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.data === 'string' && record.data.startsWith('0x') && record.data.length >= 10) return record.data;
  for (const key of ['data', 'error', 'info', 'cause']) {
    const found = findRevertData(record[key], depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** Sends, waits for the receipt and insists on one (ethers types it as nullable). */
export async function mined(sent: Promise<ContractTransactionResponse>): Promise<ContractTransactionReceipt> {
  const receipt = await (await sent).wait();
  if (!receipt) throw new Error('transaction has no receipt');
  return receipt;
}

/** The receipt's logs decoded with the contract's ABI, in order, as { name, args }. */
export function eventsOf(contract: BaseContract, receipt: ContractTransactionReceipt) {
  return receipt.logs.map((log) => {
    const parsed = contract.interface.parseLog(log);
    if (!parsed) throw new Error(`log not from this contract: ${log.topics[0]}`);
    return { name: parsed.name, args: [...parsed.args] as unknown[] };
  });
}
