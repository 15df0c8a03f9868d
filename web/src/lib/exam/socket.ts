// The hall socket: same origin, websocket only, authenticated by the httpOnly cookies
// (session or attempt cookie) in the handshake. socket.io reconnects by itself.
import { io, type Socket } from 'socket.io-client';
import type { Ack, AckReply, ClientToServerEvents, ServerToClientEvents } from '@exam-hall/protocol';

export type HallSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export function openHallSocket(): HallSocket {
  return io({ transports: ['websocket'], withCredentials: true, autoConnect: false });
}

/** Error codes this client makes up when no acknowledgement came. */
export const NO_ANSWER = { timeout: 'timeout', disconnected: 'disconnected' } as const;

type Events = ClientToServerEvents;
/** An event's arguments before its acknowledgement callback. */
export type ArgsOf<E extends keyof Events> = Parameters<Events[E]> extends [...infer A, Ack<never>] ? A : never;
/** What an event's acknowledgement carries when it is ok. */
export type AckOf<E extends keyof Events> = Parameters<Events[E]> extends [...unknown[], Ack<infer T>] ? T : never;

/**
 * Sends one event and answers its acknowledgement, or an error reply when none came
 * in time or the connection dropped first. Never sends while disconnected: socket.io
 * would buffer the event and send it after reconnecting, behind the outbox's back.
 */
export function request<E extends keyof Events>(
  socket: HallSocket,
  event: E,
  args: ArgsOf<E>,
  timeoutMs = 15_000,
): Promise<AckReply<AckOf<E>>> {
  type Reply = AckReply<AckOf<E>>;
  if (!socket.connected) {
    return Promise.resolve({ ok: false, error: { code: NO_ANSWER.disconnected, message: 'Not connected.' } });
  }
  return new Promise((resolve) => {
    const finish = (reply: Reply) => {
      clearTimeout(timer);
      socket.off('disconnect', dropped);
      resolve(reply);
    };
    const dropped = () => finish({ ok: false, error: { code: NO_ANSWER.disconnected, message: 'Connection lost.' } });
    const timer = setTimeout(
      () => finish({ ok: false, error: { code: NO_ANSWER.timeout, message: 'The server did not answer in time.' } }),
      timeoutMs,
    );
    socket.on('disconnect', dropped);
    // The event table types each call site; one generic emit cannot be checked against it here.
    (socket.emit as (event: string, ...rest: unknown[]) => void)(event, ...args, finish);
  });
}
