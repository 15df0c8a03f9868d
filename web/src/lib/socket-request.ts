// One typed request over the app's socket, for every page: the event name picks the
// payload and the acknowledgement's type from protocol's `clientEvents` table, so no
// page writes an ack type by hand.
import {
  clientEvents,
  type AckReply,
  type ClientAck,
  type ClientEvent,
  type ClientPayload,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '@exam-hall/protocol';
import type { Socket } from 'socket.io-client';

export type AppSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Error codes this client makes up when no acknowledgement came. */
export const NO_ANSWER = { timeout: 'timeout', disconnected: 'disconnected' } as const;

/** True when the reply is this client's own "no answer" (timeout, connection lost), not the server's. */
export const unanswered = (reply: AckReply<unknown>) =>
  !reply.ok && (reply.error.code === NO_ANSWER.timeout || reply.error.code === NO_ANSWER.disconnected);

export interface RequestOptions {
  /** How long to wait for the acknowledgement (default 15 s). */
  timeoutMs?: number;
}

/** The payload (none for events without one), then the options. */
export type RequestArgs<E extends ClientEvent> =
  ClientPayload<E> extends undefined
    ? [options?: RequestOptions]
    : [payload: ClientPayload<E>, options?: RequestOptions];

/**
 * Sends one event and answers its acknowledgement, or an error reply when none came
 * in time or the connection dropped first. Never sends while disconnected: socket.io
 * would buffer the event and send it after reconnecting, behind the page's back (an
 * outbox replay, or a proctor's retried extension, would land twice).
 */
export function request<E extends ClientEvent>(
  socket: AppSocket,
  event: E,
  ...args: RequestArgs<E>
): Promise<AckReply<ClientAck<E>>> {
  type Reply = AckReply<ClientAck<E>>;
  const hasPayload = clientEvents[event].payload !== null;
  const payload: unknown[] = hasPayload ? [args[0]] : [];
  // Which argument is the options depends on the event's row in the table, known only at run time here.
  const options = ((hasPayload ? args[1] : args[0]) ?? {}) as RequestOptions;
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
      options.timeoutMs ?? 15_000,
    );
    socket.on('disconnect', dropped);
    // The event table types every call site; one generic emit over all events cannot be checked here.
    (socket.emit as (event: string, ...rest: unknown[]) => void)(event, ...payload, finish);
  });
}
