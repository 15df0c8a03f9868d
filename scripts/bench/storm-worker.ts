// A load-generator child of scripts/bench-start-storm.ts: its share of the students, each
// at its own arrival time, does what the /start page does: claims the access code
// (POST /api/attempts/start, which sets the attempt cookie), begins the attempt
// (POST /api/attempts/:id/begin), then opens the websocket with that cookie and joins
// (attempt:join). Each student uses its own TCP connections from its own loopback address
// (or all from one, the school behind NAT): as a browser, one kept-alive connection for the
// claim and the begin (`keepAlive: false` in the message: a new connection for each), and
// one for the websocket. Reports per-stage latencies and outcomes over
// IPC, holds the sockets until told to close them, and exits when the parent goes away.
import http from 'node:http';
import { io, type Socket } from 'socket.io-client';
import { countOutcome } from './storm-plan.ts';
import { wallNow } from './stats.ts';

export interface StormArrival {
  email: string;
  code: string;
  /** ms after startAt. */
  offsetMs: number;
  /** Local address to send from (127.x.y.z). */
  address: string;
}

export type ToStorm =
  | {
      type: 'storm';
      url: string;
      arrivals: StormArrival[];
      startAt: number;
      timeoutMs: number;
      /** One kept-alive connection per student for its claim and begin, as a browser's. */
      keepAlive: boolean;
    }
  | { type: 'close' }
  | { type: 'exit' };

export type FromStorm =
  | {
      type: 'done';
      /** Per stage, ms of each that succeeded. */
      claimMs: Float64Array;
      beginMs: Float64Array;
      joinMs: Float64Array;
      /** Arrival to join ack, for students who got all the way. */
      totalMs: Float64Array;
      /** How late (ms) the worker sent each claim after its planned arrival: the generator's own lag. */
      sendLagMs: Float64Array;
      /** 'ok' or '<stage>:<status or code>'. */
      outcomes: Record<string, number>;
      /** Wall time of the last join ack. */
      lastAckAt: number;
    }
  | { type: 'closed' };

interface Reply {
  status: number;
  body: { error?: { code?: string }; attempt?: { id?: string } } | null;
  cookie: string | null;
}

function post(
  url: string,
  path: string,
  body: unknown,
  o: { address: string; cookie?: string; timeoutMs: number; agent: http.Agent | false },
) {
  return new Promise<Reply>((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request(
      `${url}${path}`,
      {
        method: 'POST',
        // A browser's own connection: no keep-alive pool shared between students.
        agent: o.agent,
        localAddress: o.address,
        timeout: o.timeoutMs,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(data),
          ...(o.cookie ? { cookie: o.cookie } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let parsed: Reply['body'] = null;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString()) as Reply['body'];
          } catch {
            /* not JSON: the status says enough */
          }
          const setCookie = res.headers['set-cookie']?.[0];
          resolve({ status: res.statusCode ?? 0, body: parsed, cookie: setCookie ? setCookie.split(';')[0]! : null });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(data);
  });
}

const sockets: Socket[] = [];

function join(url: string, attemptId: string, cookie: string, address: string, timeoutMs: number) {
  return new Promise<void>((resolve, reject) => {
    const socket = io(url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: timeoutMs,
      extraHeaders: { cookie },
      localAddress: address,
    } as Parameters<typeof io>[1]);
    sockets.push(socket);
    socket.once('connect_error', (e) => reject(new Error(`connect_error ${e.message}`)));
    socket.once('connect', () => {
      socket
        .timeout(timeoutMs)
        .emit(
          'attempt:join',
          { attemptId, deviceId: `dev-${attemptId}` },
          (err: Error | null, reply: { ok: boolean; error?: { code: string } }) => {
            if (err) reject(new Error('ack_timeout'));
            else if (!reply.ok) reject(new Error(reply.error?.code ?? 'refused'));
            else resolve();
          },
        );
    });
  });
}

async function storm(m: Extract<ToStorm, { type: 'storm' }>) {
  const claimMs: number[] = [];
  const beginMs: number[] = [];
  const joinMs: number[] = [];
  const totalMs: number[] = [];
  const sendLagMs: number[] = [];
  const outcomes: Record<string, number> = {};
  let lastAckAt = 0;
  const fail = (stage: string, what: string) => countOutcome(outcomes, `${stage}:${what}`);
  const one = async (a: StormArrival) => {
    const planned = m.startAt + a.offsetMs;
    sendLagMs.push(Math.max(0, wallNow() - planned));
    const t0 = performance.now();
    const agent: http.Agent | false = m.keepAlive ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : false;
    const o = { address: a.address, timeoutMs: m.timeoutMs, agent };
    try {
      await claimAndJoin(a, o, t0);
    } finally {
      if (agent) agent.destroy();
    }
  };
  const claimAndJoin = async (a: StormArrival, o: Parameters<typeof post>[3], t0: number) => {
    let claim: Reply;
    try {
      claim = await post(m.url, '/api/attempts/start', { email: a.email, code: a.code }, o);
    } catch (e) {
      return fail('claim', (e as Error).message.slice(0, 60));
    }
    const t1 = performance.now();
    const attemptId = claim.body?.attempt?.id;
    if (claim.status !== 201 || !attemptId || !claim.cookie) {
      return fail('claim', `${claim.status} ${claim.body?.error?.code ?? ''}`.trim());
    }
    claimMs.push(t1 - t0);
    let begun: Reply;
    try {
      begun = await post(m.url, `/api/attempts/${attemptId}/begin`, {}, { ...o, cookie: claim.cookie });
    } catch (e) {
      return fail('begin', (e as Error).message.slice(0, 60));
    }
    const t2 = performance.now();
    if (begun.status !== 200) return fail('begin', `${begun.status} ${begun.body?.error?.code ?? ''}`.trim());
    beginMs.push(t2 - t1);
    try {
      await join(m.url, attemptId, claim.cookie, a.address, m.timeoutMs);
    } catch (e) {
      return fail('join', (e as Error).message.slice(0, 60));
    }
    const t3 = performance.now();
    joinMs.push(t3 - t2);
    totalMs.push(t3 - t0);
    lastAckAt = Math.max(lastAckAt, wallNow());
    countOutcome(outcomes, 'ok');
  };
  const running: Promise<void>[] = [];
  // Timers per arrival: a burst fires all of them in the same tick, a spread one by one.
  await new Promise<void>((resolve) => {
    let left = m.arrivals.length;
    if (!left) resolve();
    for (const a of m.arrivals) {
      setTimeout(
        () => {
          running.push(one(a));
          if (--left === 0) resolve();
        },
        Math.max(0, m.startAt + a.offsetMs - wallNow()),
      );
    }
  });
  await Promise.all(running);
  const f64 = (xs: number[]) => Float64Array.from(xs);
  process.send!({
    type: 'done',
    ...{ claimMs: f64(claimMs), beginMs: f64(beginMs), joinMs: f64(joinMs), totalMs: f64(totalMs) },
    ...{ sendLagMs: f64(sendLagMs), outcomes, lastAckAt },
  } satisfies FromStorm);
}

process.on('message', (m: ToStorm) => {
  if (m.type === 'storm') void storm(m);
  else if (m.type === 'close') {
    for (const s of sockets.splice(0)) s.close();
    process.send!({ type: 'closed' } satisfies FromStorm);
  } else if (m.type === 'exit') {
    for (const s of sockets.splice(0)) s.close();
    setTimeout(() => process.exit(0), 200);
  }
});
process.on('disconnect', () => process.exit(0));
