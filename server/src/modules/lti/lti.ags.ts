// Assignment and Grade Services 2.0, the tool's side: publish one student's score to the
// placement's line item (creating the line item in the context's container when the link has
// none), and record the outcome where the teacher sees it. Written on fetch + the token client
// (lti.token.ts): the calls are two small JSON POSTs with IMS media types.
import { LTI_MEDIA, LTI_SCOPES } from '@exam-hall/protocol';
import type { Db } from '../../db/client.ts';
import type { Logger } from '../../lib/logger.ts';
import * as audit from '../audit/audit.service.ts';
import * as repo from './lti.grades.repository.ts';
import {
  excerpt,
  LtiServiceError,
  lmsFetch,
  readJson,
  readText,
  type LtiTokenClient,
  type TokenPlatform,
} from './lti.token.ts';

/** `<lineitem>/scores`, keeping the line item URL's query (AGS 2.0, section 3.4). */
export function scoresUrl(lineItemUrl: string): string {
  const u = new URL(lineItemUrl);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/scores`;
  return u.toString();
}

/** An HTTP(S) URL from an LMS, or null: anything else is not followed. */
function httpUrl(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 2048) return null;
  try {
    const u = new URL(value);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : null;
  } catch {
    return null;
  }
}

function refusal(what: string, res: Response, said: string): LtiServiceError {
  const detail = said ? `: ${said}` : '';
  const s = res.status;
  if (s === 401) {
    return new LtiServiceError(
      `The LMS refused the ${what} (401${detail}): check the platform's registration (client id, token URL, the tool's JWKS URL).`,
      { status: s, retryable: false },
    );
  }
  if (s === 403) {
    return new LtiServiceError(
      `The LMS refused the ${what} (403${detail}): the tool may not do this in that course; check the scopes the LMS granted the tool.`,
      { status: s, retryable: false },
    );
  }
  if (s === 404) {
    return new LtiServiceError(
      `The LMS does not know this gradebook column (404${detail}): it may have been deleted. Resend to create it again.`,
      { status: s, retryable: false },
    );
  }
  if (s === 429 || s >= 500) {
    return new LtiServiceError(`The LMS failed while taking the ${what} (${s}${detail}). It will be retried.`, {
      status: s,
      retryable: true,
    });
  }
  return new LtiServiceError(`The LMS refused the ${what} as invalid (${s}${detail}).`, {
    status: s,
    retryable: false,
  });
}

async function said(res: Response): Promise<string> {
  const text = await readText(res, 64 * 1024);
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    return excerpt(body.error_description ?? body.message ?? body.error ?? body.reason);
  } catch {
    return '';
  }
}

function requireScope(t: repo.PushTarget, scope: string, words: string) {
  // An empty list: the launch did not say (older platforms); ask and let the LMS decide.
  if (t.agsScopes.length && !t.agsScopes.includes(scope)) {
    throw new LtiServiceError(
      `The LMS did not grant the tool the ${words} scope in this course: enable grade passback for the tool in the LMS.`,
      { retryable: false },
    );
  }
}

/** The placement's line item: stored, found by resource link id in the container, or created. */
async function lineItemOf(db: Db, tokens: LtiTokenClient, t: repo.PushTarget, platform: TokenPlatform) {
  if (t.lineItemUrl) return t.lineItemUrl;
  if (!t.lineItemsUrl) {
    throw new LtiServiceError(
      'The LMS gave no gradebook service for this course (no line items URL): enable grade passback for the tool and launch it once from the course.',
      { retryable: false },
    );
  }
  requireScope(t, LTI_SCOPES.lineItem, 'line item');
  const container = t.lineItemsUrl;
  return db.transaction(async (tx) => {
    const stored = await repo.lockLinkLineItem(tx, t.linkId);
    if (stored) return stored;
    const token = await tokens.token(platform, [LTI_SCOPES.lineItem]);
    const auth = { authorization: `Bearer ${token}` };
    // A line item the platform made from the deep link (or an earlier run) is reused.
    const findUrl = new URL(container);
    findUrl.searchParams.set('resource_link_id', t.resourceLinkId);
    const found = await lmsFetch(
      findUrl.toString(),
      { headers: { ...auth, accept: LTI_MEDIA.lineItemContainer } },
      'line items service',
    );
    if (found.ok) {
      const list = await readJson(found);
      const first = Array.isArray(list) ? (list[0] as Record<string, unknown> | undefined) : undefined;
      const url = httpUrl(first?.id);
      if (url) {
        await repo.setLinkLineItem(tx, t.linkId, url);
        return url;
      }
    } else {
      await found.body?.cancel();
    }
    const created = await lmsFetch(
      container,
      {
        method: 'POST',
        headers: { ...auth, 'content-type': LTI_MEDIA.lineItem, accept: LTI_MEDIA.lineItem },
        body: JSON.stringify({
          scoreMaximum: t.scoreMaximum,
          label: t.linkTitle || t.examTitle,
          resourceId: t.examId,
          resourceLinkId: t.resourceLinkId,
        }),
      },
      'line items service',
    );
    if (!created.ok) throw refusal('new gradebook column', created, await said(created));
    const body = (await readJson(created, 1024 * 1024)) as Record<string, unknown> | null;
    const url = httpUrl(body?.id);
    if (!url) {
      throw new LtiServiceError('The LMS created the gradebook column but did not say its address (no id).', {
        retryable: false,
      });
    }
    await repo.setLinkLineItem(tx, t.linkId, url);
    return url;
  });
}

export type PushOutcome = 'sent' | 'failed' | 'skipped';

/**
 * Sends one pending (or failed) push. A retryable failure is recorded and thrown again so
 * BullMQ retries it with backoff; one that needs a person is recorded and not retried.
 */
export async function pushScore(deps: { db: Db; tokens: LtiTokenClient; log: Logger }, syncId: string) {
  const { db, tokens } = deps;
  const t = await repo.pushTarget(db, syncId);
  if (!t || t.status === 'sent') return 'skipped' satisfies PushOutcome;
  const platform: TokenPlatform = {
    id: t.platform.id,
    clientId: t.platform.clientId,
    accessTokenUrl: t.platform.accessTokenUrl,
    authServer: t.platform.authServer,
  };
  try {
    if (!t.platform.active) {
      throw new LtiServiceError('The LMS registration is switched off: an administrator can turn it back on.', {
        retryable: false,
      });
    }
    if (!t.sub) {
      throw new LtiServiceError('The LMS does not know this student here (no LMS account linked).', {
        retryable: false,
      });
    }
    if (t.scoreGiven === null || t.scoreMaximum === null) return 'skipped' satisfies PushOutcome;
    requireScope(t, LTI_SCOPES.score, 'score');
    const lineItem = await lineItemOf(db, tokens, t, platform);
    const body = JSON.stringify({
      userId: t.sub,
      scoreGiven: t.scoreGiven,
      scoreMaximum: t.scoreMaximum,
      activityProgress: 'Completed',
      gradingProgress: 'FullyGraded',
      timestamp: new Date().toISOString(),
    });
    const post = async () => {
      const token = await tokens.token(platform, [LTI_SCOPES.score]);
      return lmsFetch(
        scoresUrl(lineItem),
        { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': LTI_MEDIA.score }, body },
        'score service',
      );
    };
    let res = await post();
    if (res.status === 401) {
      // A cached token the LMS no longer takes: once more with a new one. A second 401 is the
      // registration's problem, which retrying cannot fix.
      await res.body?.cancel();
      tokens.forget(platform.id);
      res = await post();
    }
    if (!res.ok) {
      const why = await said(res);
      if (res.status === 401) tokens.forget(platform.id);
      // The column is gone: forget it, so a resend finds or creates it again.
      if (res.status === 404) await repo.setLinkLineItem(db, t.linkId, null);
      throw refusal('grade', res, why);
    }
    await res.body?.cancel();
    if (await repo.markSent(db, t)) {
      await audit.record(
        db,
        {},
        {
          action: 'lti.grade.sent',
          targetType: 'lti_grade_sync',
          targetId: t.id,
          details: { examId: t.examId, resourceLinkId: t.linkId, tries: t.tries + 1 },
        },
      );
    }
    return 'sent' satisfies PushOutcome;
  } catch (err) {
    const known = err instanceof LtiServiceError;
    const message = known
      ? err.message
      : 'The grade could not be sent because of an error in Exam Hall. It will be retried.';
    if (!known) deps.log.error({ err, syncId }, 'grade push failed unexpectedly');
    if (await repo.markFailed(db, t, message)) {
      await audit.record(
        db,
        {},
        {
          action: 'lti.grade.failed',
          targetType: 'lti_grade_sync',
          targetId: t.id,
          details: {
            examId: t.examId,
            resourceLinkId: t.linkId,
            tries: t.tries + 1,
            status: known ? err.status : null,
          },
        },
      );
    }
    if (!known || err.retryable) throw err;
    return 'failed' satisfies PushOutcome;
  }
}
