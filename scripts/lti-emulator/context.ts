// What the HTTP handlers and the emulator's methods share: the platform's identity, the tool it
// has registered, its keys and its data.
import type { PlatformKeys, ToolVerifier } from './keys.ts';
import type { PlatformState } from './state.ts';

/** The tool as registered in the platform (what an LMS admin pastes from Exam Hall's admin page). */
export interface ToolRegistration {
  /** OIDC login initiation URL (third-party initiated login), e.g. https://exam.example/lti/login. */
  loginUrl: string;
  /** Registered redirect URIs; the auth request's redirect_uri must be one of them exactly. */
  redirectUris: string[];
  /** The tool's JWKS (client assertions and deep-linking responses are verified against it). */
  jwksUrl: string;
  /** Default target_link_uri for deep-linking requests. */
  deepLinkingUrl: string;
}

export interface Ctx {
  /** Origin the emulator listens on; also the platform's issuer (`iss`). */
  origin: string;
  clientId: string;
  deploymentId: string;
  tool: ToolRegistration;
  keys: PlatformKeys;
  verifier: ToolVerifier;
  state: PlatformState;
  idTokenTtlSeconds: number;
  accessTokenTtlSeconds: number;
  /** NRPS page size when the tool sends no `limit`. */
  membershipPageSize: number;
}

export const AGS_SCOPES = {
  lineitem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  lineitemReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  resultReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  score: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
} as const;
export const NRPS_SCOPE = 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';
export const ALL_SCOPES: string[] = [...Object.values(AGS_SCOPES), NRPS_SCOPE];

export const MEDIA = {
  lineItem: 'application/vnd.ims.lis.v2.lineitem+json',
  lineItemContainer: 'application/vnd.ims.lis.v2.lineitemcontainer+json',
  score: 'application/vnd.ims.lis.v1.score+json',
  resultContainer: 'application/vnd.ims.lis.v2.resultcontainer+json',
  memberships: 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json',
} as const;

export const CLAIM = {
  messageType: 'https://purl.imsglobal.org/spec/lti/claim/message_type',
  version: 'https://purl.imsglobal.org/spec/lti/claim/version',
  deploymentId: 'https://purl.imsglobal.org/spec/lti/claim/deployment_id',
  targetLinkUri: 'https://purl.imsglobal.org/spec/lti/claim/target_link_uri',
  resourceLink: 'https://purl.imsglobal.org/spec/lti/claim/resource_link',
  roles: 'https://purl.imsglobal.org/spec/lti/claim/roles',
  context: 'https://purl.imsglobal.org/spec/lti/claim/context',
  custom: 'https://purl.imsglobal.org/spec/lti/claim/custom',
  toolPlatform: 'https://purl.imsglobal.org/spec/lti/claim/tool_platform',
  launchPresentation: 'https://purl.imsglobal.org/spec/lti/claim/launch_presentation',
  ags: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice',
  deepLinkingSettings: 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings',
  contentItems: 'https://purl.imsglobal.org/spec/lti-dl/claim/content_items',
  dlData: 'https://purl.imsglobal.org/spec/lti-dl/claim/data',
  dlMsg: 'https://purl.imsglobal.org/spec/lti-dl/claim/msg',
  dlErrorMsg: 'https://purl.imsglobal.org/spec/lti-dl/claim/errormsg',
} as const;

export const CONTEXT_TYPE_COURSE = 'http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering';

/** URLs of a course's services (AGS line items, NRPS memberships) and the deep-linking return. */
export function serviceUrls(ctx: Ctx, contextId: string) {
  const base = `${ctx.origin}/api/courses/${encodeURIComponent(contextId)}`;
  return {
    lineItems: `${base}/lineitems`,
    lineItem: (id: string) => `${base}/lineitems/${encodeURIComponent(id)}`,
    memberships: `${base}/memberships`,
    deepLinkReturn: `${ctx.origin}/deep-link/return`,
  };
}
