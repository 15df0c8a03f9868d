// Typed helpers over ethers 6 for the server and scripts. Imported in production: no Hardhat here.
import { Contract, ContractFactory, ZeroAddress, getAddress } from 'ethers';
import type {
  AddressLike,
  BaseContract,
  BaseContractMethod,
  BigNumberish,
  BytesLike,
  ContractRunner,
  ContractTransactionResponse,
  Signer,
} from 'ethers';
import { certificateAbi, certificateBytecode } from './artifact.ts';

export { certificateAbi, certificateBytecode, solcVersion } from './artifact.ts';

/** ERC-5192 (minimal soulbound NFTs): the selector of `locked(uint256)`. */
export const ERC5192_INTERFACE_ID = '0xb45a3c0e';
/** Mirrors the contract's MAX_BATCH: larger issueBatch calls revert with BatchTooLarge. */
export const MAX_BATCH = 200;

type View<A extends unknown[], R> = BaseContractMethod<A, R, R>;
type Send<A extends unknown[]> = BaseContractMethod<A, void, ContractTransactionResponse>;

/** What `certificate(tokenId)` returns: an ethers Result, readable by position or by name. */
export type CertificateRecord = [
  metadataHash: string,
  issuedAt: bigint,
  revoked: boolean,
  revokedAt: bigint,
  revocationReason: string,
] & { metadataHash: string; issuedAt: bigint; revoked: boolean; revokedAt: bigint; revocationReason: string };

/** The contract's external interface, typed (hand-written from the ABI; the contract tests exercise every member). */
export interface CertificateContract extends BaseContract {
  connect(runner: ContractRunner | null): CertificateContract;

  ISSUER_ROLE: View<[], string>;
  DEFAULT_ADMIN_ROLE: View<[], string>;
  MAX_BATCH: View<[], bigint>;
  issue: Send<[to: AddressLike, tokenId: BigNumberish, metadataHash: BytesLike]>;
  issueBatch: Send<[to: AddressLike[], tokenIds: BigNumberish[], metadataHashes: BytesLike[]]>;
  revoke: Send<[tokenId: BigNumberish, reason: string]>;
  certificate: View<[tokenId: BigNumberish], CertificateRecord>;
  exists: View<[tokenId: BigNumberish], boolean>;
  locked: View<[tokenId: BigNumberish], boolean>;
  supportsInterface: View<[interfaceId: BytesLike], boolean>;

  hasRole: View<[role: BytesLike, account: AddressLike], boolean>;
  getRoleAdmin: View<[role: BytesLike], string>;
  grantRole: Send<[role: BytesLike, account: AddressLike]>;
  revokeRole: Send<[role: BytesLike, account: AddressLike]>;
  renounceRole: Send<[role: BytesLike, callerConfirmation: AddressLike]>;

  name: View<[], string>;
  symbol: View<[], string>;
  tokenURI: View<[tokenId: BigNumberish], string>;
  balanceOf: View<[owner: AddressLike], bigint>;
  ownerOf: View<[tokenId: BigNumberish], string>;
  getApproved: View<[tokenId: BigNumberish], string>;
  isApprovedForAll: View<[owner: AddressLike, operator: AddressLike], boolean>;
  // Present for ERC-721 compatibility; all of these revert with Soulbound.
  approve: Send<[to: AddressLike, tokenId: BigNumberish]>;
  setApprovalForAll: Send<[operator: AddressLike, approved: boolean]>;
  transferFrom: Send<[from: AddressLike, to: AddressLike, tokenId: BigNumberish]>;
  'safeTransferFrom(address,address,uint256)': Send<[from: AddressLike, to: AddressLike, tokenId: BigNumberish]>;
  'safeTransferFrom(address,address,uint256,bytes)': Send<
    [from: AddressLike, to: AddressLike, tokenId: BigNumberish, data: BytesLike]
  >;
}

export interface DeployCertificateOptions {
  admin: string;
  issuer: string;
  name?: string;
  symbol?: string;
}

export interface DeployedCertificateContract {
  address: string;
  txHash: string;
  blockNumber: number;
}

/** Deploys the certificate contract and waits for the deployment to be mined. */
export async function deployCertificateContract(
  signer: Signer,
  { admin, issuer, name = 'Exam Hall Certificate', symbol = 'EHC' }: DeployCertificateOptions,
): Promise<DeployedCertificateContract> {
  // A zero admin would leave the issuer role impossible to manage; a zero issuer could never issue.
  const adminAddress = nonZeroAddress(admin, 'admin');
  const issuerAddress = nonZeroAddress(issuer, 'issuer');
  const factory = new ContractFactory(certificateAbi, certificateBytecode, signer);
  const contract = await factory.deploy(name, symbol, adminAddress, issuerAddress);
  const tx = contract.deploymentTransaction();
  if (!tx) throw new Error('certificate contract deployment has no transaction');
  const receipt = await tx.wait();
  if (!receipt || receipt.status !== 1 || !receipt.contractAddress) {
    throw new Error(`certificate contract deployment failed (tx ${tx.hash})`);
  }
  return { address: receipt.contractAddress, txHash: tx.hash, blockNumber: receipt.blockNumber };
}

/** An ethers Contract at `address` with the certificate ABI (custom errors included, so reverts decode). */
export function certificateContract(address: string, runner: ContractRunner | null = null): CertificateContract {
  return new Contract(address, certificateAbi, runner) as unknown as CertificateContract;
}

function nonZeroAddress(value: string, what: string): string {
  const address = getAddress(value);
  if (address === ZeroAddress) throw new Error(`certificate contract ${what} must not be the zero address`);
  return address;
}
