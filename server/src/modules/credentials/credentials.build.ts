// An issued certificate as an Open Badges 3.0 OpenBadgeCredential (W3C VC Data Model 2.0),
// before signing. Only terms the VC 2.0 and OB 3.0 contexts define are used, so JSON-LD
// processing (safe mode) keeps every field and the signature covers all of them.
import { createHash } from 'node:crypto';
import { STATUS_LIST_SIZE, type CertificateMetadata } from '@exam-hall/protocol';
import type { Certificate } from '../../db/schema/certificates.ts';
import { verifyUrlOf } from '../verification/verification.service.ts';
import { OB_V3_CONTEXT, VC_V2_CONTEXT } from './credentials.contexts.ts';

export const issuerUrlOf = (publicUrl: string) => `${publicUrl}/issuer`;
export const keyUrlOf = (publicUrl: string, kid: string) => `${publicUrl}/issuer/keys/${kid}`;
export const statusListUrlOf = (publicUrl: string, list: number) => `${publicUrl}/credentials/status/${list}`;

/** Which list and which bit a certificate's never-reused status list index names. */
export const statusPositionOf = (index: number) => ({
  list: Math.floor(index / STATUS_LIST_SIZE),
  bit: index % STATUS_LIST_SIZE,
});

/** The issuer as credentials embed it (GET /issuer serves the same Profile with its keys). */
export const issuerProfileOf = (publicUrl: string, institutionName: string) => ({
  id: issuerUrlOf(publicUrl),
  type: ['Profile'],
  name: institutionName,
  url: publicUrl,
});

/** The chain, contract and token as a CAIP-19 asset id (eip155:<chain>/erc721:<contract>/<token>). */
export const anchorUriOf = (chainId: number, contract: string, tokenId: string) =>
  `eip155:${chainId}/erc721:${contract}/${tokenId}`;

/**
 * The recipient as an OB 3.0 hashed IdentityObject over their name (the only personal fact a
 * certificate carries; never the email). Someone who knows the name can confirm it; nobody
 * can read it off the file. The salt is derived from the certificate's own random salt.
 */
function identityOf(m: CertificateMetadata) {
  const salt = createHash('sha256').update(`ob3-identity:${m.salt}`).digest('base64url').slice(0, 22);
  const hash = createHash('sha256').update(`${m.recipient.name}${salt}`).digest('hex');
  return { type: 'IdentityObject', identityType: 'name', hashed: true, identityHash: `sha256$${hash}`, salt };
}

export interface CredentialSource {
  cert: Certificate;
  publicUrl: string;
  institutionName: string;
}

/** Null when the certificate is not on the chain yet (pending, minting, failed): nothing to anchor. */
export function unsignedCredentialOf({ cert, publicUrl, institutionName }: CredentialSource) {
  if (!cert.issuedAt || cert.tokenId === null || cert.contractAddress === null || cert.chainId === null) return null;
  const m = cert.metadata as CertificateMetadata;
  const achievementId = `urn:uuid:${m.exam.id}`;
  const scoreId = `${achievementId}#percentage`;
  const { list, bit } = statusPositionOf(cert.statusListIndex);
  const statusList = statusListUrlOf(publicUrl, list);
  const where = m.course ? `${m.exam.title} (${m.course.name})` : m.exam.title;
  const anchor = [
    `Token ${cert.tokenId} of the certificate contract ${cert.contractAddress} on chain ${cert.chainId}`,
    `records the SHA-256 hash ${cert.metadataHash} of this certificate's canonical record`,
    cert.txHash
      ? `(issued by transaction ${cert.txHash}${cert.blockNumber !== null ? ` in block ${cert.blockNumber}` : ''})`
      : '',
  ].filter(Boolean);
  return {
    '@context': [VC_V2_CONTEXT, OB_V3_CONTEXT],
    id: verifyUrlOf(publicUrl, cert.publicId),
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    issuer: issuerProfileOf(publicUrl, institutionName),
    validFrom: cert.issuedAt.toISOString(),
    awardedDate: cert.issuedAt.toISOString(),
    name: m.exam.title,
    description: `Passed ${where} at ${m.institution.name} with ${m.result.percentage}%.`,
    credentialSubject: {
      type: ['AchievementSubject'],
      identifier: [identityOf(m)],
      activityEndDate: m.completedAt,
      achievement: {
        id: achievementId,
        type: ['Achievement'],
        achievementType: 'Assessment',
        name: m.exam.title,
        description: `The exam ${where} at ${m.institution.name}.`,
        criteria: { narrative: `Score at least ${m.result.passingScore}% in the proctored exam.` },
        resultDescription: [
          {
            id: scoreId,
            type: ['ResultDescription'],
            name: 'Score (percent)',
            resultType: 'Percent',
            valueMin: '0',
            valueMax: '100',
            requiredValue: String(m.result.passingScore),
          },
        ],
      },
      result: [
        { type: ['Result'], resultDescription: scoreId, value: String(m.result.percentage), status: 'Completed' },
      ],
    },
    evidence: [
      {
        id: anchorUriOf(cert.chainId, cert.contractAddress, cert.tokenId),
        type: ['Evidence'],
        name: 'Blockchain record',
        narrative: `${anchor.join(' ')}. The record itself: ${publicUrl}/api/verify/${cert.publicId}/certificate.json`,
      },
    ],
    credentialStatus: {
      id: `${statusList}#${bit}`,
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: String(bit),
      statusListCredential: statusList,
    },
  };
}
export type UnsignedCredential = NonNullable<ReturnType<typeof unsignedCredentialOf>>;
