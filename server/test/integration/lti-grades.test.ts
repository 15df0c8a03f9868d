// LTI Advantage services against a tiny in-test platform (support/lti-platform.ts) whose token
// endpoint verifies our client assertion against our /lti/jwks: AGS score pushes (media types,
// body, line item created once, re-grades, release, a refused push failed then resent, the
// token endpoint down) and NRPS roster sync (paging, adds, updates, drops), with RBAC.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { Queue } from 'bullmq';
import {
  answers,
  attempts,
  auditLogs,
  enrollments,
  ltiContexts,
  ltiGradeSyncs,
  ltiPlatforms,
  ltiResourceLinks,
  ltiUsers,
  questions,
  users,
} from '../../src/db/schema/index.ts';
import { transitionAttempt } from '../../src/modules/attempts/attempts.state.ts';
import { startWorkers } from '../../src/jobs/runtime.ts';
import { enqueuer } from '../../src/jobs/queues.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';
import { publishedExam, signedIn, startedAttempt } from '../support/fixtures.ts';
import { startTestPlatform, type TestPlatform } from '../support/lti-platform.ts';

const SCOPES = [
  'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  'https://purl.imsglobal.org/spec/lti-ags/scope/score',
];
const LEARNER = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner';
const INSTRUCTOR = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor';

let t: TestSystem;
let lms: TestPlatform;
let workers: Awaited<ReturnType<typeof startWorkers>>;
let gradingQueue: Queue;
let teacher: Awaited<ReturnType<typeof signedIn>>;
let platformId: string;

beforeAll(async () => {
  t = await startTestSystem();
  lms = await startTestPlatform({ toolJwksUrl: `${t.url}/lti/jwks` });
  workers = await startWorkers(t.system.config, createLogger('silent'), { schedules: false });
  gradingQueue = new Queue('grading', {
    connection: t.system.redis.duplicate(),
    prefix: `${t.system.config.redis.prefix}:bull`,
  });
  teacher = await signedIn(t, 'teacher');
  const [p] = await t.system.db
    .insert(ltiPlatforms)
    .values({
      name: 'Test LMS',
      issuer: lms.issuer,
      clientId: lms.clientId,
      deploymentIds: ['1'],
      authLoginUrl: `${lms.url}/auth`,
      accessTokenUrl: lms.tokenUrl,
      jwksUrl: `${lms.url}/jwks`,
    })
    .returning();
  platformId = p!.id;
});
afterAll(async () => {
  await workers?.close();
  await gradingQueue?.close();
  await t?.close();
  await lms?.stop();
});

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let n = 0;
/** An LMS course with the exam placed in it (no line item yet). */
async function placed(examId: string, opts: { platform?: string; courseId?: string } = {}) {
  const cid = `ctx-${++n}`;
  const [ctx] = await t.system.db
    .insert(ltiContexts)
    .values({
      platformId: opts.platform ?? platformId,
      deploymentId: '1',
      contextId: cid,
      title: `LMS course ${n}`,
      courseId: opts.courseId ?? null,
      lineItemsUrl: lms.lineItemsUrl(cid),
      membershipsUrl: lms.membershipsUrl(cid),
      agsScopes: SCOPES,
    })
    .returning();
  const [link] = await t.system.db
    .insert(ltiResourceLinks)
    .values({
      platformId: opts.platform ?? platformId,
      contextId: ctx!.id,
      resourceLinkId: `rl-${n}`,
      examId,
      title: `Quiz ${n}`,
    })
    .returning();
  return { cid, ctx: ctx!, link: link! };
}

/** A student the LMS knows, who answers `right` of the 4 questions right, submits, and is graded by the worker. */
async function lmsStudentGraded(examId: string, right: number, platform = platformId) {
  const s = await startedAttempt(t, teacher, examId);
  const [a] = await t.system.db.select().from(attempts).where(eq(attempts.id, s.attemptId));
  const sub = `lms-user-${++n}`;
  await t.system.db.insert(ltiUsers).values({ platformId: platform, sub, userId: a!.userId });
  const qs = await t.system.db.select().from(questions).where(eq(questions.examId, examId));
  let seq = 0;
  for (const q of qs.slice(0, right)) {
    const response = q.type === 'true_false' ? { value: true } : { optionId: 'a' };
    await t.system.db.insert(answers).values({ attemptId: s.attemptId, questionId: q.id, response, seq: ++seq });
  }
  await transitionAttempt(t.system.db, s.attemptId, 'submitted');
  await enqueuer(gradingQueue, 'grading')('attempt.grade', { attemptId: s.attemptId });
  return { ...s, userId: a!.userId, sub };
}

