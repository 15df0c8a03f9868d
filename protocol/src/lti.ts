// LTI 1.3 / LTI Advantage: shared enums. (Platform registration, launch and deep-linking
// contracts are added below by the LTI core slice; grade sync and roster contracts live in
// lti-grades.ts.)

/** lti_tool: the tool's JWKS (RS256); credential_issuer: Open Badges signing (Ed25519). */
export const signingKeyPurposes = ['lti_tool', 'credential_issuer'] as const;
export type SigningKeyPurpose = (typeof signingKeyPurposes)[number];

/** next: published, not yet signing; active: signs; retired: published until its grace ends. */
export const signingKeyStates = ['next', 'active', 'retired'] as const;
export type SigningKeyState = (typeof signingKeyStates)[number];

/** A student's score push to the LMS gradebook (AGS). */
export const gradeSyncStatuses = ['pending', 'sent', 'failed'] as const;
export type GradeSyncStatus = (typeof gradeSyncStatuses)[number];
