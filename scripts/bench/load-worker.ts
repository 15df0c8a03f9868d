// A load-generator child of scripts/bench-hall.ts: holds its share of the simulated
// students' sockets, saves on a schedule (open loop) or as fast as acks come back
// (closed loop), and reports latencies and the last acknowledged seq per question.
// Run in its own process so its CPU is measured apart from the server's. Talks only
// over IPC (messages.ts) and exits when the parent goes away.
import { io, type Socket } from 'socket.io-client';
import { saveContent, type FinalReport, type FromWorker, type SimStudent, type ToWorker } from './messages.ts';
import { sleep, wallNow } from './stats.ts';

interface Sim {
  student: SimStudent;
  socket: Socket | null;
  seq: number;
  signals: number;
  acked: number[];
  sent: number[];
  timers: NodeJS.Timeout[];
}

interface Phase {
  name: 'steady' | 'saturate';
  endAt: number;
  inFlight: number;
  sent: number;
  ok: number;
  okInWindow: number;
  applied: number;
  notApplied: number;
  timeouts: number;
  errors: Record<string, number>;
  latencies: number[];
  /** Wall-clock send time of each entry in latencies. */
  sentAt: number[];
  signalsSent: number;
  signalsOk: number;
  signalLatencies: number[];
}

type Reply =
  { ok: true; data: { applied?: boolean; lastSeq?: number } } | { ok: false; error: { code: string; message: string } };

let sims: Sim[] = [];
let questionIds: string[] = [];
let ackTimeoutMs = 30_000;
let inFlight = 0;
const disconnects: Record<string, number> = {};
const signalLog: [string, number, number][] = [];
const bump = (m: Record<string, number>, k: string) => void (m[k] = (m[k] ?? 0) + 1);
const send = (m: FromWorker) => process.send!(m);

function newPhase(name: Phase['name'], endAt: number): Phase {
  return {
    ...{ name, endAt, inFlight: 0, sent: 0, ok: 0, okInWindow: 0, applied: 0, notApplied: 0, timeouts: 0 },
    ...{ errors: {}, latencies: [], sentAt: [], signalsSent: 0, signalsOk: 0, signalLatencies: [] },
  };
}

function emit(
  sim: Sim,
  ph: Phase,
  event: string,
  payload: unknown,
  done: (reply: Reply | null, ms: number, sentAt: number) => void,
) {
  const sentAt = wallNow();
  const t0 = performance.now();
  inFlight++;
  ph.inFlight++;
  sim.socket!.timeout(ackTimeoutMs).emit(event, payload, (err: Error | null, reply: Reply) => {
    inFlight--;
    ph.inFlight--;
    done(err ? null : reply, performance.now() - t0, sentAt);
  });
}

/** One autosave; resolves when its ack (or timeout) is in. */
function save(sim: Sim, ph: Phase): Promise<void> {
  if (!sim.socket?.connected) {
    bump(ph.errors, 'not_connected');
    return Promise.resolve();
  }
  const seq = ++sim.seq;
  const { q, option, flagged } = saveContent(seq, questionIds.length);
  sim.sent[q] = seq;
  ph.sent++;
  const payload = {
    attemptId: sim.student.attemptId,
    seq,
    questionId: questionIds[q],
    response: { optionId: option },
    flagged,
  };
  return new Promise((resolve) =>
    emit(sim, ph, 'answer:save', payload, (reply, ms, sentAt) => {
      if (!reply) ph.timeouts++;
      else if (!reply.ok) bump(ph.errors, reply.error.code);
      else {
        ph.ok++;
        if (wallNow() <= ph.endAt) ph.okInWindow++;
        ph.latencies.push(ms);
        ph.sentAt.push(sentAt);
        if (reply.data.applied === false) ph.notApplied++;
        else ph.applied++;
        if (seq > sim.acked[q]!) sim.acked[q] = seq;
      }
      resolve();
    }),
  );
}

function signal(sim: Sim, ph: Phase) {
  if (!sim.socket?.connected) return;
  const n = ++sim.signals;
  // durationMs carries the signal's number: the proctor's hall:alert shows it in details,
  // which is how the main process matches each alert to its send time.
  const payload = {
    attemptId: sim.student.attemptId,
    type: 'tab_hidden',
    clientEventId: `sig-${n}-${sim.student.attemptId}`,
    durationMs: n,
  };
  signalLog.push([sim.student.attemptId, n, wallNow()]);
  ph.signalsSent++;
  emit(sim, ph, 'proctor:signal', payload, (reply, ms) => {
    if (reply?.ok) {
      ph.signalsOk++;
      ph.signalLatencies.push(ms);
    } else bump(ph.errors, reply ? `signal_${reply.error.code}` : 'signal_timeout');
  });
}

