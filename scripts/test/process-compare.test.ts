import { describe, expect, it } from 'vitest';
import { comparisonRows, formatComparison, parseProcessCounts, type ProcessRun } from '../bench/process-compare.ts';
import type { Latency, MeterReading } from '../bench/stats.ts';

const lat = (p50: number, p99: number): Latency => ({ count: 10, p50, p95: p99, p99, max: p99, mean: p50 });
const cpu = (server: number, notOurs = 3) =>
  ({ cpuPct: { server, postgres: 40 }, notOursPct: notOurs }) as unknown as MeterReading;
const run = (processes: number, savesPerSecond: number, p99: number): ProcessRun => ({
  processes,
  connect: { connected: 100, requested: 100, perSecond: 250 * processes, joinMs: lat(50, 400) },
  steady: { perSecond: 500, offeredPerSecond: 500, latencyMs: lat(2, p99), cpu: cpu(40 * processes) },
  saturate: { perSecond: savesPerSecond, latencyMs: lat(20, 80), cpu: cpu(90) },
  alerts: { latencyMs: lat(5, 30), deliveries: 50, expectedDeliveries: 50 },
  verification: { lost: 0, duplicated: 0, mismatched: 0 },
  peakRssMiB: 300 * processes,
});

describe('bench-hall process counts', () => {
  it('parses a list of counts and refuses nonsense', () => {
    expect(parseProcessCounts('1')).toEqual([1]);
    expect(parseProcessCounts('1,2')).toEqual([1, 2]);
    expect(parseProcessCounts('2, 1,')).toEqual([2, 1]);
    for (const bad of ['', '0', '1.5', 'two', '1,-2', '17']) expect(() => parseProcessCounts(bad)).toThrow();
  });

  it('puts the runs side by side with the last over the first', () => {
    const rows = comparisonRows([run(1, 2000, 40), run(2, 3000, 20)]);
    expect(rows[0]).toEqual(['', '1 process', '2 processes', 'last / first']);
    const byLabel = new Map(rows.map((r) => [r[0], r.slice(1)]));
    expect(byLabel.get('closed loop saves/s')).toEqual(['2000', '3000', '×1.5']);
    expect(byLabel.get('save ack p50 / p99 ms')).toEqual(['2 / 40', '2 / 20', '×0.5']);
    expect(byLabel.get('connect + join /s')).toEqual(['250 (100/100)', '500 (100/100)', '×2']);
    expect(byLabel.get('lost / duplicated / mismatched')).toEqual(['0 / 0 / 0', '0 / 0 / 0', '']);
    const text = formatComparison([run(1, 2000, 40), run(2, 3000, 20)]);
    expect(text.split('\n')).toHaveLength(rows.length);
    expect(text).toMatch(/closed loop saves\/s\s+2000\s+3000\s+×1\.5/);
  });

  it('shows a dash for a run without the closed loop', () => {
    const r = { ...run(1, 0, 40), saturate: null };
    const byLabel = new Map(comparisonRows([r]).map((row) => [row[0], row.slice(1)]));
    expect(byLabel.get('closed loop saves/s')).toEqual(['-', '']);
  });
});
