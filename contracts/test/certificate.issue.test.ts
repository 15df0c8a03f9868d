import { randomUUID } from 'node:crypto';
import { ZeroAddress, ZeroHash, id, keccak256 } from 'ethers';
import type { JsonRpcSigner } from 'ethers';
import type { CertificateContract } from '../src/certificate-contract.ts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventsOf, expectRevert, mined, startChain } from './support/chain.ts';
import type { Chain } from './support/chain.ts';

// Token ids as the server makes them: the certificate's UUID read as a 128-bit integer.
const uuidTokenId = () => BigInt(`0x${randomUUID().replaceAll('-', '')}`);
const hashOf = (label: string) => id(`metadata:${label}`);

let chain: Chain;
let admin: JsonRpcSigner, issuer: JsonRpcSigner, alice: JsonRpcSigner, bob: JsonRpcSigner, outsider: JsonRpcSigner;
let cert: CertificateContract;
let asIssuer: CertificateContract;

beforeAll(async () => {
  chain = await startChain();
  ({ admin, issuer, alice, bob, outsider } = chain.accounts);
});
afterAll(() => chain?.close());

beforeEach(async () => {
  cert = await chain.deploy(admin.address, issuer.address);
  asIssuer = cert.connect(issuer);
});

function batch(size: number, to = alice.address) {
  const tokenIds = Array.from({ length: size }, uuidTokenId);
  return { to: tokenIds.map(() => to), tokenIds, hashes: tokenIds.map((t) => hashOf(t.toString())) };
}

describe('deployment', () => {
  it('grants DEFAULT_ADMIN_ROLE to admin and ISSUER_ROLE to issuer only', async () => {
    const issuerRole = await cert.ISSUER_ROLE();
    expect(issuerRole).toBe(keccak256(Buffer.from('ISSUER_ROLE')));
    expect(await cert.hasRole(ZeroHash, admin.address)).toBe(true);
    expect(await cert.hasRole(issuerRole, issuer.address)).toBe(true);
    expect(await cert.hasRole(issuerRole, admin.address)).toBe(false);
    expect(await cert.hasRole(ZeroHash, issuer.address)).toBe(false);
    expect(await cert.hasRole(ZeroHash, chain.accounts.deployer.address)).toBe(false);
    expect(await cert.MAX_BATCH()).toBe(200n);
    expect(await cert.name()).toBe('Exam Hall Certificate');
    expect(await cert.symbol()).toBe('EHC');
  });
});

describe('issue', () => {
  it('mints to the recipient, stores the hash and time, and emits Transfer, Locked, CertificateIssued', async () => {
    const tokenId = uuidTokenId();
    const hash = hashOf('one');
    const receipt = await mined(asIssuer.issue(alice.address, tokenId, hash));
    const block = await chain.provider.getBlock(receipt.blockNumber);

    expect(await cert.ownerOf(tokenId)).toBe(alice.address);
    expect(await cert.balanceOf(alice.address)).toBe(1n);
    expect(await cert.exists(tokenId)).toBe(true);
    expect(await cert.locked(tokenId)).toBe(true);
    const [metadataHash, issuedAt, revoked, revokedAt, reason] = await cert.certificate(tokenId);
    expect([metadataHash, issuedAt, revoked, revokedAt, reason]).toEqual([
      hash,
      BigInt(block!.timestamp),
      false,
      0n,
      '',
    ]);

    expect(eventsOf(cert, receipt)).toEqual([
      { name: 'Transfer', args: [ZeroAddress, alice.address, tokenId] },
      { name: 'Locked', args: [tokenId] },
      { name: 'CertificateIssued', args: [tokenId, alice.address, hash] },
    ]);
  });

  it('accepts the largest 128-bit id', async () => {
    const tokenId = 2n ** 128n - 1n;
    await mined(asIssuer.issue(bob.address, tokenId, hashOf('max')));
    expect(await cert.ownerOf(tokenId)).toBe(bob.address);
  });

  it('refuses an id that already exists, whoever the recipient, and keeps the first certificate', async () => {
    const tokenId = uuidTokenId();
    await mined(asIssuer.issue(alice.address, tokenId, hashOf('first')));
    await expectRevert(asIssuer.issue(bob.address, tokenId, hashOf('second')), cert, 'CertificateAlreadyIssued', [
      tokenId,
    ]);
    await expectRevert(asIssuer.issue(alice.address, tokenId, hashOf('first')), cert, 'CertificateAlreadyIssued', [
      tokenId,
    ]);
    expect(await cert.ownerOf(tokenId)).toBe(alice.address);
    expect((await cert.certificate(tokenId))[0]).toBe(hashOf('first'));
    expect(await cert.balanceOf(bob.address)).toBe(0n);
  });

  it('refuses a zero metadata hash', async () => {
    const tokenId = uuidTokenId();
    await expectRevert(asIssuer.issue(alice.address, tokenId, ZeroHash), cert, 'ZeroMetadataHash');
    expect(await cert.exists(tokenId)).toBe(false);
  });

  it('refuses the zero address as recipient', async () => {
    const tokenId = uuidTokenId();
    await expectRevert(asIssuer.issue(ZeroAddress, tokenId, hashOf('z')), cert, 'ERC721InvalidReceiver', [ZeroAddress]);
    expect(await cert.exists(tokenId)).toBe(false);
  });

  it('mints to a contract without onERC721Received (no safe-mint callback)', async () => {
    const tokenId = uuidTokenId();
    const custody = await cert.getAddress(); // any contract that does not implement the receiver hook
    await mined(asIssuer.issue(custody, tokenId, hashOf('custody')));
    expect(await cert.ownerOf(tokenId)).toBe(custody);
  });
});

