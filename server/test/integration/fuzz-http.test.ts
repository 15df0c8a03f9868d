// Malformed HTTP against a real server process, driven by its own OpenAPI document: every
// route, as every role, with hostile bodies, queries, paths and headers, and in bursts.
// Nothing from outside may earn a 5xx, take longer than 5 s (twice: a request slow once is sent again), or end the process.
// Seeded: the seed is printed; FUZZ_SEED=<n> replays the run.
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { parseSetCookie } from 'cookie';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../support/http-client.ts';
import { startFuzzWorld, type FuzzRole as Role, type FuzzWorld } from '../support/fuzz-world.ts';
import { bytesFrom, deep, nastyString, nastyValue, prototypeBody, rng, uuidFrom, type Rng } from '../support/fuzz.ts';

const SLOW_MS = 5_000;
const RANDOM_REQUESTS = Number(process.env.FUZZ_HTTP_REQUESTS ?? 1000);
const CONCURRENCY = 6;

type JsonSchema = Record<string, any>;
interface Op {
  method: string;
  path: string; // OpenAPI template, /api/exams/{id}
  params: { in: string; name: string; schema: JsonSchema }[];
  body: JsonSchema | undefined;
}
interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array | undefined;
  note: string;
  /** The role's client whose cookies were sent: it keeps what the server sets (refresh rotates them). */
  client?: Client | undefined;
}
interface Problem {
  what: string;
  status: number | string;
  ms: number;
  reply: string;
}

const r: Rng = rng();
let world: FuzzWorld;
let server: FuzzWorld['server'];
let clients: FuzzWorld['clients'];
let ids: FuzzWorld['ids'];
const counts = {
  sent: 0,
  fiveXx: 0,
  networkErrors: 0,
  /** Requests slower than SLOW_MS once and sent again (the second answer is judged). */
  slowOnce: 0,
  byStatus: new Map<number, number>(),
  unauthenticatedByRole: new Map<string, number>(),
};
const problems: Problem[] = [];

beforeAll(async () => {
  console.log(`fuzz-http seed ${r.seed} (replay with FUZZ_SEED=${r.seed})`);
  world = await startFuzzWorld();
  ({ server, clients, ids } = world);
}, 120_000); // a server process to start and objects to create, on a busy machine

afterAll(async () => {
  await world?.close();
});

// ---------------------------------------------------------------- the OpenAPI document as operations

async function operations(): Promise<Op[]> {
  const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as {
    paths: Record<string, Record<string, any>>;
  };
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      params: op.parameters ?? [],
      body: op.requestBody?.content?.['application/json']?.schema,
    })),
  );
}

/** A real id of the kind a parameter names, or a random UUID. */
function idFor(name: string, path: string): string {
  const segment = path.split('/').at(-2) ?? '';
  const kind =
    name === 'examId' || (name === 'id' && segment === 'exams')
      ? 'exam'
      : name === 'participantId'
        ? 'participant'
        : name === 'questionId'
          ? 'question'
          : name === 'courseId' || (name === 'id' && segment === 'courses')
            ? 'course'
            : name === 'id' && path.includes('/attempts/')
              ? 'attempt'
              : name === 'meetingId' || (name === 'id' && path.includes('/meetings/'))
                ? 'meeting'
                : name === 'actorId' || name === 'userIds'
                  ? 'user'
                  : r.pick(['exam', 'course', 'attempt', 'participant', 'question', 'user', 'meeting'] as const);
  return r.chance(0.8) && ids[kind].length ? r.pick(ids[kind]) : uuidFrom(r);
}

const PATTERNS: [RegExp, () => string][] = [
  [/A-Za-z0-9_-\]\{1,21\}/, () => r.pick(['a', 'b', 'c'])],
  [/A-Za-z0-9_-\]\{22,64\}/, () => bytesFrom(r, 16).toString('base64url')],
  [/A-Za-z0-9_-\]\{8,64\}/, () => bytesFrom(r, 8).toString('hex')],
  [/\\d\{9,12\}/, () => String(r.int(100_000_000, 999_999_999))],
  [/0x\[0-9a-fA-F\]\{40\}/, () => `0x${bytesFrom(r, 20).toString('hex')}`],
  [/a-z\]\{2,63\}/, () => 'school.example'],
];

