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

export function nextEvent<T = any>(socket: TestSocket, event: string, ms = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    (socket as unknown as Socket).once(event, (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    });
  });
}
