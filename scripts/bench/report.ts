// The benchmark's table: our figures, the bare baselines next to them, and ratios.
import type { BenchResult } from '../bench-hall.ts';
import type { Latency, MeterReading } from './stats.ts';

const lat = (l: Latency) => `${l.p50} / ${l.p95} / ${l.p99}`;
const n = (v: number | null | undefined) => (v == null || Number.isNaN(v) ? '-' : v.toLocaleString('en-US'));
const x = (v: number | null | undefined) => (v == null ? '' : `×${v}`);
const errs = (e: Record<string, number>) =>
  Object.keys(e).length
    ? Object.entries(e)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ')
    : 'none';

export function printReport(r: BenchResult) {
  const { hall, baselines: b, ratios, machine: m, options: o } = r;
  const echo = b.echo;
  const lines: string[] = [];
  const row = (label: string, ours: string, base = '', ratio = '') =>
    lines.push(`${label.padEnd(44)} ${ours.padEnd(30)} ${base.padEnd(30)} ${ratio}`);
  const steadyS = hall.steady.cpu;
  const satS = hall.saturate?.cpu;
  const cpu = (c: MeterReading | undefined, group: string) => (c ? String(c.cpuPct[group] ?? 0) : '-');
  const otherCpu = (c: MeterReading | undefined) => (c ? String(c.notOursPct) : '-');
  const echoSat = echo.saturate;
  lines.push('');
  const rev = r.revision.uncommitted?.length
    ? `${r.revision.commit} + ${r.revision.uncommitted.length} uncommitted files`
    : r.revision.commit;
  lines.push(
    `Exam Hall — live hall benchmark, server at ${rev}   (${m.cpus} × ${m.model}, ${m.memoryGiB} GiB, node ${m.node})`,
  );
  lines.push(
    `${n(o.students)} students, ${o.seconds} s steady window, a save per student every ${o.saveIntervalMs} ms, ` +
      `${o.proctors} proctors, pool ${o.poolMax}; closed loop ${o.saturateSeconds} s at ${o.saturateConcurrency} in flight`,
  );
  lines.push('');
  row('', 'hall server', 'bare baseline', 'ratio');
  row(
    'connections held',
    `${n(hall.connectionsHeld)} / ${n(hall.connect.requested)}`,
    `echo ${n(echo.connectionsHeld)}`,
  );
  row(
    'connect + join: per s, join p50/p99 ms',
    `${n(hall.connect.perSecond)}/s, ${hall.connect.joinMs.p50} / ${hall.connect.joinMs.p99}`,
    `echo ${n(echo.connect.perSecond)}/s, ${echo.connect.joinMs.p50} / ${echo.connect.joinMs.p99}`,
  );
  row(
    'during the ramp: server / postgres CPU %',
    `${cpu(hall.connect.cpu, 'server')} / ${cpu(hall.connect.cpu, 'postgres')}`,
    `echo ${cpu(echo.connect.cpu, 'server')}`,
  );
  row(
    `saves/s steady (target ${r.targets.savesPerSecond})`,
    `${n(hall.steady.perSecond)} (offered ${n(hall.steady.offeredPerSecond)})`,
    `echo ${n(echo.steady.perSecond)}`,
  );
  row(
    'save ack p50 / p95 / p99 ms (steady)',
    lat(hall.steady.latencyMs),
    `echo ${lat(echo.steady.latencyMs)}`,
    `p50 ${x(ratios.saveP50VsEchoP50)}, p99 ${x(ratios.saveP99VsEchoP99)}`,
  );
  row('save ack max ms (steady)', n(hall.steady.latencyMs.max), `echo ${n(echo.steady.latencyMs.max)}`);
  if (hall.saturate && echoSat) {
    row(
      `max saves/s (closed loop, ${o.saturateConcurrency} in flight)`,
      `${n(hall.saturate.perSecond)}, p99 ${hall.saturate.latencyMs.p99} ms`,
      `echo ${n(echoSat.perSecond)}, p99 ${echoSat.latencyMs.p99} ms`,
      x(ratios.maxSavesVsEchoMax),
    );
  }
  row(
    '',
    '',
    `PG upsert ${n(b.pgUpsert.opsPerSecond)}/s, p99 ${b.pgUpsert.latencyMs.p99}`,
    `steady ${x(ratios.steadySavesVsBareUpserts)}, max ${x(ratios.maxSavesVsBareUpserts)}`,
  );
  row(
    '',
    '',
    `save SQL alone ${n(b.saveSql.opsPerSecond)}/s, p99 ${b.saveSql.latencyMs.p99}`,
    `max ${x(ratios.maxSavesVsSaveSql)}`,
  );
  row(
    'alert delivery p50 / p95 / p99 ms',
    lat(hall.alerts.latencyMs),
    `${n(hall.alerts.deliveries)}/${n(hall.alerts.expectedDeliveries)} delivered`,
  );
  row(
    'server RSS idle / after ramp / peak MiB',
    `${hall.memory.rssIdleMiB} / ${hall.memory.rssAfterRampMiB} / ${hall.memory.rssPeakMiB}`,
    `echo ${echo.memory.rssIdleMiB} / ${echo.memory.rssAfterRampMiB}`,
  );
  row(
    'memory per connection KiB',
    n(hall.memory.perConnectionKiB),
    `echo ${n(echo.memory.perConnectionKiB)}`,
    x(ratios.memoryPerConnectionVsEcho),
  );
  row(
    'server CPU % of one core (steady / closed)',
    `${cpu(steadyS, 'server')} / ${cpu(satS, 'server')}`,
    `echo ${cpu(echo.steady.cpu, 'server')} / ${cpu(echoSat?.cpu, 'server')}`,
    x(ratios.serverCpuVsEchoCpu),
  );
  row(
    'load generator CPU % (steady / closed)',
    `${cpu(steadyS, 'generator')} / ${cpu(satS, 'generator')}`,
    `echo run ${cpu(echo.steady.cpu, 'generator')} / ${cpu(echoSat?.cpu, 'generator')}`,
  );
  row(
    'postgres CPU % (steady / closed)',
    `${cpu(steadyS, 'postgres')} / ${cpu(satS, 'postgres')}`,
    `upsert ${cpu(b.pgUpsert.cpu, 'postgres')}, save SQL ${cpu(b.saveSql.cpu, 'postgres')}`,
  );
  row('redis CPU % (steady / closed)', `${cpu(steadyS, 'redis')} / ${cpu(satS, 'redis')}`);
  row(
    'CPU % not ours (other work, kernel)',
    `${otherCpu(steadyS)} / ${otherCpu(satS)}`,
    `echo ${otherCpu(echo.steady.cpu)}, upsert ${otherCpu(b.pgUpsert.cpu)}`,
  );
  row(
    `machine busy % of ${m.cpus} cores (steady / closed)`,
    `${steadyS.machineBusyPct} / ${satS?.machineBusyPct ?? '-'}`,
    `iowait ${steadyS.machineIowaitPct} / ${satS?.machineIowaitPct ?? '-'}`,
  );
  const c = r.cpuMsPerOp;
  row(
    'CPU ms per save: server / postgres (steady | closed)',
    `${c.hallSteady.server} / ${c.hallSteady.postgres} | ${c.hallClosedLoop.server ?? '-'} / ${c.hallClosedLoop.postgres ?? '-'}`,
    `echo ${c.echoSteady.server} | ${c.echoClosedLoop.server ?? '-'}; PG upsert ${c.pgUpsert.postgres}, save SQL ${c.saveSql.postgres}`,
  );
  const probe = hall.eventLoopProbeMs;
  row(
    'time:sync probe p50 / p99 ms (steady / closed)',
    `${probe.steady?.p50} / ${probe.steady?.p99}  |  ${probe.saturate?.p50 ?? '-'} / ${probe.saturate?.p99 ?? '-'}`,
  );
  const act = hall.pgActivity;
  row(
    `busy pool connections mean / max (of ${o.poolMax})`,
    `${act.steady?.activeMean} / ${act.steady?.activeMax}  |  ${act.saturate?.activeMean ?? '-'} / ${act.saturate?.activeMax ?? '-'}`,
  );
  if (act.saturate) row('  busy backends wait on (closed loop)', JSON.stringify(act.saturate.activeWaits));
  const cost = (c: typeof hall.pgCost.steady) =>
    c ? `${n(c.walBytesPerOp)} B, ${c.fullPageImagesPerOp} FPI, ${c.walSyncsPerOp} syncs` : '-';
  row(
    'WAL per save: bytes, full pages, fsyncs',
    `${cost(hall.pgCost.steady)} | ${cost(hall.pgCost.saturate)}`,
    `upsert ${cost(b.pgUpsert.pgCost)}`,
  );
  row('', '', `save SQL ${cost(b.saveSql.pgCost)}`);
  row(
    'checkpoints during (steady / closed)',
    `${hall.pgCost.steady?.checkpoints ?? '-'} / ${hall.pgCost.saturate?.checkpoints ?? '-'}`,
  );
  const hot = (c: typeof hall.pgCost.steady) =>
    c ? `attempts ${c.attempts?.hotPct ?? '-'} %, answers ${c.answers?.hotPct ?? '-'} %` : '-';
  row('HOT updates (closed loop)', hot(hall.pgCost.saturate), `save SQL: ${hot(b.saveSql.pgCost)}`);
  const v = hall.verification;
  row(
    'lost / duplicated saves',
    `${v.lost} / ${v.duplicated}`,
    `${n(v.ackedSaves)} acked saves, ${n(v.pairsChecked)} pairs`,
  );
  row('stored without ack / phantom / mismatched', `${v.storedWithoutAck} / ${v.phantom} / ${v.mismatched}`);
  row('attempts.last_seq behind / ahead', `${v.lastSeqBehind} / ${v.lastSeqAhead}`);
  row('save errors, timeouts (steady)', `${errs(hall.steady.errors)}; ${hall.steady.timeouts} timeouts`);
  if (hall.saturate)
    row('save errors, timeouts (closed loop)', `${errs(hall.saturate.errors)}; ${hall.saturate.timeouts} timeouts`);
  row('connect failures', errs(hall.connect.errors));
  row('disconnects during the run', errs(hall.disconnects));
  row('server error log lines', n(hall.serverErrorLines));
  for (const e of v.examples) lines.push(`  ${e}`);
  if (hall.worstSeconds.length) {
    lines.push('');
    lines.push(
      'slowest seconds of the steady window (by send time): second, saves sent, ack p99/max ms, busy pool max, probe max ms',
    );
    for (const w of hall.worstSeconds) {
      lines.push(
        `  ${String(w.second).padStart(4)} s  ${String(w.saves).padStart(5)}  ${w.p99Ms} / ${w.maxMs}  ${w.poolBusyMax}  ${w.probeMaxMs}`,
      );
    }
  }
  lines.push('');
  const noisy = [
    ['ramp', hall.connect.cpu],
    ['steady', steadyS],
    ['closed loop', satS],
    ['echo steady', echo.steady.cpu],
  ].filter(([, c]) => c && (c as MeterReading).notOursPct > 20);
  if (noisy.length) {
    lines.push(
      `WARNING: other work on the machine used ${noisy.map(([k, c]) => `${(c as MeterReading).notOursPct} % of a core during ${k}`).join(', ')};` +
        ' these figures are pessimistic. Rerun when the machine is quiet.',
    );
  }
  const mark = (ok: boolean | null) => (ok === null ? 'not tested' : ok ? 'PASS' : 'FAIL');
  lines.push(
    `targets: ${n(r.targets.students)} connected ${mark(r.pass.connections)}, ` +
      `${r.targets.savesPerSecond} saves/s ${mark(r.pass.savesPerSecond)}, ` +
      `p99 save ack < ${r.targets.p99Ms} ms ${mark(r.pass.p99)}, zero lost saves ${mark(r.pass.zeroLost)}`,
  );
  lines.push('');
  console.log(lines.join('\n'));
}
