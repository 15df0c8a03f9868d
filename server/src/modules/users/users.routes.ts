import express, { type Request, type Response } from 'express';
import { USER_IMPORT_MAX_ROWS, usersApi } from '@exam-hall/protocol';
import { badRequest } from '../../http/errors.ts';
import { route } from '../../http/route.ts';
import type { UserService } from './users.service.ts';

const tags = ['users'];
const access = ['admin'] as const;
const notAdmin = { description: 'Not an administrator' };
const noSuchUser = { description: 'No such account' };

// The import body is the CSV file itself (the JSON parser skips text/csv): 1,000 rows of
// long addresses and names fit in 256 kB.
const readText = express.text({ type: ['text/csv', 'text/plain', 'application/csv'], limit: '256kb' });

function readCsvBody(req: Request, res: Response): Promise<string> {
  return new Promise((resolve, reject) => {
    readText(req, res, (err?: unknown) => {
      if (err) return reject(err);
      if (typeof req.body !== 'string') {
        return reject(
          badRequest('Send the CSV file itself as the request body, with Content-Type: text/csv.', [
            { path: 'body', message: 'must be CSV text (Content-Type: text/csv)' },
          ]),
        );
      }
      resolve(req.body);
    });
  });
}

export function userRoutes(users: UserService) {
  return [
    route(
      usersApi.list,
      {
        summary:
          'Accounts, a page at a time with the total: search a part of the email or name (case-insensitive), filter by role and status',
        tags,
        access,
        responses: { 200: { description: 'A page of accounts' }, 403: notAdmin },
      },
      async ({ query }) => users.list(query),
    ),
    route(
      usersApi.counts,
      {
        summary: 'How many accounts there are, by role and by status',
        tags,
        access,
        responses: { 200: { description: 'The counts' }, 403: notAdmin },
      },
      async () => users.counts(),
    ),
    route(
      usersApi.create,
      {
        summary:
          'Create an account (status invited) and issue its invitation link: mailed when a mail server is configured, otherwise answered once to be passed on',
        tags,
        access,
        responses: {
          201: { description: 'Created, with how the invitation was delivered' },
          400: { description: 'Invalid email, name or role' },
          403: notAdmin,
          409: { description: 'The email already has an account' },
        },
      },
      async ({ caller, body, res }) => {
        const created = await users.create(caller, body);
        res.status(201);
        return created;
      },
    ),
    route(
      usersApi.import,
      {
        summary: `Create accounts from a CSV file sent as the body (Content-Type: text/csv, at most 256 kB): a header row with "email" and "role" columns and optionally "name", then up to ${USER_IMPORT_MAX_ROWS.toLocaleString('en')} rows. Every row gets an outcome (created, exists, invalid with a reason); bad rows never block good ones. Created rows carry how their invitation was delivered.`,
        tags,
        access,
        responses: {
          200: { description: 'Outcome of every row' },
          400: {
            description: 'Not a readable CSV, no email or role column, no rows, or too many rows (nothing is created)',
          },
          403: notAdmin,
          413: { description: 'Body over 256 kB' },
        },
      },
      async ({ caller, req, res }) => users.importCsv(caller, await readCsvBody(req, res)),
    ),
    route(
      usersApi.get,
      {
        summary: 'One account and how many sessions it has open',
        tags,
        access,
        responses: { 200: { description: 'The account' }, 403: notAdmin, 404: noSuchUser },
      },
      async ({ params }) => users.get(params.id),
    ),
    route(
      usersApi.changeRole,
      {
        summary:
          'Change the account’s role; its open sockets reconnect with the new one. Nobody takes away their own administrator role, and the last active administrator stays one.',
        tags,
        access,
        responses: {
          200: { description: 'The account' },
          403: notAdmin,
          404: noSuchUser,
          409: { description: 'Your own administrator role, or the last active administrator' },
        },
      },
      async ({ caller, params, body }) => users.changeRole(caller, params.id, body),
    ),
    route(
      usersApi.suspend,
      {
        summary:
          'Suspend the account: every session ends at once and its open sockets close; unused invitation and reset links stop working. Not yourself, not the last active administrator.',
        tags,
        access,
        responses: {
          200: { description: 'The account' },
          403: notAdmin,
          404: noSuchUser,
          409: { description: 'Yourself, the last active administrator, or already suspended' },
        },
      },
      async ({ caller, params, body }) => users.suspend(caller, params.id, body),
    ),
    route(
      usersApi.reactivate,
      {
        summary: 'Lift a suspension: active again, or invited if no password was ever set',
        tags,
        access,
        responses: {
          200: { description: 'The account' },
          403: notAdmin,
          404: noSuchUser,
          409: { description: 'Not suspended' },
        },
      },
      async ({ caller, params }) => users.reactivate(caller, params.id),
    ),
    route(
      usersApi.resetLink,
      {
        summary:
          'Issue a password-reset link for the account (earlier unused ones stop working): mailed, or answered once to be passed on',
        tags,
        access,
        responses: {
          200: { description: 'How the link was delivered' },
          403: notAdmin,
          404: noSuchUser,
          409: { description: 'Suspended, or no password set yet (re-send the invitation instead)' },
        },
      },
      async ({ caller, params }) => users.resetLink(caller, params.id),
    ),
    route(
      usersApi.invitation,
      {
        summary:
          'Re-send the invitation of an account that has not set a password (earlier links stop working): mailed, or answered once to be passed on',
        tags,
        access,
        responses: {
          200: { description: 'How the invitation was delivered' },
          403: notAdmin,
          404: noSuchUser,
          409: { description: 'Suspended, or the password is already set (issue a reset link instead)' },
        },
      },
      async ({ caller, params }) => users.resendInvitation(caller, params.id),
    ),
  ];
}
