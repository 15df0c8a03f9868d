import { describe, expect, it } from 'vitest';
import { line, text, textProblem } from '@exam-hall/protocol';

describe('line() and text(): free text PostgreSQL can store', () => {
  it('refuses NUL, other control characters and lone surrogates, naming which', () => {
    expect(textProblem('a\u0000b', true)).toBe('must not contain NUL characters');
    expect(textProblem('bell\u0007', true)).toBe('must not contain control characters (tab and line breaks are fine)');
    expect(textProblem('del\u007f', false)).toBe('must not contain control characters or line breaks');
    expect(textProblem('x\ud800', false)).toBe('must be valid Unicode (it has a lone surrogate)');
    expect(textProblem('😀 é 中文', false)).toBeNull();
  });

  it('text() keeps tabs and line breaks; line() does not', () => {
    expect(text().safeParse('one\n\ttwo\r\n').success).toBe(true);
    expect(line().safeParse('one\ntwo').error?.issues[0]?.message).toBe(
      'must not contain control characters or line breaks',
    );
  });

  it('chains like z.string(): its own type message, trim, min and max still apply', () => {
    const title = line({ error: 'Title must be text' }).trim().min(3, 'too short').max(5, 'too long');
    expect(title.safeParse(7).error?.issues[0]?.message).toBe('Title must be text');
    expect(title.parse('  abc  ')).toBe('abc');
    expect(title.safeParse(' ab ').error?.issues[0]?.message).toBe('too short');
    expect(title.safeParse('abcdef').error?.issues[0]?.message).toBe('too long');
    expect(title.safeParse('ab\u0000cd').error?.issues.map((i) => i.message)).toEqual([
      'must not contain NUL characters',
    ]);
  });
});
