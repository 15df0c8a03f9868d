// Malformed Socket.IO traffic against a real server process: every client-to-server event
// with hostile payloads from student, candidate (attempt cookie), proctor and teacher
// connections; raw Engine.IO frames over a websocket; malformed long-polling requests.
// Nothing may end the process, answer an 'internal' error ack, or answer a 5xx.
// Seeded: the seed is printed; FUZZ_SEED=<n> replays the payloads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connectIo, type Socket } from 'socket.io-client';
import WebSocket from 'ws';
import { proctorSignalTypes } from '@exam-hall/protocol';
import { startFuzzWorld, type FuzzRole, type FuzzWorld } from '../support/fuzz-world.ts';
import { nastyString, nastyValue, rng, uuidFrom, type Rng } from '../support/fuzz.ts';

const EVENTS_PER_ROLE = Number(process.env.FUZZ_SOCKET_EVENTS ?? 250);
const ACK_MS = 5_000;

const r: Rng = rng();
let world: FuzzWorld;
const counts = { emitted: 0, acks: new Map<string, number>(), noAck: 0, frames: 0, polls: 0, fiveXx: 0 };
const problems: string[] = [];

beforeAll(async () => {
  console.log(`fuzz-socket seed ${r.seed} (replay with FUZZ_SEED=${r.seed})`);
  world = await startFuzzWorld();
}, 120_000); // a server process to start and objects to create, on a busy machine
afterAll(async () => {
  await world?.close();
});

const cookieOf = (role: FuzzRole) => world.clients.get(role)!.cookieHeader();

function open(cookie: string): Promise<Socket | Error> {
  return new Promise((resolve) => {
    const s = connectIo(world.server.url, {
      transports: ['websocket'],
      extraHeaders: cookie ? { cookie } : {},
      reconnection: false,
      timeout: ACK_MS,
    });
    s.once('connect', () => resolve(s));
    s.once('connect_error', (e) => {
      s.close();
      resolve(e);
    });
  });
}

// ---------------------------------------------------------------- payloads

const EVENTS = [
  'whoami',
  'time:sync',
  'attempt:join',
  'answer:save',
  'attempt:submit',
  'proctor:signal',
  'hall:watch',
  'hall:action',
  'alert:review',
  'hall:risk',
  'attendance:watch',
] as const;
type EventName = (typeof EVENTS)[number];

let seq = 0;
function validPayload(event: EventName): unknown {
  const { ids } = world;
  const attemptId = r.chance(0.85) ? r.pick(ids.attempt) : uuidFrom(r);
  switch (event) {
    case 'attempt:join':
      return { attemptId, deviceId: r.pick(['fuzz-device-01', 'fuzz-device-02']) };
    case 'answer:save':
      return {
        attemptId,
        seq: ++seq,
        questionId: r.chance(0.9) ? r.pick(ids.question) : uuidFrom(r),
        response: r.pick([null, { optionId: 'a' }, { optionId: 'zz' }, { value: true }, { optionIds: ['a', 'b'] }]),
        flagged: r.chance(0.3),
      };
    case 'attempt:submit':
      return { attemptId };
    case 'proctor:signal':
      return {
        attemptId,
        type: r.pick(proctorSignalTypes),
        clientEventId: `fuzz-${r.int(0, 1e9)}`,
        durationMs: r.int(0, 10_000),
      };
    case 'hall:watch':
      return { examId: r.chance(0.85) ? r.pick(ids.exam) : uuidFrom(r) };
    case 'hall:action':
      return r.pick([
        { action: 'extend', attemptId, minutes: r.int(1, 10) },
        { action: 'pause', attemptId, reason: 'fuzz pause' },
        { action: 'resume', attemptId },
        { action: 'message', attemptId, text: 'fuzz message' },
        // Rare: it ends the attempt, and with it the deeper paths of saves.
        ...(r.chance(0.1) ? [{ action: 'terminate', attemptId, reason: 'fuzz terminate' }] : []),
      ]);
    case 'alert:review':
      return { eventId: uuidFrom(r), status: r.pick(['acknowledged', 'dismissed', 'flagged']), note: 'fuzz' };
    case 'hall:risk':
      return { attemptId };
    case 'attendance:watch':
      return { meetingId: r.chance(0.85) && world.ids.meeting.length ? r.pick(world.ids.meeting) : uuidFrom(r) };
    default:
      return undefined;
  }
}

