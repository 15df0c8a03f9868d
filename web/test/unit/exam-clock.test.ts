import { describe, expect, it } from 'vitest';
import { addedSeconds, bestAnchor, dueWarning, remainingMs, serverNow, type Warning } from '../../src/lib/clock.ts';

describe('the fair clock', () => {
  it('takes the sample with the shortest round trip and places the server time in its middle', () => {
    // The device clock is irrelevant: only performance.now() readings and the server's time are used.
    const anchor = bestAnchor([
      { sentAt: 1000, receivedAt: 1400, serverTime: 50_000 },
      { sentAt: 2000, receivedAt: 2040, serverTime: 51_000 },
      { sentAt: 3000, receivedAt: 3300, serverTime: 52_300 },
    ])!;
    expect(anchor).toEqual({ server: 51_000, local: 2020, rtt: 40 });
    expect(serverNow(anchor, 5020)).toBe(54_000);
  });

  it('counts down to the deadline, freezes while paused and never goes below zero', () => {
    const deadlineAt = '2030-01-01T10:30:00.000Z';
    const at = (iso: string) => Date.parse(iso);
    expect(remainingMs({ status: 'in_progress', deadlineAt, pausedAt: null }, at('2030-01-01T10:00:00Z'))).toBe(
      30 * 60_000,
    );
    const paused = { status: 'paused' as const, deadlineAt, pausedAt: '2030-01-01T10:20:00.000Z' };
    expect(remainingMs(paused, at('2030-01-01T10:45:00Z'))).toBe(10 * 60_000);
    expect(remainingMs({ status: 'in_progress', deadlineAt, pausedAt: null }, at('2030-01-01T11:00:00Z'))).toBe(0);
    expect(remainingMs({ status: 'in_progress', deadlineAt: null, pausedAt: null }, 0)).toBeNull();
  });

  it('warns once at 5 and at 1 minute, and again after an extension moved the clock back', () => {
    const given = new Set<Warning>();
    const min = 60_000;
    expect(dueWarning(6 * min, given)).toBeNull();
    expect(dueWarning(5 * min, given)).toBe(5);
    expect(dueWarning(4 * min, given)).toBeNull();
    expect(dueWarning(59_000, given)).toBe(1);
    expect(dueWarning(30_000, given)).toBeNull();
    expect(dueWarning(11 * min, given)).toBeNull(); // extended by 10 minutes
    expect(dueWarning(4.5 * min, given)).toBe(5);
    // Opening the page with 30 seconds left gives the 1-minute warning only.
    expect(dueWarning(30_000, new Set())).toBe(1);
  });

  it('tells how far an extension moved the deadline', () => {
    expect(addedSeconds({ deadlineAt: '2030-01-01T10:30:00Z' }, { deadlineAt: '2030-01-01T10:40:00Z' })).toBe(600);
    expect(addedSeconds(null, { deadlineAt: '2030-01-01T10:40:00Z' })).toBe(0);
  });
});