function connectOne(url: string, sim: Sim): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const { attemptId, cookie } = sim.student;
    // With several server processes each student has its own (round robin); else the connect URL.
    const socket = io(sim.student.url ?? url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: 30_000,
      extraHeaders: cookie ? { cookie } : {},
    });
    socket.once('connect_error', (e) => {
      socket.close();
      reject(new Error(`connect_error: ${e.message}`));
    });
    socket.once('connect', () => {
      socket
        .timeout(ackTimeoutMs)
        .emit('attempt:join', { attemptId, deviceId: `dev-${attemptId}` }, (err: Error | null, reply: Reply) => {
          if (err) {
            socket.close();
            return reject(new Error('join: ack timeout'));
          }
          if (!reply.ok) {
            socket.close();
            return reject(new Error(`join: ${reply.error.code}: ${reply.error.message}`));
          }
          sim.seq = reply.data.lastSeq ?? 0;
          sim.socket = socket;
          socket.on('disconnect', (reason) => bump(disconnects, reason));
          resolve(performance.now() - t0);
        });
    });
  });
}

async function connectAll(m: Extract<ToWorker, { type: 'connect' }>) {
  questionIds = m.questionIds;
  ackTimeoutMs = m.ackTimeoutMs;
  sims = m.students.map((student) => ({
    student,
    socket: null,
    seq: 0,
    signals: 0,
    acked: questionIds.map(() => 0),
    sent: questionIds.map(() => 0),
    timers: [],
  }));
  const started = performance.now();
  const errors: Record<string, number> = {};
  const joinMs: number[] = [];
  for (let i = 0; i < sims.length; i += m.rampBatch) {
    const batch = await Promise.allSettled(sims.slice(i, i + m.rampBatch).map((s) => connectOne(m.url, s)));
    for (const r of batch) {
      if (r.status === 'fulfilled') joinMs.push(r.value);
      else bump(errors, String((r.reason as Error).message).slice(0, 200));
    }
  }
  send({
    type: 'connected',
    connected: joinMs.length,
    failed: sims.length - joinMs.length,
    errors,
    joinMs,
    seconds: (performance.now() - started) / 1000,
  });
}

/** Waits (bounded) until every request of the phase has its ack or timeout, then reports it. */
async function finish(ph: Phase) {
  const until = Date.now() + ackTimeoutMs + 2000;
  while (ph.inFlight > 0 && Date.now() < until) await sleep(20);
  send({
    type: 'phase-done',
    phase: ph.name,
    ...{ sent: ph.sent, ok: ph.ok, okInWindow: ph.okInWindow, applied: ph.applied, notApplied: ph.notApplied },
    ...{ timeouts: ph.timeouts, errors: ph.errors, signalsSent: ph.signalsSent, signalsOk: ph.signalsOk },
    latencies: Float64Array.from(ph.latencies),
    sentAt: Float64Array.from(ph.sentAt),
    signalLatencies: Float64Array.from(ph.signalLatencies),
  });
}

/** Open loop: every student saves every interval (±10 %), starting at a random offset. */
function steady(m: Extract<ToWorker, { type: 'steady' }>) {
  const ph = newPhase('steady', m.endAt);
  const every = (sim: Sim, intervalMs: number, act: () => void) => {
    const tick = () => {
      if (wallNow() >= m.endAt) return;
      act();
      sim.timers.push(setTimeout(tick, intervalMs * (0.9 + Math.random() * 0.2)));
    };
    sim.timers.push(setTimeout(tick, Math.random() * intervalMs));
  };
  for (const sim of sims) {
    if (!sim.socket) continue;
    every(sim, m.saveIntervalMs, () => void save(sim, ph));
    if (sim.student.signaler) every(sim, m.signalIntervalMs, () => signal(sim, ph));
  }
  setTimeout(
    () => {
      for (const sim of sims) sim.timers.splice(0).forEach(clearTimeout);
      void finish(ph);
    },
    Math.max(0, m.endAt - wallNow()),
  );
}

/** Closed loop: `concurrency` saves always in flight, spread round-robin over the students. */
async function saturate(m: Extract<ToWorker, { type: 'saturate' }>) {
  const ph = newPhase('saturate', m.endAt);
  const live = sims.filter((s) => s.socket?.connected);
  let next = 0;
  const lane = async () => {
    while (live.length && wallNow() < m.endAt) await save(live[next++ % live.length]!, ph);
  };
  await Promise.all(Array.from({ length: m.concurrency }, lane));
  await finish(ph);
}

function finalReport(): FinalReport {
  return {
    type: 'final',
    connectedNow: sims.filter((s) => s.socket?.connected).length,
    disconnects,
    inFlight,
    students: sims.map((s) => ({ attemptId: s.student.attemptId, acked: s.acked, sent: s.sent })),
    signals: signalLog,
  };
}

process.on('message', (m: ToWorker) => {
  if (m.type === 'connect') void connectAll(m);
  else if (m.type === 'steady') steady(m);
  else if (m.type === 'saturate') void saturate(m);
  else if (m.type === 'drain') {
    const until = Date.now() + ackTimeoutMs + 2000;
    void (async () => {
      while (inFlight > 0 && Date.now() < until) await sleep(20);
      send({ type: 'drained', inFlight });
    })();
  } else if (m.type === 'report') send(finalReport());
  else if (m.type === 'exit') {
    for (const s of sims) s.socket?.close();
    setTimeout(() => process.exit(0), 200);
  }
});
// The parent went away (finished, crashed or Ctrl-C): never outlive it.
process.on('disconnect', () => process.exit(0));
