// The baseline of scripts/bench-start-storm.ts: Express 5 and a bare Socket.IO server on one
// port, in their own process, doing the least the real routes must: the claim
// (POST /api/attempts/start) runs ONE PostgreSQL query (the invitation by email) and sets a
// cookie, the begin runs one query too, and attempt:join acknowledges at once. No
// validation, no limiter, no transaction: what Node, Express, pg and Socket.IO cost alone
// for the same requests from the same clients. Env: PORT, HOST, DATABASE_URL, DATABASE_POOL_MAX.
import { createServer } from 'node:http';
import express from 'express';
import pg from 'pg';
import { Server } from 'socket.io';

const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DATABASE_POOL_MAX ?? 40),
});
const app = express();
app.disable('x-powered-by');
app.use(express.json());
app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});
app.post('/api/attempts/start', async (req, res) => {
  const email = String((req.body as { email?: unknown }).email ?? '');
  const { rows } = await pool.query<{ id: string }>('select id from exam_participants where email = $1', [email]);
  const id = rows[0]?.id;
  if (!id) return void res.status(401).json({ error: { code: 'invalid_code' } });
  res.cookie('eh_attempt', `${id}.bare`, { httpOnly: true, sameSite: 'lax', path: '/' });
  res.status(201).json({ attempt: { id }, serverTime: new Date().toISOString() });
});
app.post('/api/attempts/:id/begin', async (req, res) => {
  await pool.query('select $1::uuid as id', [req.params.id]);
  res.json({ attempt: { id: req.params.id }, serverTime: new Date().toISOString() });
});

const http = createServer(app);
const io = new Server(http, { serveClient: false, maxHttpBufferSize: 64 * 1024 });
io.on('connection', (socket) => {
  socket.on('attempt:join', (_p: unknown, ack: (r: unknown) => void) => ack({ ok: true, data: { lastSeq: 0 } }));
});
http.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
process.once('SIGTERM', () => {
  io.close();
  void pool.end().finally(() => process.exit(0));
});
