import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { debounced, parseNumber } from '../../src/lib/questions/typing.ts';

describe('numeric answers as people type them', () => {
  it('reads a point or a comma as the decimal mark, signs, exponents and grouping spaces', () => {
    expect(parseNumber('0.25')).toBe(0.25);
    expect(parseNumber('0,25')).toBe(0.25);
    expect(parseNumber(' -3,5 ')).toBe(-3.5);
    expect(parseNumber('+.5')).toBe(0.5);
    expect(parseNumber('1e3')).toBe(1000);
    expect(parseNumber('1 000\u00a0000')).toBe(1_000_000);
    expect(parseNumber('7.')).toBe(7);
  });

  it('refuses what is not one number', () => {
    for (const raw of ['', ' ', 'a quarter', '1,000.5', '1.2.3', '--1', '0x10', 'Infinity', '1e999', '½']) {
      expect(parseNumber(raw), raw).toBeNull();
    }
  });
});

describe('typed answers are sent after a pause', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends only the last value of a burst, once', () => {
    const sent: string[] = [];
    const d = debounced<string>((v) => sent.push(v), 700);
    d.push('p');
    d.push('pa');
    vi.advanceTimersByTime(699);
    d.push('par');
    vi.advanceTimersByTime(699);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual(['par']);
    vi.advanceTimersByTime(5000);
    expect(sent).toEqual(['par']);
  });

  it('flushes at once (leaving the field) and drops what waits when the answer is replaced', () => {
    const sent: string[] = [];
    const d = debounced<string>((v) => sent.push(v), 700);
    d.push('paris');
    d.flush();
    d.flush();
    expect(sent).toEqual(['paris']);
    d.push('stale');
    d.cancel();
    vi.advanceTimersByTime(5000);
    expect(sent).toEqual(['paris']);
  });
});
