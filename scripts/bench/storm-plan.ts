// Pure helpers of scripts/bench-start-storm.ts: when each simulated student arrives, from
// which loopback address, and how a list of outcomes becomes counts. No I/O, unit-tested
// in scripts/test/storm-plan.test.ts.

export type Arrival = 'spread' | 'burst';
export type Addresses = 'many' | 'one';

export interface Scenario {
  /** Printed name, e.g. 'spread', 'burst', 'nat-spread'. */
  name: string;
  arrival: Arrival;
  addresses: Addresses;
}

/** Parses "spread,burst,nat-spread,nat-burst" into scenarios; throws on an unknown name. */
export function parseScenarios(list: string): Scenario[] {
  const out: Scenario[] = [];
  for (const raw of list.split(',')) {
    const name = raw.trim();
    if (!name) continue;
    const m = /^(nat-)?(spread|burst)$/.exec(name);
    if (!m) throw new Error(`unknown scenario '${name}' (spread, burst, nat-spread or nat-burst)`);
    out.push({ name, arrival: m[2] as Arrival, addresses: m[1] ? 'one' : 'many' });
  }
  if (!out.length) throw new Error('no scenario given');
  return out;
}

/**
 * Milliseconds after the start at which student i of n arrives: evenly over `windowMs`
 * ('spread': the first at 0, the last one step before the window ends), or all at 0 ('burst').
 */
export function arrivalOffsets(n: number, arrival: Arrival, windowMs: number): number[] {
  if (arrival === 'burst' || n <= 0) return Array.from({ length: Math.max(0, n) }, () => 0);
  const step = windowMs / n;
  return Array.from({ length: n }, (_, i) => i * step);
}

/**
 * A distinct loopback address per student k (Linux routes all of 127/8 to lo), so the
 * server sees each as its own visitor: 127.<block>.<x>.<y>, y in 1..254. `block` keeps
 * runs apart (per-IP counters in Redis outlive a scenario): scenario s uses block 10 + s.
 */
export function loopbackAddress(block: number, k: number): string {
  if (block < 1 || block > 254) throw new Error('block must be 1..254');
  if (k < 0 || k >= 254 * 256) throw new Error('at most 65,024 addresses per block');
  return `127.${block}.${Math.floor(k / 254)}.${(k % 254) + 1}`;
}

/** Adds one outcome to a count map: 'ok', or '<stage>:<code>' for a failure. */
export function countOutcome(counts: Record<string, number>, key: string) {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** Sums several count maps (one per load process). */
export function mergeCounts(parts: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/** Students i with i % parts === part (round robin), keeping their arrival offsets. */
export function roundRobin<T>(items: T[], parts: number, part: number): T[] {
  return items.filter((_, i) => i % parts === part);
}
