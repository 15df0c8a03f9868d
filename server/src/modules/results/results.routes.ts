import { resultsApi } from '@exam-hall/protocol';
import { route } from '../../http/route.ts';
import type { ResultsService } from './results.service.ts';

const tags = ['results'];
const access = ['teacher', 'admin'] as const;
const notYours = { description: 'No such exam of yours' };

export function resultRoutes(results: ResultsService) {
  return [
    route(
      resultsApi.table,
      {
        summary:
          'Every ended attempt (submitted, expired, abandoned, terminated) with student, score, risk, override and certificate, in name order, plus a summary (count, mean, median, pass rate, release time)',
        tags,
        access,
        responses: { 200: { description: 'Results' }, 404: notYours },
      },
      async ({ actor, params }) => results.table(actor, params.examId),
    ),
    route(
      resultsApi.csv,
      {
        summary:
          'The results table as CSV (cells a spreadsheet would run as formulas are escaped); the export is audited',
        tags,
        access,
        responses: { 200: { description: 'text/csv' }, 404: notYours },
      },
      async ({ caller, params, res }) => {
        const csv = await results.exportCsv(caller, params.examId);
        res.type('text/csv; charset=utf-8');
        res.attachment(`results-${params.examId}.csv`);
        res.send(csv);
      },
    ),
    route(
      resultsApi.release,
      {
        summary:
          'Release results to students (exams whose results policy is "on release"), and tell open student pages. Idempotent: a second call answers 200 with alreadyReleased true and the first release time',
        tags,
        access,
        responses: { 200: { description: 'Released (now or before)' }, 404: notYours },
      },
      async ({ caller, params }) => results.release(caller, params.examId),
    ),
    route(
      resultsApi.questionStats,
      {
        summary:
          'Per-question statistics over graded attempts: answered, facility (mean share of points, unanswered = 0), discrimination (upper minus lower 27% by total score; null below 10 graded attempts, with the reason), and option counts for choice questions',
        tags,
        access,
        responses: { 200: { description: 'Statistics' }, 404: notYours },
      },
      async ({ actor, params }) => results.questionStats(actor, params.examId),
    ),
    route(
      resultsApi.overrideScore,
      {
        summary:
          'Set a graded attempt’s score by hand (0..its maximum) with a reason; percentage and pass are recomputed, automatic regrading keeps it, the certificate is re-evaluated. Audited',
        tags,
        access,
        responses: {
          200: { description: 'The attempt’s updated results row' },
          400: { description: 'Score out of range, or reason missing, shorter than 3 or longer than 500 characters' },
          404: { description: 'No such attempt in an exam of yours' },
          409: { description: 'The attempt is not graded (yet), or was abandoned or terminated' },
        },
      },
      async ({ caller, params, body }) => results.overrideScore(caller, params.id, body),
    ),
  ];
}
