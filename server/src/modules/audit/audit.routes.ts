import type { Response } from 'express';
import { AUDIT_CSV_MAX_ROWS, auditApi } from '@exam-hall/protocol';
import { route } from '../../http/route.ts';
import { csvCell } from '../../lib/csv.ts';
import type { AuditRow, AuditService } from './audit.service.ts';

const tags = ['audit'];
const forbidden = { description: 'Not an admin' };
const badFilter = { description: 'A filter is invalid (actor neither an email nor an id, to before from, ...)' };

export const AUDIT_CSV_HEADER = [
  'time (UTC)',
  'actor email',
  'actor name',
  'actor role',
  'action',
  'target type',
  'target id',
  'request id',
  'details',
] as const;

/** One CSV line; names and details come from people, so every cell is formula-escaped. */
function csvLine(e: AuditRow): string {
  return [
    e.createdAt.toISOString(),
    e.actorEmail,
    e.actorName,
    e.actorRole,
    e.action,
    e.targetType,
    e.targetId,
    e.requestId,
    JSON.stringify(e.details),
  ]
    .map(csvCell)
    .join(',');
}

/**
 * Streams the CSV a chunk at a time: the first chunk is read before the headers go out,
 * so a bad filter or an outage still answers a proper error; a later failure can only
 * cut the download short, which the browser reports as a failed download.
 */
async function streamCsv(res: Response, rows: AsyncGenerator<AuditRow[]>) {
  const first = await rows.next();
  res.type('text/csv; charset=utf-8');
  res.attachment(`audit-log-${new Date().toISOString().slice(0, 10)}.csv`);
  res.write(`\uFEFF${AUDIT_CSV_HEADER.map(csvCell).join(',')}\r\n`);
  try {
    if (!first.done) {
      res.write(first.value.map(csvLine).join('\r\n') + '\r\n');
      for await (const chunk of rows) {
        if (!res.write(chunk.map(csvLine).join('\r\n') + '\r\n')) {
          await new Promise((resolve) => res.once('drain', resolve));
        }
      }
    }
    res.end();
  } catch (err) {
    res.destroy(err instanceof Error ? err : new Error(String(err)));
  }
}

export function auditRoutes(audit: AuditService) {
  return [
    route(
      auditApi.list,
      {
        summary:
          'The audit log, newest first, a page at a time with the total: filter by actor (email or user id), action (exact, or a prefix ending in "." or "*"), target type and id, and a date range (admins only)',
        tags,
        access: ['admin'],
        responses: { 200: { description: 'A page of entries' }, 400: badFilter, 403: forbidden },
      },
      async ({ query: q }) => audit.page(q),
    ),
    route(
      auditApi.csv,
      {
        summary: `The audit log as CSV with the same filters, newest first, at most ${AUDIT_CSV_MAX_ROWS.toLocaleString('en')} rows; cells a spreadsheet would run as formulas are escaped. The export is audited.`,
        tags,
        access: ['admin'],
        responses: { 200: { description: 'text/csv' }, 400: badFilter, 403: forbidden },
      },
      async ({ query: q, caller, res }) => {
        await streamCsv(res, await audit.exportRows(caller, q));
      },
    ),
  ];
}
