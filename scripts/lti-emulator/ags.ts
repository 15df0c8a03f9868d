// Assignment and Grade Services 2.0: the course's line item container (GET list with filters,
// POST create), one line item (GET, PUT, DELETE), its scores (POST, the tool's grade pushes) and
// results (GET). Media types and bodies are checked as the spec defines them; fault injection
// makes the next N score posts fail with a chosen status.
import { AGS_SCOPES, MEDIA, serviceUrls, type Ctx } from './context.ts';
import { json, jsonObject, mediaType, oauthError, type Reply, type Req } from './http.ts';
import { memberOf, newId, type LineItem, type StoredScore } from './state.ts';
import { requireScope } from './token.ts';

const ACTIVITY = ['Initialized', 'Started', 'InProgress', 'Submitted', 'Completed'];
const GRADING = ['FullyGraded', 'Pending', 'PendingManual', 'Failed', 'NotReady'];

function bad(field: string, message: string): Reply {
  return oauthError(400, 'invalid_request', `${field}: ${message}`);
}

function wrongMedia(expected: string): Reply {
  return oauthError(415, 'unsupported_media_type', `Content-Type must be ${expected}`);
}

export function lineItemJson(ctx: Ctx, li: LineItem): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: serviceUrls(ctx, li.contextId).lineItem(li.id),
    scoreMaximum: li.scoreMaximum,
    label: li.label,
  };
  for (const k of ['resourceId', 'resourceLinkId', 'tag', 'startDateTime', 'endDateTime'] as const) {
    if (li[k] !== undefined) out[k] = li[k];
  }
  return out;
}

