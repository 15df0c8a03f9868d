// The baseline for "how fast can Socket.IO itself go on this machine": a bare
// Socket.IO server (same engine options as the hall, no adapter, no auth, no
// database) that acknowledges every hall event at once with a reply of the same
// shape. A child of scripts/bench-hall.ts; sends its URL over IPC, listens on loopback.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';

const http = createServer();
const io = new Server(http, {
  serveClient: false,
  maxHttpBufferSize: 64 * 1024,
  pingInterval: 10_000,
  pingTimeout: 15_000,
});
type Ack = (reply: unknown) => void;

io.on('connection', (socket) => {
  socket.on('attempt:join', (_p: unknown, ack: Ack) => ack({ ok: true, data: { lastSeq: 0 } }));
  socket.on('answer:save', (p: { seq: number }, ack: Ack) =>
    ack({ ok: true, data: { seq: p.seq, applied: true, savedAt: new Date().toISOString() } }),
  );
  socket.on('proctor:signal', (_p: unknown, ack: Ack) => ack({ ok: true, data: { stored: true } }));
  socket.on('time:sync', (ack: Ack) => ack({ ok: true, data: { serverTime: new Date().toISOString() } }));
});

http.listen(0, '127.0.0.1', () => {
  const { port } = http.address() as AddressInfo;
  process.send!({ type: 'listening', url: `http://127.0.0.1:${port}` });
});
process.on('disconnect', () => process.exit(0));
