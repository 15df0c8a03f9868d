import { io as connect, type Socket } from 'socket.io-client';
import type { AckReply, ClientToServerEvents, ServerToClientEvents } from '@exam-hall/protocol';
import type { Client } from './http-client.ts';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A websocket with the client's cookies, as the browser would open it. */
export function openSocket(url: string, client: Client): Promise<TestSocket> {
  return new Promise((resolve, reject) => {
    const socket: TestSocket = connect(url, {
      transports: ['websocket'],
      extraHeaders: { cookie: client.cookieHeader() },
      reconnection: false,
    });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => reject(err));
  });
}

/** Emits and answers the ack's data, or throws its error (code: message). */
export async function call<T = any>(socket: TestSocket, event: string, payload?: unknown): Promise<T> {
  const args = payload === undefined ? [] : [payload];
  const reply = (await (socket as unknown as Socket).timeout(10_000).emitWithAck(event, ...args)) as AckReply<T>;
  if (!reply.ok)
    throw Object.assign(new Error(`${reply.error.code}: ${reply.error.message}`), { code: reply.error.code });
  return reply.data;
}

/**
 * The first `event` whose payload `matches`: for pushes that also come on their own (the roster's
 * once-a-second rows), where the next one may still be from before the change under test.
 */
export function eventWhere<T = any>(
  socket: TestSocket,
  event: string,
  matches: (payload: T) => boolean,
  ms = 10_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const s = socket as unknown as Socket;
    const listener = (payload: T) => {
      if (!matches(payload)) return;
      clearTimeout(timer);
      s.off(event, listener);
      resolve(payload);
    };
    const timer = setTimeout(() => {
      s.off(event, listener);
      reject(new Error(`no ${event} within ${ms} ms`));
    }, ms);
    s.on(event, listener);
  });
}

export function nextEvent<T = any>(socket: TestSocket, event: string, ms = 10_000): Promise<T> {
  return eventWhere(socket, event, () => true, ms);
}
