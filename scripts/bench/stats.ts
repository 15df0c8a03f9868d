// Figures for the benchmarks: latency percentiles, and CPU and memory read from /proc
// (Linux only) so the server under test is measured from outside, not instrumented.
import { readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export interface Latency {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles of a list of milliseconds (rounded to 0.1 ms). */
export function latency(samples: ArrayLike<number>): Latency {
  const sorted = Float64Array.from(samples).sort();
  const n = sorted.length;
  const at = (p: number) => (n ? sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))]! : NaN);
  let sum = 0;
  for (const v of sorted) sum += v;
  const r = (v: number) => Math.round(v * 10) / 10;
  return {
    count: n,
    p50: r(at(50)),
    p95: r(at(95)),
    p99: r(at(99)),
    max: r(n ? sorted[n - 1]! : NaN),
    mean: r(sum / n),
  };
}

export const CLK_TCK = (() => {
  const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  return Number(out.stdout?.trim()) || 100;
})();

/** CPU seconds (user + system) a process has used so far; null once it has gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces: fields are counted after its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime, stime
  } catch {
    return null;
  }
}

/** Resident memory in MiB (VmRSS), or null once the process has gone. */
export function rssMiB(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export interface ProcInfo {
  pid: number;
  comm: string;
  cmd: string;
  cpu: number;
}

/** CPU seconds so far of every process on the machine, with its name and command line. */
export function allProcesses(): Map<number, ProcInfo> {
  const out = new Map<number, ProcInfo>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      const cpu = cpuSeconds(pid);
      if (cpu !== null) out.set(pid, { pid, comm, cmd: cmd || comm, cpu });
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/** Whole-machine CPU seconds: busy (all non-idle time) and iowait. */
export function machineCpu(): { busy: number; iowait: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return { busy: busy / CLK_TCK, iowait: iowait! / CLK_TCK, total: (busy + idle! + iowait!) / CLK_TCK };
}

/** Names the group a process belongs to ('server', 'postgres', ...); everything else is 'other'. */
export type Classify = (p: ProcInfo) => string;

/**
 * CPU use of every process on the machine between start() and stop(), summed per
 * group as a percentage of one core, so the server, the load generator, PostgreSQL,
 * Redis and whatever else runs on the machine (other people's builds and tests) are
 * told apart; plus peak and last resident memory of `rssPids`, sampled every `everyMs`.
 */
export class ProcessMeter {
  readonly classify: Classify;
  readonly rssPids: () => number[];
  private started = 0;
  private before = new Map<number, ProcInfo>();
  private startMachine = machineCpu();
  private timer: NodeJS.Timeout | undefined;
  peakRss = 0;
  lastRss = 0;

  constructor(classify: Classify, rssPids: () => number[]) {
    this.classify = classify;
    this.rssPids = rssPids;
  }

  start(everyMs = 1000) {
    this.started = performance.now();
    this.before = allProcesses();
    this.startMachine = machineCpu();
    this.peakRss = 0;
    this.sampleRss();
    this.timer = setInterval(() => this.sampleRss(), everyMs);
    this.timer.unref();
  }

  private sampleRss() {
    const rss = this.rssPids().reduce((s, p) => s + (rssMiB(p) ?? 0), 0);
    this.lastRss = rss;
    this.peakRss = Math.max(this.peakRss, rss);
  }

  stop() {
    clearInterval(this.timer);
    this.sampleRss();
    const seconds = (performance.now() - this.started) / 1000;
    const pct = (cpu: number) => Math.round((cpu / seconds) * 1000) / 10;
    const groups: Record<string, number> = {};
    const others: { cmd: string; cpu: number }[] = [];
    for (const p of allProcesses().values()) {
      // A process that started meanwhile counts from zero.
      const used = p.cpu - (this.before.get(p.pid)?.cpu ?? 0);
      if (used <= 0) continue;
      const group = this.classify(p);
      groups[group] = (groups[group] ?? 0) + used;
      if (group === 'other') others.push({ cmd: p.cmd.slice(0, 80), cpu: used });
    }
    const m = machineCpu();
    const total = m.total - this.startMachine.total;
    const cores = total / seconds;
    const busyCorePct = pct(m.busy - this.startMachine.busy);
    const ours = Object.entries(groups)
      .filter(([g]) => g !== 'other' && g !== 'postgres-other')
      .reduce((sum, [, v]) => sum + pct(v), 0);
    return {
      seconds: Math.round(seconds * 10) / 10,
      /** Percent of one core per group. */
      cpuPct: Object.fromEntries(Object.entries(groups).map(([k, v]) => [k, pct(v)])) as Record<string, number>,
      /** Busy share of the whole machine (all cores), and iowait. */
      machineBusyPct: Math.round(((m.busy - this.startMachine.busy) / total) * 1000) / 10,
      machineIowaitPct: Math.round(((m.iowait - this.startMachine.iowait) / total) * 1000) / 10,
      /** Busy CPU (% of one core) not used by the benchmark's processes: other people's work, processes
       * that ended meanwhile, the kernel. */
      notOursPct: Math.round((busyCorePct - ours) * 10) / 10,
      cores: Math.round(cores * 10) / 10,
      topOther: others
        .sort((a, b) => b.cpu - a.cpu)
        .slice(0, 3)
        .map((o) => ({ cmd: o.cmd, cpuPct: pct(o.cpu) })),
      peakRssMiB: Math.round(this.peakRss),
      rssMiB: Math.round(this.lastRss),
    };
  }
}
export type MeterReading = ReturnType<ProcessMeter['stop']>;

/** A wall-clock timestamp in ms with sub-ms precision that agrees across processes on one machine. */
export const wallNow = () => performance.timeOrigin + performance.now();

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
