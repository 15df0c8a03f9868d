// SQL of the student's live attempt (attempts.live.service.ts): what a joining
// browser is sent, presence segments and the downtime credit.
import { and, eq, getTableColumns, inArray, or, sql, type SQL } from 'drizzle-orm';
import { poolOf, type Db } from '../../db/client.ts';
import { answers, attempts, exams, presence, questions, zoomMeetings, type Attempt } from '../../db/schema/index.ts';

/** Saves later than the deadline by at most this much were already in flight: still accepted. */
export const SAVE_GRACE_SECONDS = 3;

/**
 * Adds the time since `lastLeft` to the deadline, up to the exam's cap of `capMinutes`,
 * never for time after the deadline passed. Answers the updated row, or undefined.
 */
export async function creditDowntime(
  db: Db,
  attemptId: string,
  lastLeft: Date,
  capMinutes: number,
): Promise<Attempt | undefined> {
  const [updated] = await db
    .update(attempts)
    .set({
      // Credit = min(gap, what is left of the cap), never for time after the deadline passed.
      disconnectCreditSeconds: sql`${attempts.disconnectCreditSeconds} + least(extract(epoch from now() - ${lastLeft}::timestamptz)::int, ${capMinutes * 60} - ${attempts.disconnectCreditSeconds})`,
      deadlineAt: sql`${attempts.deadlineAt} + make_interval(secs => least(extract(epoch from now() - ${lastLeft}::timestamptz)::int, ${capMinutes * 60} - ${attempts.disconnectCreditSeconds}))`,
    })
    .where(
      and(
        eq(attempts.id, attemptId),
        eq(attempts.status, 'in_progress'),
        sql`${attempts.deadlineAt} > now()`,
        sql`${attempts.disconnectCreditSeconds} < ${capMinutes * 60}`,
        sql`extract(epoch from now() - ${lastLeft}::timestamptz) >= 1`,
      ),
    )
    .returning();
  return updated;
}

/**
 * The ownership check is prepared (named, planned once per pooled connection): it reads
 * attempts by primary key, a plan that never changes. The state statement is NOT: it reads
 * presence, which an exam's start fills by thousands of rows in seconds, faster than
 * statistics follow, and a plan cached while the table was small scanned all of it for
 * every join (0.2 growing to 1.1 ms of PostgreSQL per join over 10,000 joins). Planned per
 * group of joins, it costs a plan per group, not per join. One set per database handle.
 */
const prepared = new WeakMap<Db, ReturnType<typeof prepareJoin>>();
function statements(db: Db) {
  let s = prepared.get(db);
  if (!s) prepared.set(db, (s = prepareJoin(db)));
  return s;
}

function prepareJoin(db: Db) {
  return {
    owner: db
      .select({ id: attempts.id, userId: attempts.userId, attemptTokenHash: attempts.attemptTokenHash })
      .from(attempts)
      .where(sql`${attempts.id} = any(${sql.placeholder('attemptIds')}::uuid[])`)
      .prepare('attempt_join_owners'),
    state: unnamed(joinStatesQuery(db).prepare('attempt_join_state')),
  };
}

/**
 * A query drizzle built once, sent as an unnamed statement (planned by PostgreSQL at every
 * execution, as above). Drizzle builds a select's SQL again at every `execute()` (about 6 % of
 * the server's CPU during a wave of 10,000 joins); a prepared query keeps the text it built, but
 * carries a name, which makes pg prepare it server-side once per connection. So the name goes.
 */
function unnamed<Q extends object>(query: Q): Q {
  const configs = query as unknown as { queryConfig?: { name?: string }; rawQueryConfig?: { name?: string } };
  if (!configs.queryConfig || !configs.rawQueryConfig)
    throw new Error('drizzle-orm changed its prepared query: attempts.live.repository.ts unnamed() needs a new way');
  configs.queryConfig.name = undefined;
  configs.rawQueryConfig.name = undefined;
  return query;
}

