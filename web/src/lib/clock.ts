// The fair clock, for every page that counts server time (the exam page's clock,
// ServerClock in clock.svelte.ts). The deadline is the server's; the device clock may be off by minutes
// (or set on purpose), so the page measures its offset to the server and counts down
// against server time. Elapsed time is measured with the monotonic performance.now(),
// so changing the device clock during the exam changes nothing either.
import type { Clock } from '@exam-hall/protocol';

export interface SyncSample {
  /** performance.now() when the request left and when the answer arrived. */
  sentAt: number;
  receivedAt: number;
  /** The server's time in the answer, ms since the epoch. */
  serverTime: number;
}

/** Server time = anchor.server + (performance.now() - anchor.local). */
export interface ClockAnchor {
  server: number;
  local: number;
  /** Round trip of the sample it came from: the uncertainty is at most half of it. */
  rtt: number;
}

/** The server stamped its answer somewhere inside the round trip: assume the middle. */
export function anchorOf(sample: SyncSample): ClockAnchor {
  const rtt = Math.max(0, sample.receivedAt - sample.sentAt);
  return { server: sample.serverTime, local: sample.sentAt + rtt / 2, rtt };
}

/** The sample with the shortest round trip is the most precise; a newer one wins a tie. */
export function bestAnchor(samples: readonly SyncSample[], current?: ClockAnchor | null): ClockAnchor | null {
  let best: ClockAnchor | null = current ?? null;
  for (const s of samples) {
    const a = anchorOf(s);
    if (!best || a.rtt <= best.rtt) best = a;
  }
  return best;
}

export function serverNow(anchor: ClockAnchor, localNow: number): number {
  return anchor.server + (localNow - anchor.local);
}

/**
 * What is left of the attempt at `now` (server time): frozen while paused, never
 * negative, null when there is no deadline.
 */
export function remainingMs(clock: Pick<Clock, 'status' | 'deadlineAt' | 'pausedAt'>, now: number): number | null {
  if (!clock.deadlineAt) return null;
  const deadline = Date.parse(clock.deadlineAt);
  const at = clock.status === 'paused' && clock.pausedAt ? Date.parse(clock.pausedAt) : now;
  return Math.max(0, deadline - at);
}

/** The warnings a student gets, in minutes before the end. */
export const WARNINGS = [5, 1] as const;
export type Warning = (typeof WARNINGS)[number];

/**
 * The warning due now, if any: the smallest threshold reached and not yet given.
 * `given` is updated: thresholds reached are marked, and ones the clock moved back
 * above (an extension) are forgotten, so they can come again.
 */
export function dueWarning(remaining: number, given: Set<Warning>): Warning | null {
  let due: Warning | null = null;
  for (const w of WARNINGS) {
    if (remaining > w * 60_000) {
      given.delete(w);
    } else if (!given.has(w)) {
      given.add(w);
      if (due === null || w < due) due = w;
    }
  }
  return due;
}

/** How far a clock change moved the deadline, in whole seconds (extensions and downtime credit). */
export function addedSeconds(before: Pick<Clock, 'deadlineAt'> | null, after: Pick<Clock, 'deadlineAt'>): number {
  if (!before?.deadlineAt || !after.deadlineAt) return 0;
  return Math.round((Date.parse(after.deadlineAt) - Date.parse(before.deadlineAt)) / 1000);
}

/** "10 minutes", "1 minute 30 seconds", "45 seconds". */
export function describeSeconds(total: number): string {
  const m = Math.floor(total / 60);
  const s = total % 60;
  const parts: string[] = [];
  if (m) parts.push(m === 1 ? '1 minute' : `${m} minutes`);
  if (s || !m) parts.push(s === 1 ? '1 second' : `${s} seconds`);
  return parts.join(' ');
}
