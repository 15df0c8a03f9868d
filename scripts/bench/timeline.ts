// Second by second through a phase: saves sent, their slowest acks, busy database
// connections and the event-loop probe, so a stall can be seen and placed in time.

export interface Second {
  second: number;
  saves: number;
  p99Ms: number;
  maxMs: number;
  poolBusyMax: number;
  probeMaxMs: number;
}

export function timeline(
  startAt: number,
  seconds: number,
  saves: { sentAt: ArrayLike<number>; latencies: ArrayLike<number> },
  pool: [number, number][] = [],
  probe: [number, number][] = [],
): Second[] {
  const n = Math.ceil(seconds);
  const lat: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < saves.sentAt.length; i++) {
    const s = Math.floor((saves.sentAt[i]! - startAt) / 1000);
    if (s >= 0 && s < n) lat[s]!.push(saves.latencies[i]!);
  }
  const maxIn = (series: [number, number][], s: number) =>
    series.reduce((m, [t, v]) => (Math.floor((t - startAt) / 1000) === s ? Math.max(m, v) : m), 0);
  return lat.map((l, second) => {
    const sorted = l.sort((a, b) => a - b);
    const r = (v: number | undefined) => Math.round((v ?? 0) * 10) / 10;
    return {
      second,
      saves: l.length,
      p99Ms: r(sorted[Math.max(0, Math.ceil(0.99 * sorted.length) - 1)]),
      maxMs: r(sorted[sorted.length - 1]),
      poolBusyMax: maxIn(pool, second),
      probeMaxMs: r(maxIn(probe, second)),
    };
  });
}

/** The k seconds with the slowest acks, slowest first. */
export const worstSeconds = (t: Second[], k = 5) => [...t].sort((a, b) => b.maxMs - a.maxMs).slice(0, k);