function poke(v: unknown, replacement: () => unknown): unknown {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return replacement();
  const keys = Object.keys(v);
  const k = keys.length && r.chance(0.8) ? r.pick(keys) : r.pick(['extra', '__proto__', 'constructor']);
  return { ...v, [k]: replacement() };
}

function everyString(v: unknown, s: string): unknown {
  if (typeof v === 'string') return v + s;
  if (Array.isArray(v)) return v.map((x) => everyString(x, s));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, everyString(x, s)]));
  return v;
}

/** The arguments of one emit (the ack is added by the sender, or not), and what they are. */
function argsFor(event: EventName): { args: unknown[]; withAck: boolean; note: string } {
  const base = validPayload(event);
  const withAck = r.chance(0.9);
  const variant = r.int(0, 11);
  const note = [
    'valid',
    'valid',
    'field',
    'string',
    'nul',
    'random',
    'huge',
    'binary',
    'array',
    'extra',
    'none',
    'proto',
  ][variant]!;
  const args: unknown[] = [
    () => [base],
    () => [base],
    () => [poke(base, () => nastyValue(r))],
    () => [poke(base, () => nastyString(r))],
    () => [everyString(base, r.pick(['\u0000', '\ud800', '\u0007']))],
    () => [nastyValue(r, 3)],
    () => [poke(base, () => 'x'.repeat(r.pick([30_000, 70_000])))],
    () => [r.chance(0.5) ? Buffer.from(JSON.stringify(base ?? {})) : poke(base, () => Buffer.alloc(r.int(1, 2000), 7))],
    () => [[base, base]],
    () => [base, nastyValue(r), 'extra', 42],
    () => [],
    () => [JSON.parse(`{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}},"attemptId":"${uuidFrom(r)}"}`)],
  ][variant]!();
  return { args: args as unknown[], withAck, note };
}

// ---------------------------------------------------------------- sending and judging

async function emit(socket: Socket, role: string, event: string, args: unknown[], withAck: boolean, note: string) {
  counts.emitted++;
  if (!withAck) {
    socket.emit(event, ...args);
    return;
  }
  try {
    const reply = (await socket.timeout(ACK_MS).emitWithAck(event, ...args)) as {
      ok: boolean;
      error?: { code: string; message: string };
    };
    const code = reply?.ok ? 'ok' : (reply?.error?.code ?? 'malformed');
    counts.acks.set(code, (counts.acks.get(code) ?? 0) + 1);
    if (code === 'internal' || code === 'malformed') {
      problems.push(`${role} ${event} [${note}] -> ${JSON.stringify(reply).slice(0, 300)}`);
    }
  } catch {
    // No ack: fine when the server cut the socket off (an oversized frame, a flood); not otherwise.
    counts.noAck++;
    if (socket.connected) problems.push(`${role} ${event} [${note}]: no ack within ${ACK_MS} ms on a live socket`);
  }
}