/** A value the schema accepts, most of the time (patterns we do not know get a plain word). */
function valid(s: JsonSchema | undefined, name = '', path = '', depth = 0): unknown {
  if (!s || depth > 8) return null;
  if ('const' in s) return s.const;
  if (s.enum) return r.pick(s.enum);
  const alternatives = s.oneOf ?? s.anyOf;
  if (alternatives) return valid(r.pick(alternatives), name, path, depth + 1);
  if (s.allOf) return Object.assign({}, ...s.allOf.map((x: JsonSchema) => valid(x, name, path, depth + 1)));
  const type = Array.isArray(s.type) ? r.pick(s.type) : s.type;
  switch (type) {
    case 'object': {
      const o: Record<string, unknown> = {};
      for (const [k, v] of Object.entries<JsonSchema>(s.properties ?? {})) {
        if (s.required?.includes(k) || r.chance(0.6)) o[k] = valid(v, k, path, depth + 1);
      }
      return o;
    }
    case 'array': {
      const n = Math.min(s.maxItems ?? 3, (s.minItems ?? 0) + r.int(0, 2));
      return Array.from({ length: n }, () => valid(s.items, name, path, depth + 1));
    }
    case 'string': {
      if (s.format === 'uuid') return idFor(name, path);
      if (s.format === 'date-time') return new Date(Date.now() + r.int(-3, 30) * 86_400_000).toISOString();
      if (s.format === 'email' || /email/i.test(name)) return `p${r.int(0, 999)}@fuzz.example`;
      if (s.pattern) for (const [re, make] of PATTERNS) if (re.test(s.pattern)) return make();
      const min = s.minLength ?? 0;
      const len = Math.min(s.maxLength ?? 40, min + r.int(3, 20));
      return 'fuzz text '.repeat(5).slice(0, Math.max(len, min));
    }
    case 'integer':
      return r.int(s.minimum ?? 0, Math.min(s.maximum ?? 100, (s.minimum ?? 0) + 100));
    case 'number':
      return (s.minimum ?? 0) + r.int(1, 50);
    case 'boolean':
      return r.chance(0.5);
    case 'null':
      return null;
    default:
      return r.chance(0.5) ? 'x' : null;
  }
}

/** One field somewhere in the value replaced by something hostile. */
function poke(v: unknown, replacement: () => unknown, depth = 0): unknown {
  if (depth > 6 || v === null || typeof v !== 'object') return replacement();
  if (Array.isArray(v)) {
    if (!v.length || r.chance(0.2)) return [...v, replacement()];
    const i = r.int(0, v.length - 1);
    return v.map((x, j) => (j === i ? poke(x, replacement, depth + 1) : x));
  }
  const keys = Object.keys(v);
  if (!keys.length || r.chance(0.2)) return { ...v, [r.pick(['extra', 'id', 'role', 'status'])]: replacement() };
  const k = r.pick(keys);
  return r.chance(0.2)
    ? Object.fromEntries(Object.entries(v).filter(([key]) => key !== k)) // a required field missing
    : { ...v, [k]: poke((v as Record<string, unknown>)[k], replacement, depth + 1) };
}

/** Every string in the value carries the same hostile text. */
function everyString(v: unknown, s: string): unknown {
  if (typeof v === 'string') return r.chance(0.5) ? v + s : s;
  if (Array.isArray(v)) return v.map((x) => everyString(x, s));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, everyString(x, s)]));
  return v;
}

type Body = { text?: string | Uint8Array; headers?: Record<string, string>; note: string };