/** Validated line item fields from a POST/PUT body (or a reply naming the bad field). */
function lineItemFields(
  ctx: Ctx,
  contextId: string,
  body: Record<string, unknown> | null,
): Omit<LineItem, 'id' | 'contextId'> | Reply {
  if (!body) return bad('body', 'must be a JSON object');
  const { scoreMaximum, label } = body;
  if (typeof scoreMaximum !== 'number' || !Number.isFinite(scoreMaximum) || scoreMaximum <= 0) {
    return bad('scoreMaximum', 'must be a number greater than 0');
  }
  if (typeof label !== 'string' || !label.trim()) return bad('label', 'is required');
  const out: Omit<LineItem, 'id' | 'contextId'> = { scoreMaximum, label };
  for (const k of ['resourceId', 'tag', 'startDateTime', 'endDateTime'] as const) {
    const v = body[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') return bad(k, 'must be a string');
    out[k] = v;
  }
  if (body.resourceLinkId !== undefined) {
    const link = typeof body.resourceLinkId === 'string' ? ctx.state.links.get(body.resourceLinkId) : undefined;
    if (!link || link.contextId !== contextId) return bad('resourceLinkId', 'is not a resource link of this context');
    out.resourceLinkId = link.id;
  }
  return out;
}

export function createLineItem(
  ctx: Ctx,
  contextId: string,
  fields: Omit<LineItem, 'id' | 'contextId'>,
  id = newId('li'),
): LineItem {
  const li: LineItem = { id, contextId, ...fields };
  ctx.state.lineItems.set(li.id, li);
  return li;
}

function scoreFrom(body: Record<string, unknown> | null): StoredScore | Reply {
  if (!body) return bad('body', 'must be a JSON object');
  const { userId, scoreGiven, scoreMaximum, comment, timestamp, activityProgress, gradingProgress } = body;
  if (typeof userId !== 'string' || !userId) return bad('userId', 'is required');
  if (typeof timestamp !== 'string' || Number.isNaN(Date.parse(timestamp))) {
    return bad('timestamp', 'must be an ISO 8601 date-time');
  }
  if (typeof activityProgress !== 'string' || !ACTIVITY.includes(activityProgress)) {
    return bad('activityProgress', `must be one of ${ACTIVITY.join(', ')}`);
  }
  if (typeof gradingProgress !== 'string' || !GRADING.includes(gradingProgress)) {
    return bad('gradingProgress', `must be one of ${GRADING.join(', ')}`);
  }
  const score: StoredScore = {
    userId,
    timestamp,
    activityProgress,
    gradingProgress,
    receivedAt: new Date().toISOString(),
  };
  if (scoreGiven !== undefined) {
    if (typeof scoreGiven !== 'number' || !Number.isFinite(scoreGiven) || scoreGiven < 0) {
      return bad('scoreGiven', 'must be a number of at least 0');
    }
    // The spec: scoreMaximum must be present when scoreGiven is.
    if (typeof scoreMaximum !== 'number' || !Number.isFinite(scoreMaximum) || scoreMaximum <= 0) {
      return bad('scoreMaximum', 'is required with scoreGiven and must be greater than 0');
    }
    score.scoreGiven = scoreGiven;
    score.scoreMaximum = scoreMaximum;
  }
  if (comment !== undefined && comment !== null) {
    if (typeof comment !== 'string') return bad('comment', 'must be a string');
    score.comment = comment;
  }
  return score;
}

function postScore(ctx: Ctx, req: Req, li: LineItem): Reply {
  const denied = requireScope(ctx, req, [AGS_SCOPES.score]);
  if (denied) return denied;
  if (mediaType(req.headers['content-type']) !== MEDIA.score) return wrongMedia(MEDIA.score);
  const score = scoreFrom(jsonObject(req));
  if ('status' in score) return score;
  const log = (status: number) =>
    ctx.state.scoreLog.push({ lineItemId: li.id, userId: score.userId, status, at: new Date().toISOString() });
  const fault = ctx.state.scoreFault;
  if (fault && fault.remaining > 0) {
    fault.remaining--;
    if (fault.remaining === 0) ctx.state.scoreFault = null;
    log(fault.status);
    return oauthError(fault.status, 'emulated_failure', `the platform failed this score post (status ${fault.status})`);
  }
  const course = ctx.state.courses.get(li.contextId)!;
  if (!memberOf(course, score.userId)) {
    log(400);
    return bad('userId', 'is not a member of this context');
  }
  let byUser = ctx.state.scores.get(li.id);
  if (!byUser) ctx.state.scores.set(li.id, (byUser = new Map()));
  const previous = byUser.get(score.userId);
  // AGS: a score older than the one on record must not replace it (the post still succeeds).
  if (!previous || Date.parse(previous.timestamp) <= Date.parse(score.timestamp)) byUser.set(score.userId, score);
  log(200);
  return json(200, {
    resultUrl: `${serviceUrls(ctx, li.contextId).lineItem(li.id)}/results/${encodeURIComponent(score.userId)}`,
  });
}

function results(ctx: Ctx, req: Req, li: LineItem): Reply {
  const denied = requireScope(ctx, req, [AGS_SCOPES.resultReadonly]);
  if (denied) return denied;
  const url = serviceUrls(ctx, li.contextId).lineItem(li.id);
  const only = req.query.get('user_id');
  const rows = [...(ctx.state.scores.get(li.id)?.values() ?? [])]
    .filter((s) => !only || s.userId === only)
    .map((s) => ({
      id: `${url}/results/${encodeURIComponent(s.userId)}`,
      scoreOf: url,
      userId: s.userId,
      ...(s.scoreGiven !== undefined ? { resultScore: s.scoreGiven, resultMaximum: s.scoreMaximum } : {}),
      ...(s.comment ? { comment: s.comment } : {}),
    }));
  return json(200, rows, MEDIA.resultContainer);
}

/** Routes under api/courses/:context/lineitems. `rest` is what follows "lineitems". */
export function handleAgs(ctx: Ctx, req: Req, contextId: string, rest: string[]): Reply {
  const course = ctx.state.courses.get(contextId);
  if (!course) return oauthError(404, 'not_found', 'no such context');
  if (rest.length === 0) {
    if (req.method === 'GET') {
      const denied = requireScope(ctx, req, [AGS_SCOPES.lineitem, AGS_SCOPES.lineitemReadonly]);
      if (denied) return denied;
      const q = req.query;
      const items = [...ctx.state.lineItems.values()].filter(
        (li) =>
          li.contextId === contextId &&
          (!q.get('resource_link_id') || li.resourceLinkId === q.get('resource_link_id')) &&
          (!q.get('resource_id') || li.resourceId === q.get('resource_id')) &&
          (!q.get('tag') || li.tag === q.get('tag')),
      );
      return json(
        200,
        items.map((li) => lineItemJson(ctx, li)),
        MEDIA.lineItemContainer,
      );
    }
    if (req.method === 'POST') {
      const denied = requireScope(ctx, req, [AGS_SCOPES.lineitem]);
      if (denied) return denied;
      if (mediaType(req.headers['content-type']) !== MEDIA.lineItem) return wrongMedia(MEDIA.lineItem);
      const fields = lineItemFields(ctx, contextId, jsonObject(req));
      if ('status' in fields) return fields;
      return json(201, lineItemJson(ctx, createLineItem(ctx, contextId, fields)), MEDIA.lineItem);
    }
    return oauthError(405, 'invalid_request', 'GET or POST');
  }
  const li = ctx.state.lineItems.get(rest[0]!);
  if (!li || li.contextId !== contextId) return oauthError(404, 'not_found', 'no such line item');
  if (rest.length === 1) {
    if (req.method === 'GET') {
      const denied = requireScope(ctx, req, [AGS_SCOPES.lineitem, AGS_SCOPES.lineitemReadonly]);
      return denied ?? json(200, lineItemJson(ctx, li), MEDIA.lineItem);
    }
    const denied = requireScope(ctx, req, [AGS_SCOPES.lineitem]);
    if (denied) return denied;
    if (req.method === 'PUT') {
      if (mediaType(req.headers['content-type']) !== MEDIA.lineItem) return wrongMedia(MEDIA.lineItem);
      const fields = lineItemFields(ctx, contextId, jsonObject(req));
      if ('status' in fields) return fields;
      // The line item keeps its resource link (AGS: it cannot move to another one).
      Object.assign(li, { ...fields, resourceLinkId: li.resourceLinkId });
      return json(200, lineItemJson(ctx, li), MEDIA.lineItem);
    }
    if (req.method === 'DELETE') {
      ctx.state.lineItems.delete(li.id);
      ctx.state.scores.delete(li.id);
      return { status: 204 };
    }
    return oauthError(405, 'invalid_request', 'GET, PUT or DELETE');
  }
  if (rest.length === 2 && rest[1] === 'scores' && req.method === 'POST') return postScore(ctx, req, li);
  if (rest.length === 2 && rest[1] === 'results' && req.method === 'GET') return results(ctx, req, li);
  return oauthError(404, 'not_found', 'no such route');
}
