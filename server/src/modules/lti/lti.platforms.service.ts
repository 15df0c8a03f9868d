// Registered LMS platforms (admins only), the tool configuration an LMS administrator
// copies into the LMS, and rotation of the tool's signing key. Every change is audited
// without URLs' secrets (there are none: registration holds public endpoints only).
import type { LtiPlatform as PlatformDto, LtiPlatformInput, LtiToolConfiguration } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import type { LtiPlatform } from '../../db/schema/index.ts';
import { conflict, notFound } from '../../http/errors.ts';
import { assertRole } from '../../policy/access.ts';
import type { Caller } from '../../policy/actor.ts';
import * as audit from '../audit/audit.service.ts';
import { auditContextOf } from '../audit/audit.context.ts';
import type { KeyStore } from '../keys/keys.service.ts';
import * as repo from './lti.repository.ts';

/** What the tool asks for: AGS (line items, scores, results) and NRPS (memberships). */
export const LTI_TOOL_SCOPES = [
  'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
];

export function toPlatformDto(p: LtiPlatform): PlatformDto {
  return {
    id: p.id,
    name: p.name,
    issuer: p.issuer,
    clientId: p.clientId,
    deploymentIds: p.deploymentIds,
    authLoginUrl: p.authLoginUrl,
    accessTokenUrl: p.accessTokenUrl,
    jwksUrl: p.jwksUrl,
    authServer: p.authServer,
    active: p.active,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

const valuesOf = (input: LtiPlatformInput): repo.PlatformValues => ({
  name: input.name,
  issuer: input.issuer,
  clientId: input.clientId,
  deploymentIds: input.deploymentIds,
  authLoginUrl: input.authLoginUrl,
  accessTokenUrl: input.accessTokenUrl,
  jwksUrl: input.jwksUrl,
  authServer: input.authServer ?? null,
});

const duplicate = () =>
  conflict('A platform with this issuer and client id is already registered: edit that one instead.');

const isUniqueViolation = (err: unknown) => (err as { cause?: { code?: string } })?.cause?.code === '23505';

export function createLtiPlatformService(deps: { db: Db; secret: string; keys: KeyStore; publicUrl: string }) {
  const { db, secret, keys, publicUrl } = deps;
  const admin = (caller: Caller) => assertRole(caller.actor, ['admin']);

  async function setActive(caller: Caller, id: string, active: boolean) {
    admin(caller);
    return db.transaction(async (tx) => {
      const row = await repo.updatePlatform(tx, id, { active, updatedAt: new Date() });
      if (!row) throw notFound('LTI platform');
      await audit.record(tx, auditContextOf(secret, caller), {
        action: active ? 'lti.platform_activated' : 'lti.platform_deactivated',
        targetType: 'lti_platform',
        targetId: id,
      });
      return toPlatformDto(row);
    });
  }

  return {
    async list(caller: Caller) {
      admin(caller);
      return { platforms: (await repo.listPlatforms(db)).map(toPlatformDto) };
    },

    async create(caller: Caller, input: LtiPlatformInput) {
      admin(caller);
      return db.transaction(async (tx) => {
        const row = await repo.insertPlatform(tx, { ...valuesOf(input), createdBy: caller.actor.userId });
        if (!row) throw duplicate();
        await audit.record(tx, auditContextOf(secret, caller), {
          action: 'lti.platform_registered',
          targetType: 'lti_platform',
          targetId: row.id,
          details: { issuer: row.issuer, deployments: row.deploymentIds.length },
        });
        return toPlatformDto(row);
      });
    },

    async update(caller: Caller, id: string, input: LtiPlatformInput) {
      admin(caller);
      try {
        return await db.transaction(async (tx) => {
          const row = await repo.updatePlatform(tx, id, { ...valuesOf(input), updatedAt: new Date() });
          if (!row) throw notFound('LTI platform');
          await audit.record(tx, auditContextOf(secret, caller), {
            action: 'lti.platform_updated',
            targetType: 'lti_platform',
            targetId: id,
            details: { issuer: row.issuer, deployments: row.deploymentIds.length },
          });
          return toPlatformDto(row);
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw duplicate();
        throw err;
      }
    },

    deactivate: (caller: Caller, id: string) => setActive(caller, id, false),
    activate: (caller: Caller, id: string) => setActive(caller, id, true),

    async configuration(caller: Caller): Promise<LtiToolConfiguration> {
      admin(caller);
      const [active, published] = await Promise.all([keys.active('lti_tool'), keys.published('lti_tool')]);
      return {
        title: 'Exam Hall',
        loginUrl: `${publicUrl}/lti/login`,
        launchUrl: `${publicUrl}/lti/launch`,
        redirectUris: [`${publicUrl}/lti/launch`],
        jwksUrl: `${publicUrl}/lti/jwks`,
        deepLinkingUrl: `${publicUrl}/lti/launch`,
        scopes: LTI_TOOL_SCOPES,
        messageTypes: ['LtiResourceLinkRequest', 'LtiDeepLinkingRequest'],
        customParameters: { exam_id: 'set on each placement by Deep Linking (the exam to open)' },
        publishedKids: published.map((k) => String(k.kid)),
        activeKid: active.kid,
      };
    },

    async rotateKey(caller: Caller) {
      admin(caller);
      const result = await keys.rotate('lti_tool');
      await audit.record(db, auditContextOf(secret, caller), {
        action: 'lti.key_rotated',
        targetType: 'signing_key',
        targetId: result.activeKid,
        details: { retiredKid: result.retiredKid },
      });
      return result;
    },
  };
}
export type LtiPlatformService = ReturnType<typeof createLtiPlatformService>;