/** The participants import reads a CSV file as its body. */
function csvBody(): Body {
  const csv = (text: string | Uint8Array, note: string, type = 'text/csv'): Body => ({
    text,
    headers: { 'content-type': type },
    note: `csv: ${note}`,
  });
  return r.pick<() => Body>([
    () => csv(`email,name\np${r.int(0, 99)}@fuzz.example,Pat\n`, 'valid'),
    () => csv('email,name\nnul\u0000@fuzz.example,Ann\u0000\nq@fuzz.example,\u0007Bell\n', 'NUL and controls'),
    () => csv('email,name\n"unterminated,quote\n', 'unterminated quote'),
    () => csv(`\ufeffemail,name\na@fuzz.example,${'x'.repeat(100_000)}\n`, 'BOM, huge cell'),
    () => csv(Buffer.from([0x65, 0x6d, 0x61, 0x69, 0x6c, 0x0a, 0xff, 0xfe, 0xc0, 0x80, 0x0a]), 'invalid UTF-8'),
    () => csv(`email\n${Array.from({ length: 5100 }, (_, i) => `r${i}@fuzz.example`).join('\n')}`, 'too many rows'),
    () => csv('', 'empty'),
    () => csv('name\nAnn\n', 'no email column'),
    () => csv('email,email,__proto__\na@fuzz.example,b@fuzz.example,x\n', 'odd header'),
    () => csv('email\na@fuzz.example\n', 'charset', 'text/csv; charset=bogus'),
  ])();
}

function body(op: Op): Body | undefined {
  if (op.path.endsWith('/participants/import') && r.chance(0.7)) return csvBody();
  if (!op.body && r.chance(0.7)) return undefined;
  const base = valid(op.body, '', op.path);
  const json = (v: unknown, note: string): Body => ({ text: JSON.stringify(v), note });
  return r.pick<() => Body>([
    () => json(base, 'valid'),
    () => json(base, 'valid'),
    () =>
      json(
        poke(base, () => nastyValue(r)),
        'field: hostile value',
      ),
    () =>
      json(
        poke(base, () => nastyString(r)),
        'field: hostile string',
      ),
    () =>
      json(everyString(base, r.pick(['\u0000', 'a\u0000', '\ud800', '\u0007', '\u001b'])), 'strings: control chars'),
    () =>
      json(
        poke(base, () => 'x'.repeat(60_000)),
        'field: huge string',
      ),
    () => json(nastyValue(r, 3), 'body: random value'),
    () => json([base], 'body: array for object'),
    () => ({ text: prototypeBody((base ?? {}) as Record<string, unknown>), note: 'body: prototype keys' }),
    () => ({ text: deep(r.pick([50, 2000, 20_000]), r.chance(0.5)), note: 'body: deep nesting' }),
    () => ({
      text: r.pick(['{', '{"a":}', '[1,]', '\u0000', 'nul', '"str"', '{"a":1}}', '{"a":"\\ud800"}', '{"a":"\\u0000"}']),
      note: 'body: bad JSON',
    }),
    () => ({ text: 'x'.repeat(200_000), note: 'body: too large' }),
    () => ({ text: JSON.stringify(base), headers: { 'content-type': 'text/plain' }, note: 'content-type: text/plain' }),
    () => ({
      text: 'a=1&a[b]=2&__proto__[x]=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      note: 'content-type: form',
    }),
    () => ({
      text: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      note: 'content-type: multipart',
    }),
    () => ({
      text: JSON.stringify(base),
      headers: {
        'content-type': `application/json; charset=${r.pick(['bogus', 'utf-16', 'latin1', 'utf-32', '"', ''])}`,
      },
      note: 'charset',
    }),
    () => ({
      text: JSON.stringify(base),
      headers: { 'content-type': r.pick(['application/json;;', 'application/', '*/*', 'text/csv']) },
      note: 'bad content-type',
    }),
    () => ({
      text: JSON.stringify(base),
      headers: {
        'content-type': 'application/json',
        'content-encoding': r.pick(['bogus', 'gzip, bogus', 'identity, gzip', 'compress']),
      },
      note: 'content-encoding: bogus',
    }),
    () => ({
      text: bytesFrom(r, r.int(1, 64)),
      headers: { 'content-type': 'application/json', 'content-encoding': r.pick(['gzip', 'deflate', 'br', 'zstd']) },
      note: 'content-encoding: garbage',
    }),
    () => ({
      text: gzipSync(Buffer.from(JSON.stringify(base))),
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      note: 'content-encoding: gzip ok',
    }),
    () => ({
      text: gzipSync(Buffer.alloc(5_000_000, 32)),
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      note: 'gzip bomb',
    }),
  ])();
}

const BAD_SEGMENTS = [
  '%',
  '%zz',
  '%E0%A4%A',
  '%C0%80',
  '%00',
  'a%00b',
  '..',
  '%2e%2e',
  '%2F',
  'x'.repeat(3000),
  '%FF%FE',
  '😀',
  '%F0%9F%98',
  ' ',
  '%20',
  '-1',
  '1e9',
  'null',
  '[object Object]',
];

