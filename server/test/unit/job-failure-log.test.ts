// A failed job's log line: an outage is a warning naming its cause (the sweep fails every few
// seconds while PostgreSQL is down), anything else an error with its stack.
import { describe, expect, it } from 'vitest';
import { DrizzleQueryError } from 'drizzle-orm';
import { logJobFailure } from '../../src/jobs/runtime.ts';

function capture() {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const at = (level: string) => (obj: Record<string, unknown>, msg: string) => void lines.push({ level, obj, msg });
  return { lines, log: { warn: at('warn'), error: at('error') } as never };
}

describe('a failed job in the log', () => {
  it('is a warning naming the cause when PostgreSQL is away, without the statement or a stack', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:15432'), { code: 'ECONNREFUSED' });
    const err = new DrizzleQueryError('select "id" from "attempts" where "status" = $1', ['in_progress'], refused);
    const { lines, log } = capture();
    logJobFailure(log, 'attempts', { name: 'attempts.sweep', id: 'repeat:1', attemptsMade: 1 }, err);
    expect(lines).toEqual([
      {
        level: 'warn',
        obj: {
          queue: 'attempts',
          job: 'attempts.sweep',
          jobId: 'repeat:1',
          attemptsMade: 1,
          cause: 'connect ECONNREFUSED 127.0.0.1:15432',
        },
        msg: 'job failed: the database or Redis is unavailable',
      },
    ]);
    expect(JSON.stringify(lines)).not.toContain('select');
  });

  it('is an error with the error itself for anything else', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'id')");
    const { lines, log } = capture();
    logJobFailure(log, 'grading', { name: 'grading.grade', id: '7' }, bug);
    expect(lines).toEqual([
      { level: 'error', obj: { queue: 'grading', job: 'grading.grade', jobId: '7', err: bug }, msg: 'job failed' },
    ]);
  });
});
