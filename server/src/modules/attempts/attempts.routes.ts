import type { Response } from 'express';
import { ATTEMPT_COOKIE, attemptsApi } from '@exam-hall/protocol';
import { attemptCookieNames } from '../../policy/attempt-cookie.ts';
import { attemptCookieOf } from '../../http/actor.ts';
import { route } from '../../http/route.ts';
import type { AttemptService, StartedAttempt } from './attempts.service.ts';

const tags = ['attempts'];

function setAttemptCookie(
  res: Response,
  started: Pick<StartedAttempt, 'attemptCookie' | 'cookieExpires'>,
  secure: boolean,
) {
  if (!started.attemptCookie) return;
  res.cookie(ATTEMPT_COOKIE, started.attemptCookie, {
    httpOnly: true,
    secure,
    sameSite: 'lax',
    path: '/',
    expires: started.cookieExpires,
  });
}

export function attemptRoutes(attempts: AttemptService, cookieSecure: boolean) {
  const ctx = (req: { ip?: string | undefined; get: (h: string) => string | undefined; id?: unknown }) => ({
    ip: req.ip ?? 'unknown',
    userAgent: req.get('user-agent'),
    requestId: String(req.id ?? ''),
  });
  return [
    route(
      attemptsApi.startWithCode,
      {
        summary:
          'Enter an exam with email and one-time access code (no sign-in): spends the code, sets the attempt cookie and answers the attempt waiting in the lobby (not_started; the clock starts with POST /api/attempts/{id}/begin)',
        tags,
        access: 'public',
        responses: {
          201: { description: 'Attempt created, waiting in the lobby' },
          401: { description: 'Email and code do not match an invitation' },
          403: { description: 'Exam not open, closed, or attempt limit reached' },
          409: { description: 'Code already used, or an attempt is already in progress' },
          429: { description: 'Too many wrong codes; see Retry-After' },
        },
      },
      async ({ body, req, res }) => {
        const started = await attempts.startWithCode(body, ctx(req));
        setAttemptCookie(res, started, cookieSecure);
        res.status(201);
        return started.response;
      },
    ),
    route(
      attemptsApi.resumeWithCode,
      {
        summary:
          'Continue a running attempt on this device with email and a one-time resume code from the proctor; sets the attempt cookie (the old device loses access)',
        tags,
        access: 'public',
        responses: {
          200: { description: 'The same attempt, now on this device' },
          401: { description: 'Email and resume code do not match' },
          409: { description: 'Code already used or replaced, or the attempt has ended' },
          410: { description: 'Code expired' },
          429: { description: 'Too many wrong codes; see Retry-After' },
        },
      },
      async ({ body, req, res }) => {
        const resumed = await attempts.resumeWithCode(body, ctx(req));
        setAttemptCookie(res, resumed, cookieSecure);
        return resumed.response;
      },
    ),
    route(
      attemptsApi.issueResumeCode,
      {
        summary:
          'Proctor, teacher or admin: a one-time code (15 minutes) that lets the student continue this attempt on another device; replaces older codes',
        tags,
        access: ['proctor', 'teacher', 'admin'],
        responses: {
          201: { description: 'The code, shown once' },
          404: { description: 'No such attempt in an exam you may proctor' },
          409: { description: 'The attempt is not running or paused' },
        },
      },
      async ({ caller, params, res }) => {
        const issued = await attempts.issueResumeCode(caller, params.id);
        res.status(201);
        return issued;
      },
    ),
    route(
      attemptsApi.startSignedIn,
      {
        summary:
          'Enter an exam you are invited to, signed in as a student: answers the attempt waiting in the lobby (the same one again while it has not started)',
        tags,
        access: ['student'],
        responses: {
          201: { description: 'Attempt waiting in the lobby' },
          403: { description: 'Exam not open, closed, or attempt limit reached' },
          404: { description: 'You are not invited to this exam' },
          409: { description: 'An attempt is already in progress' },
        },
      },
      async ({ actor, params, req, res }) => {
        const started = await attempts.startSignedIn(actor, params.examId, ctx(req));
        setAttemptCookie(res, started, cookieSecure);
        res.status(201);
        return started.response;
      },
    ),
    route(
      attemptsApi.get,
      {
        summary: 'An attempt, for its owner or the holder of its attempt cookie',
        tags,
        access: 'public',
        responses: { 200: { description: 'Attempt' }, 404: { description: 'Not yours' } },
      },
      async ({ actor, params, req }) => {
        return attempts.get(params.id, { actor, attemptCookie: attemptCookieOf(req) });
      },
    ),
    route(
      attemptsApi.lobby,
      {
        summary:
          'The lobby of an attempt: duration, question count, rules, monitoring and whether it can start now; for its owner or the holder of its attempt cookie',
        tags,
        access: 'public',
        responses: { 200: { description: 'Lobby' }, 404: { description: 'Not yours' } },
      },
      async ({ actor, params, req }) => attempts.lobby(params.id, { actor, attemptCookie: attemptCookieOf(req) }),
    ),
    route(
      attemptsApi.begin,
      {
        summary:
          'Start the clock of an attempt waiting in the lobby; idempotent (a repeated or concurrent call answers the running attempt unchanged)',
        tags,
        access: 'public',
        responses: {
          200: { description: 'The running attempt' },
          403: { description: 'The exam closed before the attempt started (the lobby ends)' },
          404: { description: 'Not yours' },
          409: { description: 'The proctor has not opened the hall yet (hall_not_open), or the attempt has ended' },
        },
      },
      async ({ actor, params, req, res }) => {
        const cookie = attemptCookieOf(req);
        const { response } = await attempts.begin(params.id, { actor, attemptCookie: cookie }, ctx(req));
        // The lobby's cookie lasted until the window's end; from now on it lasts until a day after the deadline.
        if (attemptCookieNames(cookie, params.id) && response.attempt.deadlineAt) {
          const expires = new Date(Date.parse(response.attempt.deadlineAt) + 24 * 3_600_000);
          setAttemptCookie(res, { attemptCookie: cookie, cookieExpires: expires }, cookieSecure);
        }
        return response;
      },
    ),
    route(
      attemptsApi.hallLobby,
      {
        summary: 'Proctor, teacher or admin: the start mode, whether the hall is open, and how many wait in the lobby',
        tags: ['hall'],
        access: ['proctor', 'teacher', 'admin'],
        responses: { 200: { description: 'Lobby state' }, 404: { description: 'No such exam you may proctor' } },
      },
      async ({ actor, params }) => attempts.hallLobby(actor, params.examId),
    ),
    route(
      attemptsApi.openHall,
      {
        summary:
          'Proctor, teacher or admin: open the hall of an exam in proctor start mode; every student waiting in the lobby starts at once (idempotent)',
        tags: ['hall'],
        access: ['proctor', 'teacher', 'admin'],
        responses: {
          200: { description: 'The hall is open' },
          404: { description: 'No such exam you may proctor' },
          409: { description: 'The exam starts by each student (student start mode), or is not published' },
        },
      },
      async ({ caller, params }) => attempts.openHall(caller, params.examId),
    ),
    route(
      attemptsApi.result,
      {
        summary: 'Your result: score when released, and your answers with explanations when review is allowed',
        tags,
        access: 'public',
        responses: { 200: { description: 'Result' }, 404: { description: 'Not yours' } },
      },
      async ({ actor, params, req }) => attempts.result(params.id, { actor, attemptCookie: attemptCookieOf(req) }),
    ),
    route(
      attemptsApi.myExams,
      {
        summary: 'The exams you are invited to, with your attempts and whether you can start',
        tags,
        access: ['student'],
        responses: { 200: { description: 'Exams' } },
      },
      async ({ actor }) => ({ exams: await attempts.myExams(actor) }),
    ),
  ];
}