function pathOf(op: Op): { path: string; note: string } {
  const bad = r.chance(0.25);
  let note = 'path: ids';
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (bad && r.chance(0.7)) {
      const seg = r.pick(BAD_SEGMENTS);
      note = `path: ${name}=${seg.slice(0, 20)}`;
      return seg;
    }
    const schema = op.params.find((p) => p.name === name)?.schema;
    return encodeURIComponent(
      String(schema?.pattern && !schema.format ? valid(schema, name, op.path) : idFor(name, op.path)),
    );
  });
  return { path, note };
}

/** Percent-encodes anything; a lone surrogate becomes the bytes of one (not valid UTF-8). */
const enc = (s: string) =>
  s.isWellFormed() ? encodeURIComponent(s) : `${encodeURIComponent(s.toWellFormed())}%ED%A0%80`;

function queryOf(op: Op): { query: string; note: string } {
  const qs = op.params.filter((p) => p.in === 'query');
  const parts: string[] = [];
  let note = 'query: valid';
  for (const p of qs)
    if (r.chance(0.5)) parts.push(`${p.name}=${encodeURIComponent(String(valid(p.schema, p.name, op.path)))}`);
  if (r.chance(0.35)) {
    const name = qs.length ? r.pick(qs).name : r.pick(['limit', 'search', 'x']);
    const v = r.pick([
      '%00',
      'a%00b',
      '%',
      '%zz',
      '%ud800',
      enc(nastyString(r)),
      '-1',
      '1e400',
      'NaN',
      '0x10',
      '',
      'x'.repeat(5000),
    ]);
    const shape = r.pick(['plain', 'array', 'nested', 'proto']);
    parts.push(
      shape === 'array'
        ? `${name}=${v}&${name}=${v}`
        : shape === 'nested'
          ? `${name}[a][b]=${v}`
          : shape === 'proto'
            ? `__proto__[${name}]=${v}&constructor=${v}`
            : `${name}=${v}`,
    );
    note = `query: ${shape} ${name}=${v.slice(0, 20)}`;
  }
  return { query: parts.length ? `?${parts.join('&')}` : '', note };
}

function headersFor(role: Role): { headers: Record<string, string>; note: string; client?: Client } {
  const c = clients.get(role)!;
  const cookie = c.cookieHeader();
  const headers: Record<string, string> = cookie ? { cookie } : {};
  if (!r.chance(0.2)) return { headers, note: '', client: c };
  const [name, value] = r.pick<[string, string]>([
    ['cookie', `eh_access=%zz; eh_refresh=${'a'.repeat(3000)}`],
    ['cookie', `eh_access=${bytesFrom(r, 40).toString('base64url')}.${bytesFrom(r, 20).toString('hex')}`],
    ['cookie', `eh_attempt=${uuidFrom(r)}.${bytesFrom(r, 20).toString('base64url')}`],
    ['cookie', `${cookie}; eh_access=; eh_attempt=%`],
    ['cookie', 'eh_access="unterminated; =; ;;; eh_refresh'],
    ['cookie', `eh_access=%00; eh_refresh=a%00b; eh_attempt=${uuidFrom(r)}%00.x`],
    ['cookie', 'eh_access=%ED%A0%80; eh_refresh=%ED%A0%80.%ED%A0%80'],
    ['cookie', `eh_access=${'%E0%A4%A'.repeat(4)}; eh_attempt=..`],
    ['origin', 'https://evil.example'],
    ['origin', 'null'],
    ['x-request-id', `${'a'.repeat(100)}`],
    ['x-forwarded-for', '1.2.3.4, garbage, ::ffff:999.1.1.1'],
    ['accept', 'application/xml;q=bogus'],
    ['accept-encoding', 'gzip;q=2, br;q=-1, *;q=abc'],
    ['if-none-match', '*'],
    ['range', 'bytes=9999999-1'],
    ['user-agent', 'ä'.repeat(500)],
    ['authorization', 'Bearer ' + 'x'.repeat(2000)],
  ]);
  headers[name] = value;
  return { headers, note: `header ${name}` };
}

// ---------------------------------------------------------------- sending and judging

