// bench-hall.ts --processes / --compare-processes: parsing the counts, and the side-by-side
// table of the hall phases run once per process count (a fresh seed each, the same options).
// Pure: the unit test is scripts/test/process-compare.test.ts.
import type { Latency, MeterReading } from './stats.ts';

/** "1,2" -> [1, 2]; each a whole number from 1 to 16, at least one. */
export function parseProcessCounts(list: string): number[] {
  const counts = list
    .split(',')
    .filter((x) => x.trim() !== '')
    .map(Number);
  if (!counts.length || counts.some((c) => !Number.isInteger(c) || c < 1 || c > 16)) {
    throw new Error(`--processes / --compare-processes: whole numbers from 1 to 16, got '${list}'`);
  }
  return counts;
}

/** What one run of the hall phases gives the comparison (a subset of bench-hall's result). */
export interface ProcessRun {
  processes: number;
  connect: { connected: number; requested: number; perSecond: number; joinMs: Latency };
  steady: { perSecond: number; offeredPerSecond: number; latencyMs: Latency; cpu: MeterReading };
  saturate: { perSecond: number; latencyMs: Latency; cpu: MeterReading } | null;
  alerts: { latencyMs: Latency; deliveries: number; expectedDeliveries: number };
  verification: { lost: number; duplicated: number; mismatched: number };
  peakRssMiB: number;
}

/** The comparison as rows of cells: a label, then one column per run, then the last over the first. */
export function comparisonRows(runs: ProcessRun[]): string[][] {
  const ratio = (a: number | undefined, b: number | undefined) =>
    a != null && b ? `×${Math.round((a / b) * 100) / 100}` : '';
  const rows: [string, (r: ProcessRun) => number | undefined, (r: ProcessRun) => string][] = [
    [
      'connect + join /s',
      (r) => r.connect.perSecond,
      (r) => `${r.connect.perSecond} (${r.connect.connected}/${r.connect.requested})`,
    ],
    ['join p99 ms', (r) => r.connect.joinMs.p99, (r) => String(r.connect.joinMs.p99)],
    [
      'steady saves/s (offered)',
      (r) => r.steady.perSecond,
      (r) => `${r.steady.perSecond} (${r.steady.offeredPerSecond})`,
    ],
    [
      'save ack p50 / p99 ms',
      (r) => r.steady.latencyMs.p99,
      (r) => `${r.steady.latencyMs.p50} / ${r.steady.latencyMs.p99}`,
    ],
    [
      'alert delivery p99 ms',
      (r) => r.alerts.latencyMs.p99,
      (r) => `${r.alerts.latencyMs.p99} (${r.alerts.deliveries}/${r.alerts.expectedDeliveries})`,
    ],
    ['closed loop saves/s', (r) => r.saturate?.perSecond, (r) => (r.saturate ? String(r.saturate.perSecond) : '-')],
    [
      'closed loop p99 ms',
      (r) => r.saturate?.latencyMs.p99,
      (r) => (r.saturate ? String(r.saturate.latencyMs.p99) : '-'),
    ],
    [
      'server CPU steady (sum, % core)',
      (r) => r.steady.cpu.cpuPct.server,
      (r) => String(r.steady.cpu.cpuPct.server ?? 0),
    ],
    ['PostgreSQL CPU steady', (r) => r.steady.cpu.cpuPct.postgres, (r) => String(r.steady.cpu.cpuPct.postgres ?? 0)],
    [
      'server CPU closed loop',
      (r) => r.saturate?.cpu.cpuPct.server,
      (r) => String(r.saturate?.cpu.cpuPct.server ?? '-'),
    ],
    ['server RSS peak MiB (sum)', (r) => r.peakRssMiB, (r) => String(r.peakRssMiB)],
    ['not ours, steady (% core)', (r) => r.steady.cpu.notOursPct, (r) => String(r.steady.cpu.notOursPct)],
    [
      'lost / duplicated / mismatched',
      () => undefined,
      (r) => `${r.verification.lost} / ${r.verification.duplicated} / ${r.verification.mismatched}`,
    ],
  ];
  const first = runs[0]!;
  const last = runs.at(-1)!;
  return [
    [
      '',
      ...runs.map((r) => `${r.processes} process${r.processes === 1 ? '' : 'es'}`),
      runs.length > 1 ? 'last / first' : '',
    ],
    ...rows.map(([label, value, show]) => [label, ...runs.map(show), ratio(value(last), value(first))]),
  ];
}

export function formatComparison(runs: ProcessRun[]): string {
  const rows = comparisonRows(runs);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
