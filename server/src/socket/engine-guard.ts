// Engine.IO's long-polling transport answers any method but GET and POST on a live sid
// with a bare 500 (engine.io/build/transports/polling.js). Nothing from outside may earn
// a 5xx: such requests get a 405 naming the methods that work, before Engine.IO sees them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'socket.io';

const ALLOWED = new Set(['GET', 'POST', 'OPTIONS']);

export function refuseUnsupportedMethods(io: Pick<Server, 'engine'>): void {
  io.engine.use((req: IncomingMessage, res: ServerResponse, next: (err?: Error) => void) => {
    if (ALLOWED.has(req.method ?? '')) return next();
    const body = JSON.stringify({
      error: { code: 'validation_failed', message: `Socket.IO answers GET and POST, not ${req.method}.` },
    });
    res.writeHead(405, { allow: 'GET, POST', 'content-type': 'application/json' }).end(body);
  });
}
