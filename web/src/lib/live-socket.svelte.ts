// A page's live socket: same origin, websocket only, authenticated by the session
// cookie. Shared by the proctor hall and the attendance dashboard: connecting,
// refreshing an expired access cookie, reconnecting, and saying in words why the page
// is not live. Subclasses say what to do on every (re)connect.
import { io } from 'socket.io-client';
import { refreshAfter401 } from './api.ts';
import type { AppSocket } from './socket-request.ts';

export type { AppSocket } from './socket-request.ts';

/** Every page's socket is built here: same origin, websocket only, the httpOnly cookies in the handshake. */
export function openAppSocket(): AppSocket {
  return io({ transports: ['websocket'], autoConnect: false, withCredentials: true });
}

/** live: loaded and streaming; signed-out and failed need the person to act. */
export type LinkState = 'connecting' | 'live' | 'reconnecting' | 'signed-out' | 'failed';

export interface LinkMessages {
  /** The server ended this session (signed out elsewhere, revoked). */
  sessionEnded: string;
  /** The handshake was refused and no refresh helped. */
  signedOut: string;
  /** The server could not be reached. */
  unreachable: string;
}

/**
 * How every page reads a handshake the server refused: an expired access cookie is
 * renewed (when `mayRefresh`) and the socket connects again; a missing or revoked
 * session means this page is signed out; anything else is for the page to retry.
 */
export async function afterRefusedHandshake(
  socket: AppSocket,
  err: Error,
  mayRefresh = true,
): Promise<'reconnecting' | 'signed-out' | 'other'> {
  if (err.message === 'unauthenticated' && mayRefresh && (await refreshAfter401())) {
    socket.connect();
    return 'reconnecting';
  }
  return err.message === 'unauthenticated' || err.message === 'session_revoked' ? 'signed-out' : 'other';
}

export abstract class LiveSocket {
  state = $state<LinkState>('connecting');
  /** Why the page is not live, in words. */
  problem = $state('');
  protected readonly socket: AppSocket;
  readonly #messages: LinkMessages;

  constructor(messages: LinkMessages, socket: AppSocket = openAppSocket()) {
    this.#messages = messages;
    this.socket = socket;
    const s = this.socket;
    s.on('connect', () => void this.onConnect());
    s.on('connect_error', (err) => void this.#connectFailed(err));
    s.on('disconnect', (reason) => {
      if (this.state === 'signed-out' || this.state === 'failed') return;
      this.state = 'reconnecting';
      this.problem = 'Connection lost. Reconnecting…';
      // The server closed it on purpose (a restart, a kicked socket): socket.io will not retry by itself.
      if (reason === 'io server disconnect') s.connect();
    });
    s.on('session:ended', () => {
      this.state = 'signed-out';
      this.problem = this.#messages.sessionEnded;
    });
  }

  /** Runs on every (re)connect: ask for a fresh state, join the room. */
  protected abstract onConnect(): Promise<void>;

  /** Clears timers and queues when the page goes away. */
  protected onStop(): void {}

  /** Connects; the answer disconnects (for $effect cleanup). */
  start(): () => void {
    this.socket.connect();
    return () => {
      this.onStop();
      this.socket.removeAllListeners();
      this.socket.disconnect();
    };
  }

  protected live() {
    this.state = 'live';
    this.problem = '';
  }

  /** The server refused to let this page watch: nothing to retry. */
  protected fail(message: string) {
    this.state = 'failed';
    this.problem = message;
    this.socket.disconnect();
  }

  /** No answer in time: try again on a fresh connection rather than wait forever. */
  protected reconnect() {
    this.socket.disconnect().connect();
  }

  async #connectFailed(err: Error) {
    const outcome = await afterRefusedHandshake(this.socket, err);
    if (outcome === 'reconnecting') return;
    if (outcome === 'signed-out') {
      this.state = 'signed-out';
      this.problem = this.#messages.signedOut;
      return;
    }
    this.state = this.state === 'live' ? 'reconnecting' : this.state;
    this.problem = this.#messages.unreachable;
  }
}
