// Listening with several accepting sockets on one port (SO_REUSEPORT), so a busy process
// still takes new connections as fast as they come.
//
// libuv accepts ONE connection per listening socket per turn of the event loop (libuv pull
// request #3696, in Node since 20). A process busy with an exam's start (thousands of code
// claims and socket joins within seconds) turns a hundred or two times a second, so it took
// new connections no faster: the rest waited in the kernel's backlog, which filled (511),
// and the kernel dropped the next connections, which the clients retried 1, 3 and 7 s later.
// Measured with scripts/bench-start-storm.ts at 150 students a second: the claim (a new
// connection) waited 2–4 s at the median, the begin right after it (the same connection,
// kept alive) 35 ms; `ss -ltn` showed the backlog full and `nstat` thousands of
// ListenOverflows. With N sockets in one SO_REUSEPORT group the kernel spreads connections
// over them, and each turn accepts up to N. Every connection still goes to the one HTTP
// server (its `connection` event, as the docs allow), so Express and Socket.IO see no change.
//
// SO_REUSEPORT lets another process of the SAME user bind the same port and receive some of
// its connections; other users cannot (Linux checks the effective uid). So that a second
// server started by mistake on a port in use fails as it would without SO_REUSEPORT
// (EADDRINUSE) instead of silently taking part of the traffic, the port is first bound once
// WITHOUT the option, which fails while any socket holds it, and released just before the
// group binds. Where the platform lacks SO_REUSEPORT, the server listens once, as before.
import net from 'node:net';
import type { Server } from 'node:http';

export interface Listening {
  port: number;
  /** How many sockets accept (1 when SO_REUSEPORT was not available). */
  acceptors: number;
  /** Stops the extra acceptors (the HTTP server itself is closed by its owner). */
  close(): void;
}

function listenOnce(s: net.Server, options: net.ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (err: Error) => reject(err);
    s.once('error', failed);
    s.listen(options, () => {
      s.off('error', failed);
      resolve();
    });
  });
}

/** Binds the port alone (no SO_REUSEPORT): fails with EADDRINUSE while anything listens on it. Returns the port bound. */
async function probeExclusive(port: number, host: string): Promise<number> {
  const probe = net.createServer();
  await listenOnce(probe, { port, host });
  const bound = (probe.address() as net.AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  return bound;
}

export async function listenWithAcceptors(
  server: Server,
  port: number,
  host: string,
  acceptors: number,
): Promise<Listening> {
  const shared = acceptors > 1 && process.platform === 'linux';
  if (shared) port = await probeExclusive(port, host);
  await listenOnce(server, { port, host, ...(shared ? { reusePort: true } : {}) });
  const bound = (server.address() as net.AddressInfo).port;
  const extra: net.Server[] = [];
  for (let i = 1; shared && i < acceptors; i++) {
    // As http.Server sets up its own listener: half-open allowed, Nagle off.
    const s = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => server.emit('connection', socket));
    await listenOnce(s, { port: bound, host, reusePort: true });
    extra.push(s);
  }
  return {
    port: bound,
    acceptors: 1 + extra.length,
    close: () => extra.forEach((s) => s.close()),
  };
}