/** A reset on a kept-alive connection the server had just closed is the client's race, not an answer:
 * such a request is sent once more, and only a second failure counts; so is a slow one (below). */
async function send(s: Sent, retried = false): Promise<void> {
  counts.sent++;
  const t0 = Date.now();
  try {
    const cookie = s.client?.cookieHeader(); // now, not when the request was drawn: refresh rotates cookies
    const res = await fetch(server.url + s.url, {
      method: s.method,
      headers: s.client ? { ...s.headers, cookie: cookie ?? '' } : s.headers,
      body: s.body as string | Uint8Array<ArrayBuffer> | undefined,
      signal: AbortSignal.timeout(SLOW_MS * 3),
      redirect: 'manual',
    });
    const text = await res.text();
    const ms = Date.now() - t0;
    if (s.client) keepCookies(s.client, res.headers.getSetCookie());
    counts.byStatus.set(res.status, (counts.byStatus.get(res.status) ?? 0) + 1);
    if (res.status >= 500) counts.fiveXx++;
    if (res.status === 401) {
      const role = s.note.split(',')[0]!;
      counts.unauthenticatedByRole.set(role, (counts.unauthenticatedByRole.get(role) ?? 0) + 1);
    }
    // Slow once may be the machine (CI runs the browser lane beside this one on 2 cores): the
    // request is sent again, and only a second slow answer counts. A handler that is slow for
    // its input (a decompression bomb, a runaway query) is slow both times.
    if (res.status < 500 && ms > SLOW_MS && !retried) {
      counts.slowOnce++;
      return send(s, true);
    }
    if (res.status >= 500 || ms > SLOW_MS) {
      problems.push({
        what: `${s.method} ${s.url.slice(0, 160)} [${s.note}]`,
        status: res.status,
        ms,
        reply: text.slice(0, 300),
      });
    }
  } catch (e) {
    if (!retried && world.exited() === undefined) return send(s, true);
    counts.networkErrors++;
    const ms = Date.now() - t0;
    problems.push({
      what: `${s.method} ${s.url.slice(0, 160)} [${s.note}]`,
      status: `network: ${String((e as Error).cause ?? e)}`,
      ms,
      reply: '',
    });
  }
}

function keepCookies(c: Client, lines: string[]) {
  for (const line of lines) {
    const { name, value } = parseSetCookie(line);
    if (value) c.jar.set(name, value);
    else c.jar.delete(name);
  }
}

function randomRequest(ops: Op[]): Sent {
  const op = r.pick(ops);
  const role = r.pick<Role>(['anonymous', 'student', 'proctor', 'teacher', 'admin', 'candidate']);
  const { path, note: pathNote } = pathOf(op);
  const { query, note: queryNote } = queryOf(op);
  const { headers, note: headerNote, client } = headersFor(role);
  const b = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(op.method) || r.chance(0.05) ? body(op) : undefined;
  const method = r.chance(0.03) ? r.pick(['PATCH', 'PUT', 'OPTIONS', 'HEAD', 'DELETE', 'PROPFIND']) : op.method;
  return {
    method,
    url: path + query,
    headers: { ...(b?.text !== undefined ? { 'content-type': 'application/json' } : {}), ...headers, ...b?.headers },
    body: method === 'GET' || method === 'HEAD' ? undefined : b?.text,
    note: [role, pathNote, queryNote, headerNote, b?.note].filter(Boolean).join(', '),
    client,
  };
}

/** Requests node:http or Express must refuse without our code getting a say: raw bytes on a socket. */
function raw(bytes: string | Buffer, closeAfterWrite = false): Promise<string> {
  counts.sent++;
  const { port } = new URL(server.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    let out = '';
    const done = () => {
      socket.destroy();
      resolve(out);
    };
    socket.setTimeout(SLOW_MS, done);
    socket.on('data', (d) => {
      out += d.toString('latin1');
      if (/\r\n\r\n/.test(out) && !/^HTTP\/1\.1 1\d\d/.test(out)) {
        const m = /content-length: (\d+)/i.exec(out);
        const bodyStart = out.indexOf('\r\n\r\n') + 4;
        if (!m || out.length - bodyStart >= Number(m[1])) done();
      }
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.write(bytes, () => {
      if (closeAfterWrite) socket.end();
    });
  });
}

function judgeRaw(what: string, reply: string) {
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(reply)?.[1] ?? 0);
  if (status) counts.byStatus.set(status, (counts.byStatus.get(status) ?? 0) + 1);
  if (status >= 500) {
    counts.fiveXx++;
    problems.push({ what: `raw ${what}`, status, ms: 0, reply: reply.slice(0, 300) });
  }
}

