// SPDX-License-Identifier: AGPL-3.0-or-later
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC5192} from "./IERC5192.sol";

/// @title Exam Hall certificates
/// @notice Soulbound (ERC-5192) ERC-721 tokens, one per issued certificate. Token ids are chosen by the
/// issuer (the certificate's UUID as a 128-bit integer), so resending an issue after a crash can never
/// create a second token for the same certificate: the second attempt reverts with CertificateAlreadyIssued.
contract ExamHallCertificate is ERC721, AccessControl, IERC5192 {
    bytes32 public constant ISSUER_ROLE = keccak256("ISSUER_ROLE");

    /// @notice Upper bound on one issueBatch call. A certificate for a first-time holder costs about 96k gas,
    /// so under EIP-7825's per-transaction cap (16,777,216 gas) only about 170 of those fit in one call:
    /// callers should size batches by gas, this bound only stops absurd calldata.
    uint256 public constant MAX_BATCH = 200;

    /// @dev The reason is public on chain; the bound keeps it short and the storage cost predictable.
    uint256 private constant MAX_REASON_BYTES = 256;

    struct Certificate {
        bytes32 metadataHash;
        uint64 issuedAt;
        uint64 revokedAt;
        bool revoked;
        string revocationReason;
    }

    mapping(uint256 tokenId => Certificate) private _certificates;

    event CertificateIssued(uint256 indexed tokenId, address indexed to, bytes32 metadataHash);
    event CertificateRevoked(uint256 indexed tokenId, string reason);

    error Soulbound();
    error CertificateAlreadyIssued(uint256 tokenId);
    error ZeroMetadataHash();
    error EmptyBatch();
    error BatchTooLarge(uint256 size, uint256 max);
    error LengthMismatch();
    error AlreadyRevoked(uint256 tokenId);
    error InvalidReason();

    constructor(string memory name_, string memory symbol_, address admin, address issuer) ERC721(name_, symbol_) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ISSUER_ROLE, issuer);
    }

    function issue(address to, uint256 tokenId, bytes32 metadataHash) external onlyRole(ISSUER_ROLE) {
        _issue(to, tokenId, metadataHash);
    }

    /// @notice Issues several certificates at once; any invalid item reverts the whole batch.
    function issueBatch(
        address[] calldata to,
        uint256[] calldata tokenIds,
        bytes32[] calldata metadataHashes
    ) external onlyRole(ISSUER_ROLE) {
        uint256 size = to.length;
        if (tokenIds.length != size || metadataHashes.length != size) revert LengthMismatch();
        if (size == 0) revert EmptyBatch();
        if (size > MAX_BATCH) revert BatchTooLarge(size, MAX_BATCH);
        for (uint256 i = 0; i < size; ++i) {
            _issue(to[i], tokenIds[i], metadataHashes[i]);
        }
    }

    /// @notice Marks a certificate as revoked. The token stays with its owner so the history stays verifiable.
    function revoke(uint256 tokenId, string calldata reason) external onlyRole(ISSUER_ROLE) {
        _requireOwned(tokenId);
        Certificate storage cert = _certificates[tokenId];
        if (cert.revoked) revert AlreadyRevoked(tokenId);
        uint256 reasonLength = bytes(reason).length;
        if (reasonLength == 0 || reasonLength > MAX_REASON_BYTES) revert InvalidReason();
        cert.revoked = true;
        cert.revokedAt = uint64(block.timestamp);
        cert.revocationReason = reason;
        emit CertificateRevoked(tokenId, reason);
    }

    function certificate(uint256 tokenId)
        external
        view
        returns (bytes32 metadataHash, uint64 issuedAt, bool revoked, uint64 revokedAt, string memory revocationReason)
    {
        _requireOwned(tokenId);
        Certificate storage cert = _certificates[tokenId];
        return (cert.metadataHash, cert.issuedAt, cert.revoked, cert.revokedAt, cert.revocationReason);
    }

    function exists(uint256 tokenId) external view returns (bool) {
        return _ownerOf(tokenId) != address(0);
    }

    /// @inheritdoc IERC5192
    function locked(uint256 tokenId) external view returns (bool) {
        _requireOwned(tokenId);
        return true;
    }

    /// @dev Approvals are meaningless for tokens that can never move, so they are refused outright.
    function approve(address, uint256) public virtual override {
        revert Soulbound();
    }

    function setApprovalForAll(address, bool) public virtual override {
        revert Soulbound();
    }

    function supportsInterface(bytes4 interfaceId) public view virtual override(ERC721, AccessControl) returns (bool) {
        return interfaceId == type(IERC5192).interfaceId || super.supportsInterface(interfaceId);
    }

    /// @dev The single choke point for ownership changes (transferFrom and both safeTransferFrom overloads end
    /// here): only mints pass, so there is no transfer and no burn. Checked before authorisation, so every
    /// caller gets Soulbound rather than an approval error.
    function _update(address to, uint256 tokenId, address auth) internal virtual override returns (address) {
        if (_ownerOf(tokenId) != address(0)) revert Soulbound();
        return super._update(to, tokenId, auth);
    }

    function _issue(address to, uint256 tokenId, bytes32 metadataHash) private {
        if (metadataHash == bytes32(0)) revert ZeroMetadataHash();
        if (_ownerOf(tokenId) != address(0)) revert CertificateAlreadyIssued(tokenId);
        // _mint, not _safeMint: certificates may go to custody contracts that do not implement
        // onERC721Received, and a soulbound token needs no proof that the receiver can move it on.
        _mint(to, tokenId);
        Certificate storage cert = _certificates[tokenId];
        cert.metadataHash = metadataHash;
        cert.issuedAt = uint64(block.timestamp);
        emit Locked(tokenId);
        emit CertificateIssued(tokenId, to, metadataHash);
    }
}
