// Several sockets accept connections on the HTTP port (http/listen.ts, HTTP_ACCEPTORS):
// libuv accepts one connection per listening socket per turn of the event loop, so a busy
// process took new connections only as fast as its loop turned. These tests count turns,
// not milliseconds: connections that arrive while the loop is blocked are taken one per turn
// with one acceptor, and several per turn with four.
import http from 'node:http';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenWithAcceptors } from '../../src/http/listen.ts';
import { startTestSystem, type TestSystem } from '../support/test-system.ts';

/** Sockets in LISTEN state on `port` (IPv4), from the kernel's table. */
function listeningOn(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => {
      const cols = line.trim().split(/\s+/);
      return cols[1]?.endsWith(`:${hex}`) && cols[3] === '0A';
    }).length;
}

/** How many loop turns the server needs to accept `n` connections that all arrived while it was blocked. */
async function turnsToAccept(acceptors: number, n: number) {
  const server = http.createServer((_req, res) => res.end('ok'));
  const listening = await listenWithAcceptors(server, 0, '127.0.0.1', acceptors);
  let turn = 0;
  let spinning = true;
  const spin = () => {
    turn++;
    if (spinning) setImmediate(spin);
  };
  const acceptedAt: number[] = [];
  server.on('connection', () => acceptedAt.push(turn));
  const clients: net.Socket[] = [];
  // Block the loop while the clients connect: the kernel completes their handshakes and queues them.
  const connected = Array.from({ length: n }, () => {
    const c = net.connect(listening.port, '127.0.0.1');
    clients.push(c);
    return c;
  });
  // net.connect issues its connect() on the next tick: let those run, but not the loop's poll phase.
  await new Promise((r) => process.nextTick(r));
  const until = Date.now() + 300;
  while (Date.now() < until) {
    /* the kernel queues the connections meanwhile */
  }
  setImmediate(spin);
  while (acceptedAt.length < n) await new Promise((r) => setTimeout(r, 5));
  spinning = false;
  connected.forEach((c) => c.destroy());
  listening.close();
  await new Promise((r) => server.close(r));
  return { acceptors: listening.acceptors, turns: Math.max(...acceptedAt) - Math.min(...acceptedAt) + 1 };
}

describe('accepting connections', () => {
  it('takes one queued connection per loop turn with one acceptor, several per turn with four', async () => {
    const one = await turnsToAccept(1, 40);
    const four = await turnsToAccept(4, 40);
    console.log(`turns to accept 40 queued connections: ${one.turns} with one acceptor, ${four.turns} with four`);
    expect(one.acceptors).toBe(1);
    expect(four.acceptors).toBe(4);
    // One acceptor: libuv accepts one per turn. Four: the kernel spreads the 40 over four
    // sockets by a hash of the client's address and port, so the busiest takes more than 10.
    expect(one.turns).toBeGreaterThanOrEqual(40);
    expect(four.turns).toBeLessThanOrEqual(25);
  });
});

describe('a port already in use', () => {
  it('is refused (EADDRINUSE) to a second group of acceptors, as to a plain listen, instead of being shared', async () => {
    const first = http.createServer();
    const held = await listenWithAcceptors(first, 0, '127.0.0.1', 4);
    const second = http.createServer();
    await expect(listenWithAcceptors(second, held.port, '127.0.0.1', 4)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(listeningOn(held.port)).toBe(4);
    held.close();
    await new Promise((r) => first.close(r));
    // Free again: the port can be taken.
    const third = http.createServer();
    const again = await listenWithAcceptors(third, held.port, '127.0.0.1', 2);
    expect(listeningOn(again.port)).toBe(2);
    again.close();
    await new Promise((r) => third.close(r));
  });
});

describe('the server with HTTP_ACCEPTORS=4', () => {
  let t: TestSystem;
  let port: number;
  beforeAll(async () => {
    t = await startTestSystem({ HTTP_ACCEPTORS: '4' });
    port = Number(new URL(t.url).port);
  });
  afterAll(() => t?.close());

  it('listens with four sockets on its one port and serves 100 new connections at once', async () => {
    expect(listeningOn(port)).toBe(4);
    const agent = new http.Agent({ keepAlive: false });
    const statuses = await Promise.all(
      Array.from(
        { length: 100 },
        () =>
          new Promise<number>((resolve, reject) =>
            http
              .get(`${t.url}/healthz`, { agent }, (res) => {
                res.resume();
                resolve(res.statusCode ?? 0);
              })
              .on('error', reject),
          ),
      ),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(100);
  });

  it('stops listening on every socket when it closes', async () => {
    await t.system.close();
    expect(listeningOn(port)).toBe(0);
  });
});