function assertHealthy(what: string) {
  const acks = [...counts.acks].map(([k, n]) => `${k}:${n}`).join(' ');
  const summary = `fuzz-socket seed ${r.seed}: ${counts.emitted} events (acks ${acks}; ${counts.noAck} unanswered after a cut), ${counts.frames} raw frames, ${counts.polls} polling requests, ${counts.fiveXx} 5xx`;
  console.log(`${what}: ${summary}`);
  const errors = world.server
    .output()
    .split('\n')
    .filter((l) => l.includes('"level":50') || l.includes('"level":60'))
    .slice(0, 5)
    .join('\n')
    .slice(0, 4000);
  expect(world.exited(), `the server process exited\n${world.server.output().slice(-3000)}`).toBeUndefined();
  expect(problems, `${summary}\nserver errors:\n${errors}`).toEqual([]);
  // Nothing went wrong quietly either: an error logged without a 5xx (a failed background step, an unhandled rejection).
  expect(errors, 'the server logged errors').toBe('');
}

describe('Socket.IO fuzzing (seeded; FUZZ_SEED to replay)', () => {
  it('hostile payloads on every event, from every kind of connection: no internal error, the process stays up', async () => {
    // Without a session or attempt cookie (or with forged ones) the handshake is refused, cleanly.
    for (const cookie of [
      '',
      'eh_access=%zz',
      `eh_access=${'a'.repeat(4000)}`,
      'eh_attempt=\u00e9; eh_access=..',
      'eh_access=%00; eh_attempt=%00.%00',
      'eh_attempt=%ED%A0%80.x',
    ]) {
      const refused = await open(cookie);
      if (refused instanceof Error) {
        expect(refused.message).toMatch(/unauthenticated|session_revoked|websocket error/);
      } else {
        refused.close();
      }
    }
    const roles: FuzzRole[] = ['candidate', 'student', 'proctor', 'teacher', 'admin'];
    // Drawn before anything is sent, so that a seed replays the same emits whatever the timing.
    const plans = roles.map((role) => ({
      role,
      emits: Array.from({ length: EVENTS_PER_ROLE }, () => {
        const event = r.chance(0.05)
          ? r.pick(['unknown:event', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'x'.repeat(500)])
          : r.pick(EVENTS);
        // An event without a handler is never answered: it is sent without an ack.
        const known = (EVENTS as readonly string[]).includes(event);
        const { args, withAck, note } = argsFor(event as EventName);
        return { event, args, withAck: withAck && known, note };
      }),
    }));
    await Promise.all(
      plans.map(async ({ role, emits }) => {
        let socket = (await open(cookieOf(role))) as Socket;
        expect(socket).not.toBeInstanceOf(Error);
        // Join first, so saves and signals reach past "join the attempt first".
        if (role === 'candidate' || role === 'student') {
          const attemptId = role === 'candidate' ? world.ids.attempt[0] : world.ids.attempt[1];
          await emit(socket, role, 'attempt:join', [{ attemptId, deviceId: 'fuzz-device-01' }], true, 'join');
        }
        // One at a time, acks awaited: mostly under the per-socket rate limit (floods are tested below).
        for (const { event, args, withAck, note } of emits) {
          if (!socket.connected) {
            socket.close();
            const again = await open(cookieOf(role));
            if (again instanceof Error) break; // e.g. a terminated attempt's cookie
            socket = again;
          }
          await emit(socket, role, event, args, withAck, note);
        }
        socket.close();
      }),
    );
    assertHealthy('events');
  }, 120_000);

  it('floods, oversized frames and acks in odd places: the process stays up', async () => {
    const socket = (await open(cookieOf('teacher'))) as Socket;
    // A flood: the rate limit answers rate_limited and finally cuts the socket off.
    await Promise.all(
      Array.from({ length: 400 }, () =>
        socket
          .timeout(ACK_MS)
          .emitWithAck('time:sync')
          .catch(() => null),
      ),
    );
    counts.emitted += 400;
    // The ack as the only argument, or not last; a frame over maxHttpBufferSize.
    const s2 = (await open(cookieOf('proctor'))) as Socket;
    s2.emit('hall:watch', () => {}, { examId: world.ids.exam[0] });
    s2.emit(
      'hall:risk',
      { attemptId: world.ids.attempt[0] },
      () => {},
      () => {},
    );
    await emit(s2, 'proctor', 'hall:watch', [{ examId: world.ids.exam[0] }], true, 'after odd acks');
    s2.emit('hall:action', { action: 'message', attemptId: world.ids.attempt[0], text: 'x'.repeat(200_000) });
    await new Promise<void>((resolve) => (s2.connected ? s2.once('disconnect', () => resolve()) : resolve()));
    socket.close();
    s2.close();
    const fresh = (await open(cookieOf('teacher'))) as Socket;
    await emit(fresh, 'teacher', 'whoami', [], true, 'after the flood');
    fresh.close();
    assertHealthy('floods');
  }, 60_000);

  it('raw Engine.IO frames over a websocket: the process stays up and still answers', async () => {
    const wsUrl = `${world.server.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`;
    const frames: (string | Buffer)[] = [
      '40',
      '42["whoami"]',
      '421["whoami"]',
      '42',
      '42null',
      '42"str"',
      '42[]',
      '42[1,2]',
      '42[{"a":1}]',
      '42["__proto__"]',
      '42["constructor",{}]',
      '42["disconnect"]',
      '42["error"]',
      '42["newListener","x"]',
      '4299999999999999999999999["whoami"]',
      '42-1["whoami"]',
      '42["attempt:join",{"attemptId":"\\u0000","deviceId":"\\ud800"}]',
      `42["answer:save",${'['.repeat(5000)}${']'.repeat(5000)}]`,
      `42["answer:save",${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}]`,
      '42/admin,["whoami"]',
      '40/nonexistent,',
      '40{"token":"x"}',
      '40"str"',
      '41',
      '43["x"]',
      '431[1,2]',
      '44{"message":"x"}',
      '45-["answer:save",{"_placeholder":true,"num":0}]',
      '451-["hall:risk",{"_placeholder":true,"num":99}]',
      Buffer.from([1, 2, 3]),
      '46-["x"]',
      '47',
      '4',
      '4{',
      '',
      '2',
      '2probe',
      '3',
      '5',
      '6',
      '9',
      'zz',
      `4${'x'.repeat(70_000)}`,
      '1',
    ];
    for (const cookie of [cookieOf('teacher'), cookieOf('candidate'), '']) {
      const ws = new WebSocket(wsUrl, { headers: cookie ? { cookie } : {} });
      const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
      ws.on('error', () => {});
      await new Promise<void>((resolve) => {
        ws.once('open', () => resolve());
        ws.once('error', () => resolve());
      });
      for (const f of frames) {
        if (ws.readyState !== WebSocket.OPEN) break;
        counts.frames++;
        ws.send(f);
      }
      ws.close();
      await closed;
    }
    // Random bytes and random text frames, each on a fresh connection (most get it closed).
    for (let i = 0; i < 20; i++) {
      const ws = new WebSocket(wsUrl, { headers: { cookie: cookieOf('student') } });
      ws.on('error', () => {});
      const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
      await new Promise<void>((resolve) => {
        ws.once('open', () => resolve());
        ws.once('error', () => resolve());
      });
      if (ws.readyState === WebSocket.OPEN) {
        counts.frames += 3;
        ws.send('40');
        ws.send(
          r.chance(0.5)
            ? Buffer.from(Array.from({ length: r.int(1, 200) }, () => r.int(0, 255)))
            : `4${r.int(0, 9)}${nastyString(r).slice(0, 5000)}`,
        );
        ws.send(`42${JSON.stringify([r.pick(EVENTS), nastyValue(r, 3)])}`);
      }
      ws.close();
      await closed;
    }
    const after = (await open(cookieOf('teacher'))) as Socket;
    await emit(after, 'teacher', 'whoami', [], true, 'after raw frames');
    after.close();
    assertHealthy('raw frames');
  }, 60_000);

  it('malformed long-polling requests: never a 5xx, the process stays up', async () => {
    const base = `${world.server.url}/socket.io/`;
    const poll = async (
      method: string,
      query: string,
      body?: string | Buffer,
      headers: Record<string, string> = {},
    ) => {
      counts.polls++;
      const res = await fetch(base + query, {
        method,
        headers: { cookie: cookieOf('teacher'), ...headers },
        body: body as string | Uint8Array<ArrayBuffer> | undefined,
        signal: AbortSignal.timeout(35_000),
      });
      const text = await res.text();
      if (res.status >= 500) {
        counts.fiveXx++;
        problems.push(`${method} /socket.io/${query} -> ${res.status} ${text.slice(0, 200)}`);
      }
      return { status: res.status, text };
    };
    const hs = await poll('GET', '?EIO=4&transport=polling');
    expect(hs.status).toBe(200);
    const sid = (JSON.parse(hs.text.slice(1)) as { sid: string }).sid;
    const ok = `?EIO=4&transport=polling&sid=${sid}`;
    await poll('POST', ok, '40');
    // Answers that need no waiting for the server's next packet (a GET on a live sid long-polls).
    const requests: [string, string, (string | Buffer)?, Record<string, string>?][] = [
      // The one that crashed the process: a POST without a sid (Express and Engine.IO both answered).
      ['POST', '?EIO=4&transport=polling', '40'],
      ['POST', '?EIO=4&transport=polling'],
      ['POST', '?EIO=4&transport=polling&sid=bogus', '40'],
      ['POST', '?EIO=4&transport=polling&sid=%zz', '40'],
      ['POST', `?EIO=4&transport=polling&sid=${'a'.repeat(5000)}`, '40'],
      ['GET', '?EIO=4&transport=polling&sid=bogus'],
      ['GET', '?EIO=4&transport=polling&sid=%'],
      ['GET', '?EIO=3&transport=polling'],
      ['GET', '?EIO=5&transport=polling'],
      ['GET', '?EIO=%zz&transport=polling'],
      ['GET', '?EIO=4&transport=bogus'],
      ['GET', '?EIO=4&transport=websocket'],
      ['GET', '?EIO=4&transport=polling&j=1'],
      ['GET', '?EIO=4&transport=polling&b64=1'],
      ['GET', '?EIO=4&EIO=4&transport=polling&transport=websocket'],
      ['GET', '?EIO[]=4&transport[x]=polling'],
      ['GET', '?EIO=4&transport=polling', undefined, { origin: 'https://evil.example' }],
      ['PUT', ok, '40'],
      ['DELETE', ok],
      ['PATCH', ok, 'x'],
      [
        'OPTIONS',
        '?EIO=4&transport=polling',
        undefined,
        { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      ],
      ['POST', ok, '42["whoami"]\u001e42["time:sync"]\u001e'],
      ['POST', ok, '42["hall:watch",{"examId":"\\u0000"}]'],
      ['POST', ok, 'b' + '!!!not base64!!!'],
      ['POST', ok, 'bAQID'],
      ['POST', ok, '\u001e\u001e\u001e'],
      ['POST', ok, '4'.repeat(10)],
      ['POST', ok, '42' + 'x'.repeat(200_000)],
      ['POST', ok, Buffer.from([0, 1, 2, 255, 254])],
      ['POST', ok, '42["whoami"]', { 'content-type': 'application/json; charset=bogus' }],
      ['POST', ok, '42["whoami"]', { 'content-encoding': 'gzip' }],
      ['POST', ok, '42["whoami"]', { 'content-type': 'application/octet-stream' }],
      ['POST', ok, '1'],
      ['POST', ok, '40'],
    ];
    for (const [method, query, body, headers] of requests) await poll(method, query, body, headers);
    expect((await fetch(`${world.server.url}/healthz`)).status).toBeLessThan(500);
    const after = (await open(cookieOf('teacher'))) as Socket;
    await emit(after, 'teacher', 'whoami', [], true, 'after polling');
    after.close();
    assertHealthy('polling');
  }, 60_000);
});