function summary() {
  const statuses = [...counts.byStatus]
    .sort(([a], [b]) => a - b)
    .map(([s, n]) => `${s}:${n}`)
    .join(' ');
  const unauthenticated = [...counts.unauthenticatedByRole].map(([role, n]) => `${role}:${n}`).join(' ');
  return `fuzz-http seed ${r.seed}: ${counts.sent} requests, ${counts.fiveXx} 5xx, ${counts.networkErrors} network errors, ${counts.slowOnce} slow once and sent again; ${statuses}; 401 by role ${unauthenticated}`;
}

function assertHealthy() {
  const report = problems
    .slice(0, 25)
    .map((p) => `${p.status} ${p.ms}ms ${p.what}\n    ${p.reply}`)
    .join('\n');
  const errors = server
    .output()
    .split('\n')
    .filter((l) => l.includes('"level":50') || l.includes('"level":60'))
    .slice(0, 5)
    .join('\n')
    .slice(0, 4000);
  expect(world.exited(), `the server process exited\n${server.output().slice(-3000)}`).toBeUndefined();
  expect(problems, `${summary()}\n${report}\nserver errors:\n${errors}`).toEqual([]);
  // Nothing went wrong quietly either: an error logged without a 5xx (a failed background step, an unhandled rejection).
  expect(errors, 'the server logged errors').toBe('');
}

