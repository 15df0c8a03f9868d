import { ZeroAddress, id } from 'ethers';
import type { JsonRpcSigner } from 'ethers';
import type { CertificateContract } from '../src/certificate-contract.ts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ERC5192_INTERFACE_ID } from '../src/certificate-contract.ts';
import { eventsOf, expectRevert, mined, startChain } from './support/chain.ts';
import type { Chain } from './support/chain.ts';

const TOKEN = 0x1234_5678_9abc_def0_1234_5678_9abc_def0n;
const UNKNOWN = 42n;
const HASH = id('metadata');

let chain: Chain;
let admin: JsonRpcSigner, issuer: JsonRpcSigner, alice: JsonRpcSigner, bob: JsonRpcSigner;
let cert: CertificateContract;
let asIssuer: CertificateContract;
let asAlice: CertificateContract;

beforeAll(async () => {
  chain = await startChain();
  ({ admin, issuer, alice, bob } = chain.accounts);
});
afterAll(() => chain?.close());

beforeEach(async () => {
  cert = await chain.deploy(admin.address, issuer.address);
  asIssuer = cert.connect(issuer);
  asAlice = cert.connect(alice);
  await mined(asIssuer.issue(alice.address, TOKEN, HASH));
});

async function expectStillAlicesAndUnapproved() {
  expect(await cert.ownerOf(TOKEN)).toBe(alice.address);
  expect(await cert.balanceOf(alice.address)).toBe(1n);
  expect(await cert.balanceOf(bob.address)).toBe(0n);
  expect(await cert.getApproved(TOKEN)).toBe(ZeroAddress);
  expect(await cert.isApprovedForAll(alice.address, bob.address)).toBe(false);
}

describe('soulbound', () => {
  it('transferFrom reverts with Soulbound, for the owner and for anyone else', async () => {
    await expectRevert(asAlice.transferFrom(alice.address, bob.address, TOKEN), cert, 'Soulbound');
    await expectRevert(asIssuer.transferFrom(alice.address, bob.address, TOKEN), cert, 'Soulbound');
    await expectRevert(cert.connect(admin).transferFrom(alice.address, admin.address, TOKEN), cert, 'Soulbound');
    await expectStillAlicesAndUnapproved();
  });

  it('both safeTransferFrom overloads revert with Soulbound', async () => {
    await expectRevert(
      asAlice['safeTransferFrom(address,address,uint256)'](alice.address, bob.address, TOKEN),
      cert,
      'Soulbound',
    );
    await expectRevert(
      asAlice['safeTransferFrom(address,address,uint256,bytes)'](alice.address, bob.address, TOKEN, '0x1234'),
      cert,
      'Soulbound',
    );
    await expectStillAlicesAndUnapproved();
  });

  it('a transfer that is really mined also reverts (not only gas estimation)', async () => {
    await expectRevert(
      asAlice.transferFrom(alice.address, bob.address, TOKEN, { gasLimit: 1_000_000 }),
      cert,
      'Soulbound',
    );
    expect(await chain.latestTransactionStatus()).toBe(0);
    await expectStillAlicesAndUnapproved();
  });

  it('cannot be burned: there is no burn function and a transfer to the zero address reverts', async () => {
    expect(cert.interface.getFunction('burn')).toBeNull();
    await expectRevert(asAlice.transferFrom(alice.address, ZeroAddress, TOKEN), cert, 'ERC721InvalidReceiver', [
      ZeroAddress,
    ]);
    expect(await cert.exists(TOKEN)).toBe(true);
  });

  it('approve and setApprovalForAll revert with Soulbound', async () => {
    await expectRevert(asAlice.approve(bob.address, TOKEN), cert, 'Soulbound');
    await expectRevert(asAlice.approve(ZeroAddress, TOKEN), cert, 'Soulbound');
    await expectRevert(asAlice.setApprovalForAll(bob.address, true), cert, 'Soulbound');
    await expectRevert(asAlice.setApprovalForAll(bob.address, false), cert, 'Soulbound');
    await expectStillAlicesAndUnapproved();
  });

  it('locked() is true for an existing token and reverts for an unknown one', async () => {
    expect(await cert.locked(TOKEN)).toBe(true);
    await expectRevert(cert.locked(UNKNOWN), cert, 'ERC721NonexistentToken', [UNKNOWN]);
  });
});

