// SQL for the LMS gradebook (AGS): which scores are owed to which placements, their push
// status, and the teacher's view of it.
import { sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.ts';

type Q = Db | Tx;

/** Which results to derive: one student's (by one of their attempts), one exam's, or every linked exam's. */
export type OwedFilter = { attemptId: string } | { examId: string } | { all: true; limit: number };

/**
 * Makes a pending push for every visible, final result owed to an LMS placement: the
 * student's latest graded attempt of an exam with a resource link, whose results are shown
 * (policy 'immediately', or released), with no hand marks waiting, for a student the
 * platform knows (lti_users). A row whose score, maximum or attempt is unchanged is left
 * alone (a sent grade is not sent again); a changed one (re-grade, override) goes back to
 * pending. Answers the ids that became pending.
 */
export async function upsertOwedScores(db: Q, filter: OwedFilter): Promise<string[]> {
  const where =
    'attemptId' in filter
      ? sql`(a.exam_id, a.user_id) = (select exam_id, user_id from attempts where id = ${filter.attemptId}::uuid)`
      : 'examId' in filter
        ? sql`a.exam_id = ${filter.examId}::uuid`
        : sql`true`;
  const limit = 'all' in filter ? sql`limit ${filter.limit}` : sql``;
  const res = await db.execute<{ id: string }>(sql`
    with latest as (
      select distinct on (a.exam_id, a.user_id) a.id, a.exam_id, a.user_id, a.score, a.max_score,
        a.status, a.graded_at, a.manual_pending
      from attempts a
      where ${where}
        and a.exam_id in (select exam_id from lti_resource_links)
        and a.status in ('submitted', 'expired') and a.graded_at is not null
      order by a.exam_id, a.user_id, a.attempt_number desc
    ), owed as (
      select rl.id as link_id, l.user_id, l.id as attempt_id, l.score, l.max_score
      from latest l
      join exams e on e.id = l.exam_id
      join lti_resource_links rl on rl.exam_id = l.exam_id
      join lti_users lu on lu.platform_id = rl.platform_id and lu.user_id = l.user_id
      where l.manual_pending = 0 and l.score is not null and l.max_score is not null
        and (e.results_policy = 'immediately' or e.results_released_at is not null)
      ${limit}
    )
    insert into lti_grade_syncs (resource_link_id, user_id, attempt_id, status, score_given, score_maximum)
    select link_id, user_id, attempt_id, 'pending', score, max_score from owed
    on conflict (resource_link_id, user_id) do update
      set attempt_id = excluded.attempt_id, score_given = excluded.score_given,
        score_maximum = excluded.score_maximum, status = 'pending', last_error = null, updated_at = now()
      where lti_grade_syncs.attempt_id is distinct from excluded.attempt_id
        or lti_grade_syncs.score_given is distinct from excluded.score_given
        or lti_grade_syncs.score_maximum is distinct from excluded.score_maximum
    returning id`);
  return res.rows.map((r) => r.id);
}

/** Pending pushes untouched for `settleSeconds` (their job was lost, or is slow). */
export async function stalePendingIds(db: Q, limit: number, settleSeconds: number): Promise<string[]> {
  const res = await db.execute<{ id: string }>(sql`
    select id from lti_grade_syncs
    where status = 'pending' and updated_at < now() - make_interval(secs => ${settleSeconds})
    order by updated_at limit ${limit}`);
  return res.rows.map((r) => r.id);
}

/** Everything one push needs: the row, its placement, context, platform and the student's LMS id. */
export interface PushTarget {
  id: string;
  status: 'pending' | 'sent' | 'failed';
  scoreGiven: number | null;
  scoreMaximum: number | null;
  attemptId: string | null;
  tries: number;
  linkId: string;
  resourceLinkId: string;
  lineItemUrl: string | null;
  linkTitle: string | null;
  examId: string;
  examTitle: string;
  lineItemsUrl: string | null;
  agsScopes: string[];
  platform: { id: string; clientId: string; accessTokenUrl: string; authServer: string | null; active: boolean };
  sub: string | null;
}

export async function pushTarget(db: Q, syncId: string): Promise<PushTarget | null> {
  const res = await db.execute<Record<string, unknown>>(sql`
    select s.id, s.status, s.score_given, s.score_maximum, s.attempt_id, s.tries,
      rl.id as link_id, rl.resource_link_id, rl.line_item_url, rl.title as link_title, rl.exam_id, e.title as exam_title,
      c.line_items_url, coalesce(c.ags_scopes, '{}') as ags_scopes,
      p.id as platform_id, p.client_id, p.access_token_url, p.auth_server, p.active,
      (select lu.sub from lti_users lu where lu.platform_id = p.id and lu.user_id = s.user_id limit 1) as sub
    from lti_grade_syncs s
    join lti_resource_links rl on rl.id = s.resource_link_id
    join exams e on e.id = rl.exam_id
    join lti_platforms p on p.id = rl.platform_id
    left join lti_contexts c on c.id = rl.context_id
    where s.id = ${syncId}::uuid`);
  const r = res.rows[0];
  if (!r) return null;
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    id: r.id as string,
    status: r.status as PushTarget['status'],
    scoreGiven: num(r.score_given),
    scoreMaximum: num(r.score_maximum),
    attemptId: (r.attempt_id as string | null) ?? null,
    tries: Number(r.tries),
    linkId: r.link_id as string,
    resourceLinkId: r.resource_link_id as string,
    lineItemUrl: (r.line_item_url as string | null) ?? null,
    linkTitle: (r.link_title as string | null) ?? null,
    examId: r.exam_id as string,
    examTitle: r.exam_title as string,
    lineItemsUrl: (r.line_items_url as string | null) ?? null,
    agsScopes: (r.ags_scopes as string[]) ?? [],
    platform: {
      id: r.platform_id as string,
      clientId: r.client_id as string,
      accessTokenUrl: r.access_token_url as string,
      authServer: (r.auth_server as string | null) ?? null,
      active: r.active as boolean,
    },
    sub: (r.sub as string | null) ?? null,
  };
}

