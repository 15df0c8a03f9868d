// Time as the server tells it, ticking (the math is in clock.ts, shared with the exam
// page's clock). The device clock may be wrong by minutes (or set on purpose); only the
// monotonic performance.now() is trusted to measure elapsed time.
import { anchorOf, serverNow, type ClockAnchor } from './clock.ts';

export class ServerClock {
  #anchor: ClockAnchor;
  /** Server time in ms, refreshed every second while something reads it. */
  now = $state(0);

  constructor(serverTimeIso: string, requestStartedPerf?: number) {
    const receivedAt = performance.now();
    this.#anchor = anchorOf({
      sentAt: requestStartedPerf ?? receivedAt,
      receivedAt,
      serverTime: Date.parse(serverTimeIso),
    });
    this.now = this.#read();
  }

  #read(): number {
    return serverNow(this.#anchor, performance.now());
  }

  /** Ticks `now` once a second; returns the stop function (for $effect). */
  start(): () => void {
    const id = setInterval(() => (this.now = this.#read()), 1000);
    return () => clearInterval(id);
  }
}

/** 1:05:09 or 4:07: what a countdown shows. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

/** "1 hour 5 minutes": the same remaining time, for screen readers. */
export function describeRemaining(ms: number): string {
  const minutes = Math.max(0, Math.ceil(ms / 60_000));
  if (minutes <= 1) return ms <= 0 ? 'no time' : 'less than a minute';
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const parts = [];
  if (h) parts.push(h === 1 ? '1 hour' : `${h} hours`);
  if (m) parts.push(m === 1 ? '1 minute' : `${m} minutes`);
  return parts.join(' ');
}