describe('HTTP fuzzing (seeded; FUZZ_SEED to replay)', () => {
  it('random requests on every route, as every role: no 5xx, none slower than 5 s twice, the process stays up', async () => {
    const ops = await operations();
    expect(ops.length).toBeGreaterThan(50);
    // Every route at least once as every role with a valid-looking request, then random ones.
    const queue: Sent[] = [];
    for (const op of ops) {
      for (const role of ['anonymous', 'student', 'proctor', 'teacher', 'admin', 'candidate'] as Role[]) {
        const b = op.body ? JSON.stringify(valid(op.body, '', op.path)) : undefined;
        queue.push({
          client: clients.get(role),
          method: op.method,
          url: op.path.replace(/\{(\w+)\}/g, (_, n: string) => idFor(n, op.path)),
          headers: { cookie: clients.get(role)!.cookieHeader(), ...(b ? { 'content-type': 'application/json' } : {}) },
          body: b,
          note: `${role}, plain`,
        });
      }
    }
    for (let i = 0; i < RANDOM_REQUESTS; i++) queue.push(randomRequest(ops));
    const started = Date.now();
    for (let i = 0; i < queue.length; i += CONCURRENCY * 10) {
      const batch = queue.slice(i, i + CONCURRENCY * 10);
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < batch.length) await send(batch[next++]!);
        }),
      );
      if (world.exited() !== undefined) break;
      await world.keepSignedIn();
    }
    console.log(`${summary()} in ${Date.now() - started} ms`);
    assertHealthy();
  }, 120_000);

  it('malformed paths, and bytes node:http parses before Express: no 5xx, the process stays up', async () => {
    const paths = [
      '/api/%',
      '/api/exams/%zz',
      '/api/exams/%zz/questions/%',
      '/api/attempts/%E0%A4%A/result',
      '/api/verify/%C0%80',
      '/api/verify/%00/qr.svg',
      '/api/exams/%2e%2e%2f%2e%2e/participants',
      `/api/exams/${'a'.repeat(8000)}`,
      '/api//exams///',
      '/api/docs/assets/%2e%2e%2fpackage.json',
      '/api/docs/assets/%',
      '/api/docs/assets/..%2f..%2f..%2fetc%2fpasswd',
      '/%',
      '/socket.io/%zz',
      '/api/exams?limit=%&offset=%zz&courseId[]=1',
      '/api/users/search?prefix=%00%00',
      '/api/exams/x/participants?search=%E0%A4%A',
    ];
    for (const teacher of [clients.get('teacher')!, clients.get('anonymous')!]) {
      for (const p of paths) {
        for (const method of ['GET', 'POST', 'DELETE']) {
          await send({
            method,
            url: p,
            headers: { cookie: teacher.cookieHeader(), 'content-type': 'application/json' },
            body: method === 'GET' ? undefined : '{}',
            note: 'malformed path',
          });
        }
      }
    }
    const cookie = clients.get('teacher')!.cookieHeader();
    const examId = ids.exam[0]!;
    const requests: [string, string | Buffer, boolean?][] = [
      ['NUL in the path', 'GET /api/exams/\u0000 HTTP/1.1\r\nHost: x\r\n\r\n'],
      ['space in the path', 'GET /api/exams/a b HTTP/1.1\r\nHost: x\r\n\r\n'],
      ['bare % path', 'GET % HTTP/1.1\r\nHost: x\r\n\r\n'],
      ['absolute-form', 'GET http://evil.example/api/auth/me HTTP/1.1\r\nHost: x\r\n\r\n'],
      ['asterisk-form', 'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n'],
      ['no Host', 'GET /api/auth/me HTTP/1.1\r\n\r\n'],
      ['HTTP/1.0', 'GET /api/auth/me HTTP/1.0\r\n\r\n'],
      ['header with NUL', 'GET /api/auth/me HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n'],
      ['cookie with controls', `GET /api/auth/me HTTP/1.1\r\nHost: x\r\nCookie: eh_access=\u0001\u0002\r\n\r\n`],
      ['huge header', `GET /api/auth/me HTTP/1.1\r\nHost: x\r\nX-A: ${'a'.repeat(20_000)}\r\n\r\n`],
      ['bad method', 'FOO /api/auth/me HTTP/1.1\r\nHost: x\r\n\r\n'],
      [
        'two content-lengths',
        'POST /api/auth/sign-in HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
      ],
      [
        'bad chunk size',
        'POST /api/auth/sign-in HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
      ],
      [
        'chunked and length',
        'POST /api/auth/sign-in HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
      ],
      [
        'body shorter than its length (aborted)',
        `POST /api/exams HTTP/1.1\r\nHost: x\r\nCookie: ${cookie}\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"title":`,
        true,
      ],
      [
        'gzip body cut short',
        Buffer.concat([
          Buffer.from(
            `PATCH /api/exams/${examId} HTTP/1.1\r\nHost: x\r\nCookie: ${cookie}\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 400\r\n\r\n`,
          ),
          gzipSync('{"title":"abc"}').subarray(0, 10),
        ]),
        true,
      ],
      [
        'charset=bogus',
        `POST /api/exams HTTP/1.1\r\nHost: x\r\nCookie: ${cookie}\r\nContent-Type: application/json; charset=bogus\r\nContent-Length: 2\r\n\r\n{}`,
      ],
      [
        'Content-Encoding: bogus',
        `POST /api/exams HTTP/1.1\r\nHost: x\r\nCookie: ${cookie}\r\nContent-Type: application/json\r\nContent-Encoding: bogus\r\nContent-Length: 2\r\n\r\n{}`,
      ],
      [
        'Expect: 100-continue',
        `POST /api/exams HTTP/1.1\r\nHost: x\r\nCookie: ${cookie}\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}`,
      ],
      ['Expect: bogus', 'GET /api/auth/me HTTP/1.1\r\nHost: x\r\nExpect: bogus\r\n\r\n'],
      ['upgrade to nothing', 'GET /api/auth/me HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: bogus\r\n\r\n'],
      ['garbage', bytesFrom(r, 300)],
      ['TLS hello on plain HTTP', Buffer.from('16030100a5010000a10303', 'hex')],
    ];
    for (const [what, bytes, close] of requests) judgeRaw(what, await raw(bytes, close));
    // A burst: many requests at once, some of them malformed.
    const ops = await operations();
    await Promise.all(Array.from({ length: 150 }, () => send(randomRequest(ops))));
    // The server still answers normally afterwards.
    await world.keepSignedIn();
    expect((await clients.get('teacher')!.get('/api/auth/me')).status).toBe(200);
    expect((await clients.get('teacher')!.get(`/api/exams/${ids.exam[1]}/questions`)).status).toBeLessThan(500);
    console.log(summary());
    assertHealthy();
  }, 60_000);
});