/** Locks a placement while its line item is looked up or created, so two pushes create one. */
export async function lockLinkLineItem(tx: Tx, linkId: string): Promise<string | null> {
  const res = await tx.execute<{ line_item_url: string | null }>(
    sql`select line_item_url from lti_resource_links where id = ${linkId}::uuid for update`,
  );
  return res.rows[0]?.line_item_url ?? null;
}

export async function setLinkLineItem(db: Q, linkId: string, url: string | null) {
  await db.execute(
    sql`update lti_resource_links set line_item_url = ${url}, updated_at = now() where id = ${linkId}::uuid`,
  );
}

/** Sent: only if the row still holds what was sent (a re-grade meanwhile left it pending for its own job). */
export async function markSent(db: Q, t: PushTarget): Promise<boolean> {
  const res = await db.execute(sql`
    update lti_grade_syncs set status = 'sent', sent_at = now(), last_tried_at = now(), last_error = null,
      tries = tries + 1, updated_at = now()
    where id = ${t.id}::uuid and status <> 'sent'
      and score_given is not distinct from ${t.scoreGiven}::numeric
      and score_maximum is not distinct from ${t.scoreMaximum}::numeric`);
  return (res.rowCount ?? 0) > 0;
}

export async function markFailed(db: Q, t: PushTarget, error: string): Promise<boolean> {
  const res = await db.execute(sql`
    update lti_grade_syncs set status = 'failed', last_tried_at = now(), last_error = ${error},
      tries = tries + 1, updated_at = now()
    where id = ${t.id}::uuid and status <> 'sent'
      and score_given is not distinct from ${t.scoreGiven}::numeric
      and score_maximum is not distinct from ${t.scoreMaximum}::numeric`);
  return (res.rowCount ?? 0) > 0;
}

export async function linkCountOfExam(db: Q, examId: string): Promise<number> {
  const res = await db.execute<{ n: number }>(
    sql`select count(*)::int as n from lti_resource_links where exam_id = ${examId}::uuid`,
  );
  return res.rows[0]?.n ?? 0;
}

export async function syncRowsOfExam(db: Q, examId: string) {
  const res = await db.execute<Record<string, unknown>>(sql`
    select s.id, s.user_id, u.name, rl.title as link_title, s.status, s.score_given, s.score_maximum, s.tries,
      s.last_error, s.last_tried_at, s.sent_at
    from lti_grade_syncs s
    join lti_resource_links rl on rl.id = s.resource_link_id
    join users u on u.id = s.user_id
    where rl.exam_id = ${examId}::uuid
    order by lower(u.name), u.id, rl.created_at
    limit 5000`);
  return res.rows;
}

/**
 * Back to pending for a resend: one row (unless it went pending in the last 30 s: a double
 * click queues one push), or every failed row of the exam. Answers the ids to queue.
 */
export async function requeue(db: Q, examId: string, which: { syncId: string } | { failed: true }): Promise<string[]> {
  const one =
    'syncId' in which
      ? sql`s.id = ${which.syncId}::uuid and (s.status <> 'pending' or s.updated_at < now() - interval '30 seconds')`
      : sql`s.status = 'failed'`;
  const res = await db.execute<{ id: string }>(sql`
    update lti_grade_syncs s set status = 'pending', last_error = null, updated_at = now()
    from lti_resource_links rl
    where rl.id = s.resource_link_id and rl.exam_id = ${examId}::uuid and ${one}
    returning s.id`);
  return res.rows.map((r) => r.id);
}

export async function syncBelongsToExam(db: Q, examId: string, syncId: string): Promise<boolean> {
  const res = await db.execute(sql`
    select 1 from lti_grade_syncs s join lti_resource_links rl on rl.id = s.resource_link_id
    where s.id = ${syncId}::uuid and rl.exam_id = ${examId}::uuid`);
  return res.rows.length > 0;
}