/**
 * Who owns each attempt: what the ownership check needs before the join subscribes to its
 * room (one statement for a group of joins: attempts.owner-batcher.ts).
 */
export function attemptOwners(db: Db, attemptIds: readonly string[]) {
  return statements(db).owner.execute({ attemptIds });
}

/**
 * A version of the questions an attempt can hold (the exam's own and the ids of its question
 * order): how many there are and the sum of their updated_at in microseconds. Any insert, delete
 * or builder update moves it (attempts.question-cache.ts compares it with its copy).
 */
const questionsVersionOf = (examId: SQL | string, order: SQL) => sql<string>`(
  select count(*)::text || '-' || coalesce(sum((extract(epoch from q.updated_at) * 1000000)::bigint), 0)::text
  from ${questions} q
  where q.exam_id = ${examId} or q.id = any(${order}))`;

/** One join's input to the state statement (the socket's presence segment to open). */
export interface JoinInput {
  attemptId: string;
  deviceId: string;
  connectionId: string;
  ipHash: string;
}

/**
 * Everything a join reads, in one statement for a group of joins of different attempts
 * (group commit: db/group-commit.ts): per attempt, its row, the exam's settings (read
 * fresh: they can change at any time), the presence summary and the open segments of other
 * devices, the saved answers, the exam's running Zoom meetings, and the version of the
 * attempt's questions. The same statement opens each socket's hall presence segment when
 * its attempt is live (not started, in progress or paused): a data-modifying CTE, and all
 * parts of one statement see one snapshot, so the summary and the other devices are read as
 * they were BEFORE these segments opened. A group never holds two joins of one attempt (the
 * second waits for the first's commit, and so sees its segment). Answers one state per
 * input, in order (undefined: no such attempt); the caller closes a segment (leaveSegments)
 * if its join fails after it.
 */
export async function joinStates(db: Db, inputs: readonly JoinInput[]) {
  const rows = await statements(db).state.execute({
    attemptIds: inputs.map((v) => v.attemptId),
    deviceIds: inputs.map((v) => v.deviceId),
    connectionIds: inputs.map((v) => v.connectionId),
    ipHashes: inputs.map((v) => v.ipHash),
  });
  const byAttempt = new Map(rows.map((r) => [r.attempt.id, r]));
  return inputs.map((v) => byAttempt.get(v.attemptId));
}
export type JoinState = NonNullable<Awaited<ReturnType<typeof joinStates>>[number]>;

