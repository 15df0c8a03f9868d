// Proctors for the benchmark: each signs in over HTTP once, opens a socket with the
// session cookies, watches the exam's hall, and timestamps every hall:alert it gets.
// Runs in the main process, which is otherwise idle while the load runs.
import { io, type Socket } from 'socket.io-client';
import { latency, sleep, wallNow } from './stats.ts';

async function signIn(url: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in as ${email}: HTTP ${res.status} ${await res.text()}`);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .join('; ');
}

type Reply<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };

export function call<T>(socket: Socket, event: string, payload?: unknown, ms = 60_000): Promise<T> {
  const args = payload === undefined ? [] : [payload];
  return (socket.timeout(ms).emitWithAck(event, ...args) as Promise<Reply<T>>).then((r) => {
    if (!r.ok) throw new Error(`${event}: ${r.error.code}: ${r.error.message}`);
    return r.data;
  });
}

export function openSocket(url: string, cookie: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      extraHeaders: { cookie },
    });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (e) => reject(new Error(`proctor socket: ${e.message}`)));
  });
}

export interface Proctor {
  socket: Socket;
  watchMs: number;
  rosterRows: number;
  rows: number;
  /** `${attemptId}:${signal number}` -> wall-clock arrival. */
  alerts: Map<string, number>;
}

export async function startProctors(url: string, examId: string, accounts: { email: string; password: string }[]) {
  const proctors: Proctor[] = [];
  for (const a of accounts) {
    const socket = await openSocket(url, await signIn(url, a.email, a.password));
    const p: Proctor = { socket, watchMs: 0, rosterRows: 0, rows: 0, alerts: new Map() };
    socket.on('hall:alert', (payload: { event: { attemptId: string; details: { durationMs?: number } } }) => {
      p.alerts.set(`${payload.event.attemptId}:${payload.event.details.durationMs}`, wallNow());
    });
    socket.on('hall:row', () => void p.rows++);
    socket.on('hall:rows', (rows: unknown[]) => void (p.rows += rows.length));
    const t0 = performance.now();
    const snapshot = await call<{ rows: unknown[] }>(socket, 'hall:watch', { examId });
    p.watchMs = performance.now() - t0;
    p.rosterRows = snapshot.rows.length;
    proctors.push(p);
  }
  return proctors;
}

/** Alert delivery: for every signal sent, its arrival at every proctor (missing ones counted). */
export function alertDelivery(proctors: Proctor[], signals: [string, number, number][], storedSignals: number) {
  const lat: number[] = [];
  let missing = 0;
  for (const [attemptId, n, sentAt] of signals) {
    for (const p of proctors) {
      const at = p.alerts.get(`${attemptId}:${n}`);
      if (at === undefined) missing++;
      else lat.push(at - sentAt);
    }
  }
  return {
    signalsSent: signals.length,
    signalsStored: storedSignals,
    deliveries: lat.length,
    expectedDeliveries: signals.length * proctors.length,
    missing,
    latencyMs: latency(lat),
  };
}

/** A probe that asks the server the time (no database) every `everyMs`: the event loop's responsiveness. */
export function startProbe(socket: Socket, everyMs: number) {
  const lat: number[] = [];
  const series: [number, number][] = [];
  let stopped = false;
  let errors = 0;
  const loop = (async () => {
    while (!stopped) {
      const t0 = performance.now();
      try {
        await call(socket, 'time:sync', undefined, 30_000);
        lat.push(performance.now() - t0);
        series.push([wallNow(), performance.now() - t0]);
      } catch {
        errors++;
      }
      await sleep(everyMs);
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    return { ...latency(lat), errors, series };
  };
}
