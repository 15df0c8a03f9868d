// The launch flow end to end: verify (lti.launch.ts), then in one transaction provision the
// account, course, enrolment, resource link and participation (lti.provision.ts) and start
// a session exactly as sign-in does; answer where to send the browser.
import type { Redis } from 'ioredis';
import type { JWTVerifyGetKey } from 'jose';
import { LTI_CLAIMS } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import { keyedHash } from '../../lib/crypto.ts';
import * as audit from '../audit/audit.service.ts';
import type { AuthService, IssuedSession, RequestContext } from '../auth/auth.service.ts';
import type { KeyStore } from '../keys/keys.service.ts';
import { createDeepLinking } from './lti.deep-linking.ts';
import { LtiError } from './lti.html.ts';
import { createJwksCache, verifyLaunch } from './lti.launch.ts';
import {
  accountFor,
  courseFor,
  ensureParticipant,
  openAttemptOf,
  resourceLinkFor,
  roleOfClaims,
} from './lti.provision.ts';

export interface LtiDeps {
  db: Db;
  redis: Redis;
  secret: string;
  prefix: string;
  publicUrl: string;
  keys: KeyStore;
  auth: AuthService;
  /** Tests shorten the JWKS fetch timeout. */
  jwksOf?: (url: string) => JWTVerifyGetKey;
}

export interface LaunchOutcome {
  session: IssuedSession;
  redirect: string;
}

export function createLtiService(deps: LtiDeps) {
  const { db, secret, auth } = deps;
  const jwksOf = deps.jwksOf ?? createJwksCache();
  const deepLinking = createDeepLinking({ ...deps, prefix: deps.prefix });

  async function launch(form: { id_token: string; state: string }, ctx: RequestContext): Promise<LaunchOutcome> {
    const { platform, claims } = await verifyLaunch(db, jwksOf, form);
    const type = claims[LTI_CLAIMS.messageType];
    const role = roleOfClaims(claims[LTI_CLAIMS.roles]);
    if (!role)
      throw new LtiError(
        403,
        'Exam Hall accepts launches from instructors and learners only; the LMS sent neither role.',
        'Ask your teacher.',
      );
    if (type === 'LtiDeepLinkingRequest' && role !== 'teacher')
      throw new LtiError(403, 'Only instructors can choose which exam to place in the course.');
    const settings = claims[LTI_CLAIMS.deepLinkingSettings];
    if (type === 'LtiDeepLinkingRequest' && !settings?.accept_types.includes('ltiResourceLink'))
      throw new LtiError(
        400,
        'The LMS does not accept LTI resource links here (accept_types), so no exam can be placed.',
      );

    return db.transaction(async (tx) => {
      const account = await accountFor(tx, platform, claims, role);
      const { context, course } = await courseFor(tx, platform, claims, role, account.id);
      let redirect: string;
      let examId: string | null = null;
      if (type === 'LtiDeepLinkingRequest') {
        // Inside the transaction: if Redis is down the launch fails whole (503) and creates nothing.
        const id = await deepLinking
          .remember({
            platformId: platform.id,
            deploymentId: claims[LTI_CLAIMS.deploymentId],
            userId: account.id,
            returnUrl: settings!.deep_link_return_url,
            data: settings!.data ?? null,
            contextTitle: context.title,
          })
          .catch(() => {
            throw new LtiError(
              503,
              'Exam Hall cannot store the content selection right now.',
              'Try again in a minute.',
            );
          });
        redirect = `/lti/deep-link/${id}`;
      } else {
        const { exam } = await resourceLinkFor(tx, platform, claims, course, context.id);
        examId = exam.id;
        if (role === 'student') {
          if (exam.status !== 'archived')
            await ensureParticipant(tx, secret, exam.id, account, course.teacherId ?? exam.createdBy);
          const attemptId = await openAttemptOf(tx, exam.id, account.id);
          // No open attempt: the home page enters this exam at once (MyExams, ?exam=).
          redirect = attemptId ? `/attempts/${attemptId}` : `/?exam=${exam.id}`;
        } else {
          redirect = `/teach/exams/${exam.id}`;
        }
      }
      await audit.record(
        tx,
        {
          actorId: account.id,
          actorRole: account.role,
          ipHash: keyedHash(secret, 'ip', ctx.ip),
          requestId: ctx.requestId ?? null,
        },
        {
          action: 'lti.launch',
          targetType: examId ? 'exam' : 'course',
          targetId: examId ?? course.id,
          details: { platformId: platform.id, messageType: type, role, newAccount: account.created },
        },
      );
      const session = await auth.startSession(tx, account, ctx);
      return { session, redirect };
    });
  }

  return { launch, deepLinking };
}
export type LtiService = ReturnType<typeof createLtiService>;
