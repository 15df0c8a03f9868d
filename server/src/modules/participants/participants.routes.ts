import express, { type Request, type Response } from 'express';
import { participantsApi } from '@exam-hall/protocol';
import { badRequest } from '../../http/errors.ts';
import { route } from '../../http/route.ts';
import type { ParticipantService } from './participants.service.ts';

const tags = ['participants'];
const access = ['teacher', 'admin'] as const;
const notYours = { description: 'No such exam of yours (or no such participant in it)' };
const archived = { description: 'The exam is archived' };

// The import body is the CSV file itself. The API's JSON parser (100 kB by default)
// skips text/csv, so this route reads its own body, up to 1 MB: 5,000 rows of long
// addresses and names fit.
const CSV_BODY_LIMIT = '1mb';
const readText = express.text({ type: ['text/csv', 'text/plain', 'application/csv'], limit: CSV_BODY_LIMIT });

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

function sendCsv(res: Response, filename: string, csv: string) {
  res.type('text/csv; charset=utf-8');
  res.attachment(filename);
  res.send(csv);
}

function sendPdf(res: Response, filename: string, pdf: Uint8Array) {
  res.type('application/pdf');
  res.attachment(filename);
  res.send(Buffer.from(pdf));
}

export function participantRoutes(participants: ParticipantService) {
  return [
    route(
      participantsApi.list,
      {
        summary: 'Participants of an exam with code status and attempt progress, a page at a time, plus the total',
        tags,
        access,
        responses: { 200: { description: 'A page of participants' }, 404: notYours },
      },
      async ({ actor, params, query }) => participants.list(actor, params.examId, query),
    ),
    route(
      participantsApi.add,
      {
        summary:
          'Invite one participant by email (creates an invited student account if needed); answers the access code, shown only this once',
        tags,
        access,
        responses: {
          201: { description: 'Added' },
          400: { description: 'Invalid email, domain not allowed for the course, or not a student account' },
          404: notYours,
          409: { description: 'Already a participant, or the exam is archived' },
        },
      },
      async ({ caller, params, body, res }) => {
        const added = await participants.add(caller, params.examId, body);
        res.status(201);
        return added;
      },
    ),
    route(
      participantsApi.import,
      {
        summary:
          'Import participants from a CSV file sent as the body (Content-Type: text/csv, at most 1 MB): a header row with an "email" column and optionally "name", then up to 5,000 rows. Every row gets an outcome (added, skipped, rejected with a reason); bad rows never block good ones. Added rows carry their access code, shown only in this answer.',
        tags,
        access,
        responses: {
          200: { description: 'Outcome of every row' },
          400: {
            description: 'Not a readable CSV, no email column, no rows, or more than 5,000 rows (nothing is added)',
          },
          404: notYours,
          409: archived,
          413: { description: 'Body over 1 MB' },
        },
      },
      async ({ caller, params, req, res }) =>
        participants.importCsv(caller, params.examId, await readCsvBody(req, res)),
    ),
    route(
      participantsApi.exportCsv,
      {
        summary:
          'Every participant as CSV (email, name, account and code status, code hint, attempts, latest result); no codes',
        tags,
        access,
        responses: { 200: { description: 'text/csv' }, 404: notYours },
      },
      async ({ actor, params, res }) => {
        const csv = await participants.exportCsv(actor, params.examId);
        sendCsv(res, `participants-${params.examId}.csv`, csv);
      },
    ),
    route(
      participantsApi.exportCodes,
      {
        summary:
          'Access codes as CSV (email, name, code, code status, note); changes nothing, so codes already handed out keep working. Codes are stored hashed and every participant got theirs when added, so the code cell is empty and the note says when it was issued; reissue to get new ones. Body { participantIds } to choose; empty body = every participant.',
        tags,
        access,
        responses: {
          200: { description: 'text/csv' },
          400: { description: 'Some participantIds are not participants of this exam' },
          404: notYours,
        },
      },
      async ({ actor, params, body, res }) => {
        const { csv } = await participants.exportCodes(actor, params.examId, body);
        sendCsv(res, `access-codes-${params.examId}.csv`, csv);
      },
    ),
    route(
      participantsApi.codeSlips,
      {
        summary:
          'Printable access-code slips (A4 PDF, 8 a page with cut lines), one per participant: exam, when and where, name, email, instructions and a QR code opening the start page with the email filled in (never the code). Changes nothing: codes are stored hashed, so each slip says when its code was issued; to print slips with new codes, reissue with format "pdf". Dates are written in ?tz= (IANA, default UTC).',
        tags,
        access,
        responses: {
          200: { description: 'application/pdf' },
          400: { description: 'tz is not an IANA time zone' },
          404: notYours,
          409: { description: 'More participants than slips print at a time' },
        },
      },
      async ({ caller, params, query, res }) => {
        const { pdf } = await participants.codeSlips(caller, params.examId, query);
        sendPdf(res, `access-code-slips-${params.examId}.pdf`, pdf);
      },
    ),
    route(
      participantsApi.reissuePreview,
      {
        summary: 'How many participants a bulk reissue would give new codes (no attempt yet, code unused)',
        tags,
        access,
        responses: { 200: { description: 'The count' }, 404: notYours },
      },
      async ({ actor, params }) => participants.reissuePreview(actor, params.examId),
    ),
    route(
      participantsApi.reissue,
      {
        summary:
          'REISSUES the access code of every participant who has not started (no attempt, code unused) and answers the new codes as CSV (email, name, code), or as printable slips with format "pdf": their current codes stop working. The body must be { "confirm": true, "expected": <the count from the GET> }; when the count differs (someone started meanwhile) it answers 409 and changes nothing.',
        tags,
        access,
        responses: {
          200: { description: 'text/csv with the new codes, or application/pdf slips with format "pdf"' },
          400: { description: 'confirm: true missing, or a bad expected, format or tz (nothing changes)' },
          404: notYours,
          409: { description: 'The exam is archived, or the expected count differs (nothing changes)' },
        },
      },
      async ({ caller, params, body, res }) => {
        const { csv, pdf } = await participants.reissueCodes(caller, params.examId, body);
        if (pdf) sendPdf(res, `access-code-slips-reissued-${params.examId}.pdf`, pdf);
        else sendCsv(res, `access-codes-reissued-${params.examId}.csv`, csv);
      },
    ),
    route(
      participantsApi.regenerateCode,
      {
        summary:
          'Regenerate one participant’s access code: the old code stops working; the new one is shown only in this answer',
        tags,
        access,
        responses: { 200: { description: 'The new code' }, 404: notYours, 409: archived },
      },
      async ({ caller, params }) => participants.regenerate(caller, params.examId, params.participantId),
    ),
    route(
      participantsApi.remove,
      {
        summary: 'Remove a participant who has not started an attempt',
        tags,
        access,
        responses: {
          204: { description: 'Removed' },
          404: notYours,
          409: { description: 'The participant already has an attempt' },
        },
      },
      async ({ caller, params }) => participants.remove(caller, params.examId, params.participantId),
    ),
    route(
      participantsApi.searchUsers,
      {
        summary: 'Accounts whose email starts with a prefix (at least 2 characters; at most 20 results)',
        tags,
        access,
        responses: {
          200: { description: 'Matching accounts' },
          400: { description: 'Prefix missing or shorter than 2 characters' },
        },
      },
      async ({ actor, query }) => participants.searchUsers(actor, query.prefix),
    ),
  ];
}