function joinStatesQuery(db: Db) {
  // The group's joins as rows (i.attempt_id, i.device_id, i.connection_id, i.ip_hash).
  const input = db.$with('joining', { attemptId: sql<string>`attempt_id` }).as(sql`
    select * from unnest(${sql.placeholder('attemptIds')}::uuid[], ${sql.placeholder('deviceIds')}::text[],
      ${sql.placeholder('connectionIds')}::text[], ${sql.placeholder('ipHashes')}::text[])
      as i(attempt_id, device_id, connection_id, ip_hash)`);
  // Raw SQL: drizzle's insert builder cannot be a CTE of a select; the columns are the
  // presence table's own (schema/proctoring.ts).
  const opened = db.$with('opened', { n: sql<number>`n` }).as(sql`
    insert into ${presence} (attempt_id, user_id, exam_id, connection_id, device_id, source, ip_hash)
    select a.id, a.user_id, a.exam_id, i.connection_id, i.device_id, 'hall', i.ip_hash
    from joining i join ${attempts} a on a.id = i.attempt_id
    where a.status in ('not_started', 'in_progress', 'paused')
    returning 1 as n`);
  return db
    .with(input, opened)
    .select({
      attempt: getTableColumns(attempts),
      exam: {
        title: exams.title,
        instructions: exams.instructions,
        proctoring: exams.proctoring,
        policy: exams.disconnectPolicy,
        cap: exams.disconnectCreditMaxMinutes,
      },
      openSegments: sql<number>`(select count(*)::int from ${presence} p where p.attempt_id = ${attempts.id} and p.left_at is null)`,
      lastLeft:
        sql<Date | null>`(select max(p.left_at) from ${presence} p where p.attempt_id = ${attempts.id})`.mapWith(
          presence.leftAt,
        ),
      elsewhere: sql<{ deviceId: string; connectionId: string }[]>`coalesce((
        select jsonb_agg(jsonb_build_object('deviceId', p.device_id, 'connectionId', p.connection_id))
        from ${presence} p where p.attempt_id = ${attempts.id} and p.left_at is null and p.device_id <> i.device_id), '[]'::jsonb)`,
      saved: sql<{ questionId: string; response: unknown; flagged: boolean; seq: number }[]>`coalesce((
        select jsonb_agg(jsonb_build_object('questionId', s.question_id, 'response', s.response, 'flagged', s.flagged, 'seq', s.seq))
        from ${answers} s where s.attempt_id = ${attempts.id}), '[]'::jsonb)`,
      meetings: sql<string[]>`coalesce((
        select jsonb_agg(m.id) from ${zoomMeetings} m where m.exam_id = ${attempts.examId} and m.status <> 'ended'), '[]'::jsonb)`,
      questionsVersion: questionsVersionOf(
        sql`${attempts.examId}`,
        sql`array(select jsonb_array_elements_text(${attempts.questionOrder}))::uuid[]`,
      ),
    })
    .from(sql`joining i`)
    .innerJoin(attempts, sql`${attempts.id} = i.attempt_id`)
    .innerJoin(exams, eq(exams.id, attempts.examId));
}

/** The questions an attempt can hold (the exam's own and `ids`), each with its version (updated_at in µs). */
export function questionsWithVersion(db: Db, examId: string, ids: readonly string[]) {
  return db
    .select({
      ...getTableColumns(questions),
      v: sql<string>`(extract(epoch from ${questions.updatedAt}) * 1000000)::bigint::text`,
    })
    .from(questions)
    .where(
      ids.length ? or(eq(questions.examId, examId), inArray(questions.id, [...ids])) : eq(questions.examId, examId),
    );
}

export interface LeaveInput {
  attemptId: string;
  examId: string;
  connectionId: string;
}

/**
 * Ends the presence segments of sockets that left together and answers, per leave, the
 * running Zoom meetings of its exam: one statement and one commit for the group (leaves come
 * in thousands when a school's network drops or an exam ends; one statement each waited for
 * pooled connections until they timed out). The text is the same for any group size.
 */
export async function leaveSegments(db: Db, leaves: readonly LeaveInput[]): Promise<string[][]> {
  const result = await poolOf(db).query<{ exam_id: string; meetings: string[] }>({
    name: 'attempt_leave_segments',
    text: LEAVE_SEGMENTS_SQL,
    values: [
      leaves.map((l) => l.attemptId),
      leaves.map((l) => l.connectionId),
      new Date(),
      [...new Set(leaves.map((l) => l.examId))],
    ],
  });
  const byExam = new Map(result.rows.map((r) => [r.exam_id, r.meetings]));
  return leaves.map((l) => byExam.get(l.examId) ?? []);
}
const LEAVE_SEGMENTS_SQL = `
with leaving as (
  select * from unnest($1::uuid[], $2::text[]) as l(attempt_id, connection_id)
), closed as (
  update presence p set left_at = $3::timestamptz
    from leaving l
   where p.attempt_id = l.attempt_id and p.connection_id = l.connection_id and p.left_at is null
  returning 1)
select m.exam_id, jsonb_agg(m.id) as meetings
  from zoom_meetings m
 where m.exam_id = any($4::uuid[]) and m.status <> 'ended'
 group by m.exam_id`;
