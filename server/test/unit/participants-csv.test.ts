import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/http/errors.ts';
import { accountProblem, checkLines, readImportCsv } from '../../src/modules/participants/participants.import.ts';

function status(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof AppError ? e.status : -1;
  }
  return undefined;
}

describe('readImportCsv', () => {
  it('finds the email and name columns by header, in any order and case', () => {
    expect(readImportCsv('Name,E-mail\nJane Doe,Jane@X.io\n')).toEqual([
      { row: 2, email: 'Jane@X.io', name: 'Jane Doe' },
    ]);
    expect(readImportCsv('email\na@x.io\n')).toEqual([{ row: 2, email: 'a@x.io', name: undefined }]);
  });

  it('skips blank rows and rows of bare commas but keeps spreadsheet row numbers', () => {
    const lines = readImportCsv('email,name\n\na@x.io,A\n,\nb@x.io,B\n,,\n');
    expect(lines.map((l) => l.row)).toEqual([3, 5]);
  });

  it('answers 400 for a file without email header, without rows, or unreadable', () => {
    expect(status(() => readImportCsv(''))).toBe(400);
    expect(status(() => readImportCsv('name\nJane\n'))).toBe(400);
    expect(status(() => readImportCsv('email\n'))).toBe(400);
    expect(status(() => readImportCsv('email\n"a@x.io\n'))).toBe(400);
  });

  it('answers 400 above 5,000 data rows and accepts exactly 5,000', () => {
    const rows = (n: number) => ['email', ...Array.from({ length: n }, (_, i) => `s${i}@x.io`)].join('\n');
    expect(readImportCsv(rows(5000))).toHaveLength(5000);
    expect(status(() => readImportCsv(rows(5001)))).toBe(400);
  });
});

describe('checkLines', () => {
  const line = (row: number, email: string, name?: string) => ({ row, email, name });

  it('accepts valid rows, lower-cases emails and defaults the name to the local part', () => {
    expect(checkLines([line(2, ' Jane.Doe@X.io ', '  Jane  '), line(3, 'bob@x.io')], [])).toEqual([
      { ok: true, row: 2, email: 'jane.doe@x.io', name: 'Jane' },
      { ok: true, row: 3, email: 'bob@x.io', name: 'bob' },
    ]);
  });

  it('gives each rejected row a sentence', () => {
    const out = checkLines(
      [
        line(2, 'a@school.edu'),
        line(3, 'not-an-email'),
        line(4, 'A@school.edu'),
        line(5, 'c@gmail.com'),
        line(6, ''),
        line(7, 'd@school.edu', 'x'.repeat(101)),
      ],
      ['school.edu'],
    );
    expect(out[0]).toMatchObject({ ok: true });
    expect(out[1]).toMatchObject({ ok: false, reason: '"not-an-email" is not a valid email address.' });
    expect(out[2]).toMatchObject({ ok: false, email: 'a@school.edu', reason: 'Duplicate of row 2 in this file.' });
    expect(out[3]).toMatchObject({
      ok: false,
      reason: 'The domain gmail.com is not allowed for this course; allowed: school.edu.',
    });
    expect(out[4]).toMatchObject({ ok: false, reason: 'The email is missing.' });
    expect(out[5]).toMatchObject({ ok: false, reason: 'Name must be at most 100 characters.' });
  });

  it('refuses staff and suspended accounts as participants', () => {
    expect(accountProblem({ role: 'student', status: 'invited' })).toBeNull();
    expect(accountProblem({ role: 'student', status: 'active' })).toBeNull();
    expect(accountProblem({ role: 'teacher', status: 'active' })).toMatch(/teacher account/);
    expect(accountProblem({ role: 'student', status: 'suspended' })).toMatch(/suspended/);
  });
});