describe('supportsInterface', () => {
  it('reports ERC-5192, ERC-721, ERC-721 metadata, AccessControl and ERC-165, and nothing else', async () => {
    expect(cert.interface.getFunction('locked')!.selector).toBe(ERC5192_INTERFACE_ID);
    expect(await cert.supportsInterface('0xb45a3c0e')).toBe(true); // ERC-5192
    expect(await cert.supportsInterface('0x80ac58cd')).toBe(true); // ERC-721
    expect(await cert.supportsInterface('0x5b5e139f')).toBe(true); // ERC-721 metadata
    expect(await cert.supportsInterface('0x7965db0b')).toBe(true); // AccessControl
    expect(await cert.supportsInterface('0x01ffc9a7')).toBe(true); // ERC-165
    expect(await cert.supportsInterface('0xffffffff')).toBe(false);
    expect(await cert.supportsInterface('0x780e9d63')).toBe(false); // ERC-721 enumerable
  });
});

describe('revoke', () => {
  it('marks the certificate revoked with time and reason, keeps the owner, and emits CertificateRevoked', async () => {
    const [, issuedAt] = await cert.certificate(TOKEN);
    await chain.provider.send('evm_increaseTime', [3600]);
    const receipt = await mined(asIssuer.revoke(TOKEN, 'exam annulled'));
    const block = await chain.provider.getBlock(receipt.blockNumber);

    const [metadataHash, issuedAtAfter, revoked, revokedAt, reason] = await cert.certificate(TOKEN);
    expect([metadataHash, issuedAtAfter, revoked, revokedAt, reason]).toEqual([
      HASH,
      issuedAt,
      true,
      BigInt(block!.timestamp),
      'exam annulled',
    ]);
    expect(revokedAt).toBeGreaterThanOrEqual(issuedAt + 3600n);

    expect(eventsOf(cert, receipt)).toEqual([{ name: 'CertificateRevoked', args: [TOKEN, 'exam annulled'] }]);

    expect(await cert.ownerOf(TOKEN)).toBe(alice.address);
    expect(await cert.exists(TOKEN)).toBe(true);
    expect(await cert.locked(TOKEN)).toBe(true);
  });

  it('refuses to revoke twice and keeps the first reason', async () => {
    await mined(asIssuer.revoke(TOKEN, 'first'));
    await expectRevert(asIssuer.revoke(TOKEN, 'second'), cert, 'AlreadyRevoked', [TOKEN]);
    expect((await cert.certificate(TOKEN))[4]).toBe('first');
  });

  it('refuses an unknown token', async () => {
    await expectRevert(asIssuer.revoke(UNKNOWN, 'fraud'), cert, 'ERC721NonexistentToken', [UNKNOWN]);
  });

  it('requires a reason of 1 to 256 bytes (bytes, not characters)', async () => {
    await expectRevert(asIssuer.revoke(TOKEN, ''), cert, 'InvalidReason');
    await expectRevert(asIssuer.revoke(TOKEN, 'x'.repeat(257)), cert, 'InvalidReason');
    await expectRevert(asIssuer.revoke(TOKEN, 'é'.repeat(129)), cert, 'InvalidReason'); // 258 bytes
    expect((await cert.certificate(TOKEN))[2]).toBe(false);

    await mined(asIssuer.revoke(TOKEN, 'é'.repeat(128))); // exactly 256 bytes
    expect((await cert.certificate(TOKEN))[4]).toBe('é'.repeat(128));
  });

  it('accepts a one-byte and a 256-byte ASCII reason', async () => {
    await mined(asIssuer.issue(bob.address, UNKNOWN, HASH));
    await mined(asIssuer.revoke(TOKEN, 'x'));
    await mined(asIssuer.revoke(UNKNOWN, 'y'.repeat(256)));
    expect((await cert.certificate(TOKEN))[4]).toBe('x');
    expect((await cert.certificate(UNKNOWN))[4]).toBe('y'.repeat(256));
  });
});

describe('views for unknown tokens', () => {
  it('certificate() and ownerOf() revert with ERC721NonexistentToken; exists() is false', async () => {
    await expectRevert(cert.certificate(UNKNOWN), cert, 'ERC721NonexistentToken', [UNKNOWN]);
    await expectRevert(cert.ownerOf(UNKNOWN), cert, 'ERC721NonexistentToken', [UNKNOWN]);
    expect(await cert.exists(UNKNOWN)).toBe(false);
    expect(await cert.exists(TOKEN)).toBe(true);
  });

  it("keeps OpenZeppelin's default tokenURI (empty base URI)", async () => {
    expect(await cert.tokenURI(TOKEN)).toBe('');
    await expectRevert(cert.tokenURI(UNKNOWN), cert, 'ERC721NonexistentToken', [UNKNOWN]);
  });
});
