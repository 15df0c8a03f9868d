// SQL for the roster sync (NRPS): the LMS course's target, LMS people, accounts made for
// them, and the sync's state on the context row.
import { sql } from 'drizzle-orm';
import type { EnrollmentRole } from '@exam-hall/protocol';
import type { Db, Tx } from '../../db/client.ts';

type Q = Db | Tx;

export interface RosterTarget {
  id: string;
  courseId: string | null;
  membershipsUrl: string | null;
  platform: {
    id: string;
    issuer: string;
    clientId: string;
    accessTokenUrl: string;
    authServer: string | null;
    active: boolean;
  };
}

export async function rosterTarget(db: Q, contextId: string): Promise<RosterTarget | null> {
  const res = await db.execute<Record<string, unknown>>(sql`
    select c.id, c.course_id, c.memberships_url, p.id as platform_id, p.issuer, p.client_id, p.access_token_url,
      p.auth_server, p.active
    from lti_contexts c join lti_platforms p on p.id = c.platform_id
    where c.id = ${contextId}::uuid`);
  const r = res.rows[0];
  if (!r) return null;
  return {
    id: r.id as string,
    courseId: (r.course_id as string | null) ?? null,
    membershipsUrl: (r.memberships_url as string | null) ?? null,
    platform: {
      id: r.platform_id as string,
      issuer: r.issuer as string,
      clientId: r.client_id as string,
      accessTokenUrl: r.access_token_url as string,
      authServer: (r.auth_server as string | null) ?? null,
      active: r.active as boolean,
    },
  };
}

export interface LinkedUser {
  userId: string;
  role: string;
  status: string;
  name: string;
}

/** LMS ids already linked to accounts here, with the account's role, status and name. */
export async function linkedUsers(db: Q, platformId: string, subs: string[]): Promise<Map<string, LinkedUser>> {
  if (!subs.length) return new Map();
  const res = await db.execute<{ sub: string; user_id: string; role: string; status: string; name: string }>(sql`
    select lu.sub, u.id as user_id, u.role, u.status, u.name
    from lti_users lu join users u on u.id = lu.user_id
    where lu.platform_id = ${platformId}::uuid and lu.sub = any(${sql.param(subs)}::text[])`);
  return new Map(
    res.rows.map((r) => [r.sub, { userId: r.user_id, role: r.role, status: r.status, name: r.name }] as const),
  );
}

/** The launch's lock per LMS person (lti.provision.ts accountFor): a launch and a sync never both make an account. */
export async function lockLmsPeople(tx: Tx, platformId: string, subs: string[]) {
  for (const sub of [...subs].sort()) {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`exam-hall:lti-user:${platformId}:${sub}`}))`);
  }
}

export async function existingEmails(db: Q, emails: string[]): Promise<Set<string>> {
  if (!emails.length) return new Set();
  const res = await db.execute<{ email: string }>(
    sql`select email from users where email = any(${sql.param(emails)}::text[])`,
  );
  return new Set(res.rows.map((r) => r.email));
}

/** Accounts for LMS people (no password: they arrive through the LMS launch); email -> id of those made. */
export async function insertLtiAccounts(
  tx: Tx,
  rows: { email: string; name: string; role: 'student' | 'teacher' }[],
): Promise<Map<string, string>> {
  if (!rows.length) return new Map();
  const res = await tx.execute<{ id: string; email: string }>(sql`
    insert into users (email, name, role, status, password_hash)
    select e, n, r::role, 'active', null
    from unnest(${sql.param(rows.map((r) => r.email))}::text[], ${sql.param(rows.map((r) => r.name))}::text[],
      ${sql.param(rows.map((r) => r.role))}::text[]) as t(e, n, r)
    on conflict (email) do nothing
    returning id, email`);
  return new Map(res.rows.map((r) => [r.email, r.id] as const));
}

export async function insertLtiUsers(tx: Tx, platformId: string, rows: { sub: string; userId: string }[]) {
  if (!rows.length) return;
  await tx.execute(sql`
    insert into lti_users (platform_id, sub, user_id)
    select ${platformId}::uuid, s, u
    from unnest(${sql.param(rows.map((r) => r.sub))}::text[], ${sql.param(rows.map((r) => r.userId))}::uuid[]) as t(s, u)
    on conflict (platform_id, sub) do nothing`);
}

export async function enrollmentsOfCourse(tx: Q, courseId: string) {
  const res = await tx.execute<{ user_id: string; role: EnrollmentRole; status: string }>(
    sql`select user_id, role, status from enrollments where course_id = ${courseId}::uuid`,
  );
  return res.rows.map((r) => ({ userId: r.user_id, role: r.role, status: r.status }));
}

export async function renameUsers(tx: Tx, rows: { userId: string; name: string }[]) {
  if (!rows.length) return;
  await tx.execute(sql`
    update users set name = t.n, updated_at = now()
    from unnest(${sql.param(rows.map((r) => r.userId))}::uuid[], ${sql.param(rows.map((r) => r.name))}::text[]) as t(u, n)
    where users.id = t.u`);
}

/** Active enrolments of the course held by people this platform brought (lti_users). */
export async function activeLmsEnrolments(tx: Q, courseId: string, platformId: string): Promise<string[]> {
  const res = await tx.execute<{ user_id: string }>(sql`
    select e.user_id from enrollments e
    where e.course_id = ${courseId}::uuid and e.status = 'active'
      and exists (select 1 from lti_users lu where lu.platform_id = ${platformId}::uuid and lu.user_id = e.user_id)`);
  return res.rows.map((r) => r.user_id);
}

export type RosterResult =
  | { state: 'running'; startedAt: string }
  | { state: 'done'; added: number; updated: number; dropped: number; skipped: number; total: number }
  | { state: 'failed'; error: string };

export async function finishRosterSync(db: Q, contextId: string, result: RosterResult) {
  await db.execute(sql`
    update lti_contexts set roster_sync_result = ${JSON.stringify(result)}::jsonb,
      roster_synced_at = case when ${result.state} = 'done' then now() else roster_synced_at end, updated_at = now()
    where id = ${contextId}::uuid`);
}

/**
 * Marks the course's LMS contexts with a roster service as running, unless one already runs
 * (started within 5 minutes): the reservation that keeps clicks from queueing many syncs.
 * Answers the ids reserved.
 */
export async function reserveRosterSyncs(db: Q, courseId: string): Promise<string[]> {
  const running = JSON.stringify({ state: 'running', startedAt: new Date().toISOString() });
  const res = await db.execute<{ id: string }>(sql`
    update lti_contexts set roster_sync_result = ${running}::jsonb, updated_at = now()
    where course_id = ${courseId}::uuid and memberships_url is not null
      and not (coalesce(roster_sync_result->>'state', '') = 'running' and updated_at > now() - interval '5 minutes')
    returning id`);
  return res.rows.map((r) => r.id);
}

export async function rosterStatusOfCourse(db: Q, courseId: string) {
  const res = await db.execute<Record<string, unknown>>(sql`
    select c.id, c.title, c.memberships_url, c.roster_synced_at, c.roster_sync_result, c.updated_at, p.name as platform_name
    from lti_contexts c join lti_platforms p on p.id = c.platform_id
    where c.course_id = ${courseId}::uuid
    order by c.created_at`);
  return res.rows;
}