describe('issueBatch', () => {
  it('issues a batch of one', async () => {
    const { to, tokenIds, hashes } = batch(1);
    await mined(asIssuer.issueBatch(to, tokenIds, hashes));
    expect(await cert.ownerOf(tokenIds[0]!)).toBe(alice.address);
    expect((await cert.certificate(tokenIds[0]!))[0]).toBe(hashes[0]);
  });

  it('issues many to different recipients with one Locked and CertificateIssued per token, in order', async () => {
    const tokenIds = [uuidTokenId(), uuidTokenId(), uuidTokenId()];
    const to = [alice.address, bob.address, alice.address];
    const hashes = tokenIds.map((t) => hashOf(t.toString()));
    const receipt = await mined(asIssuer.issueBatch(to, tokenIds, hashes));
    expect(eventsOf(cert, receipt)).toEqual(
      tokenIds.flatMap((tokenId, i) => [
        { name: 'Transfer', args: [ZeroAddress, to[i], tokenId] },
        { name: 'Locked', args: [tokenId] },
        { name: 'CertificateIssued', args: [tokenId, to[i], hashes[i]] },
      ]),
    );
    expect(await cert.balanceOf(alice.address)).toBe(2n);
    expect(await cert.balanceOf(bob.address)).toBe(1n);
    for (const [i, tokenId] of tokenIds.entries()) {
      expect(await cert.ownerOf(tokenId)).toBe(to[i]);
      expect((await cert.certificate(tokenId))[0]).toBe(hashes[i]);
    }
  });

  it('issues exactly MAX_BATCH (200) in one transaction', async () => {
    const { to, tokenIds, hashes } = batch(200);
    await mined(asIssuer.issueBatch(to, tokenIds, hashes));
    expect(await cert.balanceOf(alice.address)).toBe(200n);
    expect(await cert.exists(tokenIds[0]!)).toBe(true);
    expect(await cert.exists(tokenIds[199]!)).toBe(true);
  });

  it('refuses an empty batch', async () => {
    await expectRevert(asIssuer.issueBatch([], [], []), cert, 'EmptyBatch');
  });

  it('refuses more than MAX_BATCH items', async () => {
    const { to, tokenIds, hashes } = batch(201);
    await expectRevert(asIssuer.issueBatch(to, tokenIds, hashes), cert, 'BatchTooLarge', [201n, 200n]);
    expect(await cert.balanceOf(alice.address)).toBe(0n);
  });

  it('refuses arrays of different lengths', async () => {
    const { to, tokenIds, hashes } = batch(3);
    await expectRevert(asIssuer.issueBatch(to, tokenIds.slice(0, 2), hashes), cert, 'LengthMismatch');
    await expectRevert(asIssuer.issueBatch(to, tokenIds, hashes.slice(0, 2)), cert, 'LengthMismatch');
    await expectRevert(asIssuer.issueBatch(to.slice(0, 2), tokenIds, hashes), cert, 'LengthMismatch');
    await expectRevert(asIssuer.issueBatch([], tokenIds, hashes), cert, 'LengthMismatch');
  });

  // These send the transaction with a fixed gas limit so it is really mined and reverted, proving that the
  // items before the bad one are rolled back, not merely that gas estimation failed.
  const sendWithoutEstimate = { gasLimit: 5_000_000 };
  const expectMinedAndReverted = async () => expect(await chain.latestTransactionStatus()).toBe(0);

  it('reverts the whole batch when an id repeats inside it', async () => {
    const { to, tokenIds, hashes } = batch(4);
    tokenIds[3] = tokenIds[1]!;
    await expectRevert(
      asIssuer.issueBatch(to, tokenIds, hashes, sendWithoutEstimate),
      cert,
      'CertificateAlreadyIssued',
      [tokenIds[1]],
    );
    await expectMinedAndReverted();
    expect(await cert.balanceOf(alice.address)).toBe(0n);
    expect(await cert.exists(tokenIds[0]!)).toBe(false);
  });

  it('reverts the whole batch when an id already exists on chain', async () => {
    const existing = uuidTokenId();
    await mined(asIssuer.issue(bob.address, existing, hashOf('existing')));
    const { to, tokenIds, hashes } = batch(3);
    tokenIds[2] = existing;
    await expectRevert(
      asIssuer.issueBatch(to, tokenIds, hashes, sendWithoutEstimate),
      cert,
      'CertificateAlreadyIssued',
      [existing],
    );
    await expectMinedAndReverted();
    expect(await cert.balanceOf(alice.address)).toBe(0n);
    expect(await cert.exists(tokenIds[0]!)).toBe(false);
    expect(await cert.ownerOf(existing)).toBe(bob.address);
  });

  it('reverts the whole batch on a zero hash', async () => {
    const { to, tokenIds, hashes } = batch(3);
    hashes[2] = ZeroHash;
    await expectRevert(asIssuer.issueBatch(to, tokenIds, hashes, sendWithoutEstimate), cert, 'ZeroMetadataHash');
    await expectMinedAndReverted();
    expect(await cert.exists(tokenIds[0]!)).toBe(false);
  });

  it('reverts the whole batch on a zero address', async () => {
    const { to, tokenIds, hashes } = batch(3);
    to[1] = ZeroAddress;
    await expectRevert(asIssuer.issueBatch(to, tokenIds, hashes, sendWithoutEstimate), cert, 'ERC721InvalidReceiver', [
      ZeroAddress,
    ]);
    await expectMinedAndReverted();
    expect(await cert.exists(tokenIds[0]!)).toBe(false);
  });
});