const syncOf = (linkId: string, userId: string) =>
  t.system.db
    .select()
    .from(ltiGradeSyncs)
    .where(and(eq(ltiGradeSyncs.resourceLinkId, linkId), eq(ltiGradeSyncs.userId, userId)))
    .then((r) => r[0]);

describe('AGS: scores to the LMS gradebook', () => {
  it('posts the score with the IMS media type and body once graded; the line item is made once; re-grades send again', async () => {
    const exam = await publishedExam(t, teacher, { resultsPolicy: 'immediately' });
    const { link, cid } = await placed(exam.id);
    const one = await lmsStudentGraded(exam.id, 3);
    const two = await lmsStudentGraded(exam.id, 1);
    await until('both sent', async () => {
      const [a, b] = [await syncOf(link.id, one.userId), await syncOf(link.id, two.userId)];
      return a?.status === 'sent' && b?.status === 'sent';
    });
    expect(lms.tokenRefusals).toEqual([]);
    const items = lms.lineItems.filter((li) => li.contextId === cid);
    expect(items).toHaveLength(1);
    expect(items[0]!.contentType).toBe('application/vnd.ims.lis.v2.lineitem+json');
    expect(items[0]!.body).toEqual({
      scoreMaximum: 4,
      label: link.title,
      resourceId: exam.id,
      resourceLinkId: link.resourceLinkId,
    });
    const [stored] = await t.system.db.select().from(ltiResourceLinks).where(eq(ltiResourceLinks.id, link.id));
    expect(stored!.lineItemUrl).toBe(items[0]!.id);
    const mine = lms.scores.filter((s) => s.lineItemId === items[0]!.id);
    expect(mine.map((s) => s.contentType)).toEqual([
      'application/vnd.ims.lis.v1.score+json',
      'application/vnd.ims.lis.v1.score+json',
    ]);
    const first = mine.find((s) => s.body.userId === one.sub)!.body;
    expect(first).toMatchObject({
      userId: one.sub,
      scoreGiven: 3,
      scoreMaximum: 4,
      activityProgress: 'Completed',
      gradingProgress: 'FullyGraded',
    });
    expect(Date.parse(first.timestamp as string)).toBeGreaterThan(Date.now() - 60_000);

    // The teacher's view.
    const list = await teacher.get(`/api/exams/${exam.id}/lti-grades`);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ linked: true, links: 1, counts: { pending: 0, sent: 2, failed: 0 } });
    expect(list.body.rows[0]).toMatchObject({ status: 'sent', tries: 1, lastError: null, linkTitle: link.title });

    // An override changes the score: it is sent again, with the new score.
    const over = await teacher.post(`/api/attempts/${two.attemptId}/score-override`, { score: 2.5, reason: 'Appeal' });
    expect(over.status).toBe(200);
    await until('the new score', async () =>
      lms.scores.find((s) => s.body.userId === two.sub && s.body.scoreGiven === 2.5),
    );
    await until('sent again', async () => (await syncOf(link.id, two.userId))?.status === 'sent');
    expect(lms.lineItems.filter((li) => li.contextId === cid)).toHaveLength(1);
    // Tokens come from the cache: one per scope set for all of these pushes.
    expect(lms.tokens.map((x) => x.scope).sort()).toEqual([SCOPES[0], SCOPES[1]]);
  });

  it('reconciles what a lost job left: a score owed but never queued, and a stale pending push', async () => {
    const exam = await publishedExam(t, teacher, { resultsPolicy: 'immediately' });
    const { link } = await placed(exam.id);
    // Graded before the LMS knew the student (no row then), linked afterwards: nothing queued it.
    const s = await startedAttempt(t, teacher, exam.id);
    await transitionAttempt(t.system.db, s.attemptId, 'submitted');
    await enqueuer(gradingQueue, 'grading')('attempt.grade', { attemptId: s.attemptId });
    await until('graded', async () => {
      const [a] = await t.system.db.select().from(attempts).where(eq(attempts.id, s.attemptId));
      return a?.gradedAt ? a : undefined;
    });
    const [a] = await t.system.db.select().from(attempts).where(eq(attempts.id, s.attemptId));
    await t.system.db.insert(ltiUsers).values({ platformId, sub: 'late-link', userId: a!.userId });
    const ltiQueue = new Queue('lti', {
      connection: t.system.redis.duplicate(),
      prefix: `${t.system.config.redis.prefix}:bull`,
    });
    try {
      await enqueuer(ltiQueue, 'lti')('grades.reconcile', { limit: 100, settleSeconds: 60 });
      await until('sent by the reconciler', async () => (await syncOf(link.id, a!.userId))?.status === 'sent');
      expect(lms.scores.filter((x) => x.body.userId === 'late-link')).toHaveLength(1);

      // A pending push whose job was lost two minutes ago (Redis restart) is sent by the next run.
      await t.system.db
        .update(ltiGradeSyncs)
        .set({ status: 'pending', updatedAt: new Date(Date.now() - 120_000) })
        .where(eq(ltiGradeSyncs.resourceLinkId, link.id));
      await enqueuer(ltiQueue, 'lti')('grades.reconcile', { limit: 100, settleSeconds: 60 });
      await until('sent again', async () => (await syncOf(link.id, a!.userId))?.status === 'sent');
      expect(lms.scores.filter((x) => x.body.userId === 'late-link')).toHaveLength(2);
    } finally {
      await ltiQueue.close();
    }
  });

  it('sends held-back results when the teacher releases them', async () => {
    const exam = await publishedExam(t, teacher, { resultsPolicy: 'on_release' });
    const { link } = await placed(exam.id);
    const s = await lmsStudentGraded(exam.id, 4);
    await until('graded', async () => {
      const [a] = await t.system.db.select().from(attempts).where(eq(attempts.id, s.attemptId));
      return a?.gradedAt;
    });
    expect((await teacher.post(`/api/exams/${exam.id}/results/release`)).status).toBe(200);
    await until('sent after release', async () => (await syncOf(link.id, s.userId))?.status === 'sent');
    expect(lms.scores.filter((x) => x.body.userId === s.sub).map((x) => x.body.scoreGiven)).toEqual([4]);
  });

  it('shows a refused push as failed with an error the teacher can act on, and sends it on resend', async () => {
    const exam = await publishedExam(t, teacher, { resultsPolicy: 'immediately' });
    const { link } = await placed(exam.id);
    // Both the push and its one retry with a fresh token are refused.
    lms.refuseScores = { count: 2, status: 401 };
    const s = await lmsStudentGraded(exam.id, 2);
    const failed = await until('failed', async () => {
      const row = await syncOf(link.id, s.userId);
      return row?.status === 'failed' ? row : undefined;
    });
    expect(failed.lastError).toMatch(
      /The LMS refused the grade \(401: the gradebook is locked\): check the platform's registration/,
    );
    expect(lms.scores.some((x) => x.body.userId === s.sub)).toBe(false);

    const list = await teacher.get(`/api/exams/${exam.id}/lti-grades`);
    expect(list.body.counts).toMatchObject({ failed: 1 });
    const row = list.body.rows.find((r: { userId: string }) => r.userId === s.userId);
    expect(row).toMatchObject({ status: 'failed', tries: 1, lastError: failed.lastError });

    const resent = await teacher.post(`/api/exams/${exam.id}/lti-grades/${row.id}/resend`);
    expect(resent.status).toBe(202);
    expect(resent.body).toEqual({ queued: 1 });
    await until('sent on resend', async () => (await syncOf(link.id, s.userId))?.status === 'sent');
    expect(lms.scores.filter((x) => x.body.userId === s.sub).map((x) => x.body.scoreGiven)).toEqual([2]);
    const audits = await t.system.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, 'lti.grade.resend'), eq(auditLogs.targetId, row.id)));
    expect(audits).toHaveLength(1);
    expect(audits[0]!.actorId).toBe(teacher.user.id);
  });

  it('lets only the exam’s teacher or an admin see and resend (404 for another teacher)', async () => {
    const exam = await publishedExam(t, teacher, { resultsPolicy: 'immediately' });
    await placed(exam.id);
    const other = await signedIn(t, 'teacher');
    const student = await signedIn(t, 'student');
    const admin = await signedIn(t, 'admin');
    const fakeSync = '00000000-0000-4000-8000-000000000000';
    for (const c of [other]) {
      expect((await c.get(`/api/exams/${exam.id}/lti-grades`)).status).toBe(404);
      expect((await c.post(`/api/exams/${exam.id}/lti-grades/resend-failed`)).status).toBe(404);
      expect((await c.post(`/api/exams/${exam.id}/lti-grades/${fakeSync}/resend`)).status).toBe(404);
    }
    expect((await student.get(`/api/exams/${exam.id}/lti-grades`)).status).toBe(403);
    expect((await student.post(`/api/exams/${exam.id}/lti-grades/resend-failed`)).status).toBe(403);
    expect((await admin.get(`/api/exams/${exam.id}/lti-grades`)).status).toBe(200);
    expect((await teacher.post(`/api/exams/${exam.id}/lti-grades/${fakeSync}/resend`)).status).toBe(404);
    const bad = await teacher.post(`/api/exams/${exam.id}/lti-grades/not-a-uuid/resend`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].path).toBe('params.syncId');
    // An exam not placed in an LMS: the panel is hidden.
    const plain = await publishedExam(t, teacher);
    expect((await teacher.get(`/api/exams/${plain.id}/lti-grades`)).body).toMatchObject({ linked: false, rows: [] });
  });

  it('records an unreachable token endpoint as a clear failure and keeps serving', async () => {
    const [down] = await t.system.db
      .insert(ltiPlatforms)
      .values({
        name: 'Down LMS',
        issuer: `${lms.issuer}/down`,
        clientId: 'down-client',
        deploymentIds: ['1'],
        authLoginUrl: `${lms.url}/auth`,
        accessTokenUrl: `${lms.url}/token`,
        jwksUrl: `${lms.url}/jwks`,
      })
      .returning();
    lms.tokenDown = true;
    try {
      const exam = await publishedExam(t, teacher, { resultsPolicy: 'immediately' });
      const { link } = await placed(exam.id, { platform: down!.id });
      const s = await lmsStudentGraded(exam.id, 1, down!.id);
      const failed = await until('failed', async () => {
        const row = await syncOf(link.id, s.userId);
        return row?.status === 'failed' ? row : undefined;
      });
      expect(failed.lastError).toMatch(
        /Could not reach the LMS's token endpoint at 127\.0\.0\.1:\d+ \(connection failed\)\. It will be retried\./,
      );
      expect((await teacher.get('/healthz')).status).toBe(200);
    } finally {
      lms.tokenDown = false;
    }
  });
});