describe('access control', () => {
  it('only ISSUER_ROLE can issue, issueBatch and revoke', async () => {
    const role = await cert.ISSUER_ROLE();
    const tokenId = uuidTokenId();
    await mined(asIssuer.issue(alice.address, tokenId, hashOf('x')));
    for (const signer of [outsider, admin, alice]) {
      const asOther = cert.connect(signer);
      const denied = [signer.address, role];
      await expectRevert(
        asOther.issue(alice.address, uuidTokenId(), hashOf('y')),
        cert,
        'AccessControlUnauthorizedAccount',
        denied,
      );
      await expectRevert(
        asOther.issueBatch([alice.address], [uuidTokenId()], [hashOf('y')]),
        cert,
        'AccessControlUnauthorizedAccount',
        denied,
      );
      await expectRevert(asOther.revoke(tokenId, 'fraud'), cert, 'AccessControlUnauthorizedAccount', denied);
    }
    expect(await cert.balanceOf(alice.address)).toBe(1n);
    expect((await cert.certificate(tokenId))[2]).toBe(false);
  });

  it('the admin can grant and revoke the issuer role; only the admin can', async () => {
    const role = await cert.ISSUER_ROLE();
    const asAdmin = cert.connect(admin);
    const asBob = cert.connect(bob);

    await expectRevert(cert.connect(issuer).grantRole(role, bob.address), cert, 'AccessControlUnauthorizedAccount', [
      issuer.address,
      ZeroHash,
    ]);

    await mined(asAdmin.grantRole(role, bob.address));
    expect(await cert.hasRole(role, bob.address)).toBe(true);
    const tokenId = uuidTokenId();
    await mined(asBob.issue(alice.address, tokenId, hashOf('bob')));
    expect(await cert.ownerOf(tokenId)).toBe(alice.address);

    await mined(asAdmin.revokeRole(role, bob.address));
    expect(await cert.hasRole(role, bob.address)).toBe(false);
    await expectRevert(
      asBob.issue(alice.address, uuidTokenId(), hashOf('bob2')),
      cert,
      'AccessControlUnauthorizedAccount',
      [bob.address, role],
    );

    // Removing the original issuer works the same way.
    await mined(asAdmin.revokeRole(role, issuer.address));
    await expectRevert(
      asIssuer.issue(alice.address, uuidTokenId(), hashOf('z')),
      cert,
      'AccessControlUnauthorizedAccount',
      [issuer.address, role],
    );
  });
});