describe('NRPS: roster sync', () => {
  it('pages through the memberships and adds, updates and drops enrolments', async () => {
    const course = (await teacher.post('/api/courses', { name: `LMS course ${Date.now()}` })).body as { id: string };
    const exam = await publishedExam(t, teacher);
    const { cid, ctx } = await placed(exam.id, { courseId: course.id });
    const existing = await t.createUser('student');
    const manual = await t.createUser('student');
    await t.system.db.insert(enrollments).values({ courseId: course.id, userId: manual.id, role: 'student' });
    const ada = `ada-${n}@school.example`;
    lms.members.set(cid, [
      { user_id: 'm-ada', name: 'Ada Lovelace', email: ada, roles: [LEARNER] },
      { user_id: 'm-bob', name: 'Bob', email: existing.email, roles: [LEARNER] },
      { user_id: 'm-cy', name: 'Cy Teacher', roles: [INSTRUCTOR] },
      { user_id: 'm-dee', name: 'Dee', status: 'Inactive', roles: [LEARNER] },
      { user_id: 'm-eve', name: 'Eve\u0000', roles: ['Learner'] },
      { nonsense: true } as never,
    ]);
    const sync = async () => {
      const r = await teacher.post(`/api/courses/${course.id}/lti-roster/sync`);
      expect(r.status).toBe(202);
      expect(r.body).toEqual({ queued: 1 });
      return until('the sync', async () => {
        const [c] = await t.system.db.select().from(ltiContexts).where(eq(ltiContexts.id, ctx.id));
        const state = (c?.rosterSyncResult as { state?: string } | null)?.state;
        return state === 'done' || state === 'failed' ? c : undefined;
      });
    };
    await sync();
    const roster = await teacher.get(`/api/courses/${course.id}/lti-roster`);
    expect(roster.status).toBe(200);
    expect(roster.body.contexts[0]).toMatchObject({
      state: 'done',
      counts: { added: 4, updated: 0, dropped: 0, total: 5 },
      error: null,
    });
    const people = await t.system.db
      .select({ sub: ltiUsers.sub, email: users.email, role: users.role, name: users.name, id: users.id })
      .from(ltiUsers)
      .innerJoin(users, eq(users.id, ltiUsers.userId))
      .where(eq(ltiUsers.platformId, platformId));
    const bySub = new Map(people.map((p) => [p.sub, p]));
    expect(bySub.get('m-ada')).toMatchObject({ email: ada, role: 'student', name: 'Ada Lovelace' });
    // The email of an existing account is not taken over: a placeholder address instead.
    expect(bySub.get('m-bob')!.email).toMatch(/\.lti\.invalid$/);
    expect(bySub.get('m-bob')!.id).not.toBe(existing.id);
    expect(bySub.get('m-cy')).toMatchObject({ role: 'teacher' });
    expect(bySub.has('m-dee')).toBe(false);
    expect(bySub.get('m-eve')!.name).toBe('LMS user');
    const active = async () =>
      new Map(
        (await t.system.db.select().from(enrollments).where(eq(enrollments.courseId, course.id))).map((e) => [
          e.userId,
          `${e.role}:${e.status}`,
        ]),
      );
    let now = await active();
    expect(now.get(bySub.get('m-ada')!.id)).toBe('student:active');
    expect(now.get(bySub.get('m-cy')!.id)).toBe('teacher:active');
    expect(now.get(bySub.get('m-eve')!.id)).toBe('student:active');

    // Ada renamed, Eve gone, Dee active now.
    lms.members.set(cid, [
      { user_id: 'm-ada', name: 'Ada King', email: ada, roles: [LEARNER] },
      { user_id: 'm-bob', name: 'Bob', email: existing.email, roles: [LEARNER] },
      { user_id: 'm-cy', name: 'Cy Teacher', roles: [INSTRUCTOR] },
      { user_id: 'm-dee', name: 'Dee', roles: [LEARNER] },
    ]);
    await sync();
    const again = await teacher.get(`/api/courses/${course.id}/lti-roster`);
    expect(again.body.contexts[0].counts).toEqual({ added: 1, updated: 1, dropped: 1, total: 4 });
    now = await active();
    expect(now.get(bySub.get('m-eve')!.id)).toBe('student:dropped');
    // Someone the LMS did not bring stays.
    expect(now.get(manual.id)).toBe('student:active');
    const [renamed] = await t.system.db
      .select()
      .from(users)
      .where(eq(users.id, bySub.get('m-ada')!.id));
    expect(renamed!.name).toBe('Ada King');
    const audits = await t.system.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.action, 'lti.roster.synced'), eq(auditLogs.targetId, course.id)));
    expect(audits).toHaveLength(2);
    expect(JSON.stringify(audits.map((a) => a.details))).not.toContain('@');

    // RBAC: another teacher sees nothing of it.
    const other = await signedIn(t, 'teacher');
    expect((await other.get(`/api/courses/${course.id}/lti-roster`)).status).toBe(404);
    expect((await other.post(`/api/courses/${course.id}/lti-roster/sync`)).status).toBe(404);
  });

  it('fails a sync whose LMS answers an HTML page or an endless body, with the reason, and keeps serving', async () => {
    for (const [fault, reason] of [
      ['html', 'The LMS roster answer was not a membership container (no members list, or over 16 MB).'],
      ['huge', 'The LMS roster answer was not a membership container (no members list, or over 16 MB).'],
    ] as const) {
      const course = (await teacher.post('/api/courses', { name: `Faulty ${fault} ${Date.now()}` })).body as {
        id: string;
      };
      const exam = await publishedExam(t, teacher);
      const { cid, ctx } = await placed(exam.id, { courseId: course.id });
      lms.membershipFaults.set(cid, fault);
      expect((await teacher.post(`/api/courses/${course.id}/lti-roster/sync`)).status).toBe(202);
      const failed = await until('the failure', async () => {
        const r = await teacher.get(`/api/courses/${course.id}/lti-roster`);
        return r.body.contexts[0]?.state === 'failed' ? r.body.contexts[0] : undefined;
      });
      expect(failed).toMatchObject({ contextId: ctx.id, error: reason, counts: null });
    }
    expect((await teacher.get('/healthz')).status).toBe(200);
  });

  it('refuses a course without an LMS roster service with a clear 409', async () => {
    const course = (await teacher.post('/api/courses', { name: `Plain ${Date.now()}` })).body as { id: string };
    const r = await teacher.post(`/api/courses/${course.id}/lti-roster/sync`);
    expect(r.status).toBe(409);
    expect(r.body.error.message).toMatch(/not linked to an LMS course/);
    expect((await teacher.get(`/api/courses/${course.id}/lti-roster`)).body).toEqual({ linked: false, contexts: [] });
    // An archived course's roster is left alone.
    const exam = await publishedExam(t, teacher);
    await placed(exam.id, { courseId: course.id });
    expect((await teacher.post(`/api/courses/${course.id}/archive`)).status).toBe(200);
    const archived = await teacher.post(`/api/courses/${course.id}/lti-roster/sync`);
    expect(archived.status).toBe(409);
    expect(archived.body.error.message).toMatch(/archived/);
  });
});
