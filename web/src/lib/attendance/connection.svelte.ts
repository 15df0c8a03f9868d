// The attendance dashboard's socket: same origin, websocket only, authenticated by the
// session cookie. On every (re)connect it asks to watch the meeting and then refetches
// (events missed while away are in the fresh answer); in between, each
// 'attendance:changed' schedules one refetch, so a burst of joins costs one request.
import { io, type Socket } from 'socket.io-client';
import type { AckReply, ClientToServerEvents, ServerToClientEvents } from '@exam-hall/protocol';
import { refreshAfter401 } from '../api.ts';

type AttendanceSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export type LinkState = 'connecting' | 'live' | 'reconnecting' | 'signed-out' | 'failed';

const ACK_TIMEOUT_MS = 15_000;
export const DEBOUNCE_MS = 300;

export class AttendanceConnection {
  state = $state<LinkState>('connecting');
  /** Why the dashboard is not live, in words. */
  problem = $state('');
  readonly #meetingId: string;
  readonly #socket: AttendanceSocket;
  readonly #onchange: () => void;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** `onchange` is called (debounced) whenever the dashboard should be fetched again. */
  constructor(meetingId: string, onchange: () => void) {
    this.#meetingId = meetingId;
    this.#onchange = onchange;
    this.#socket = io({ transports: ['websocket'], autoConnect: false, withCredentials: true });
    this.#wire();
  }

  /** Connects; the answer disconnects (for $effect cleanup). */
  start(): () => void {
    this.#socket.connect();
    return () => {
      clearTimeout(this.#timer);
      this.#socket.removeAllListeners();
      this.#socket.disconnect();
    };
  }

  #changedSoon() {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#onchange(), DEBOUNCE_MS);
  }

  #wire() {
    const s = this.#socket;
    s.on('connect', () => void this.#watch());
    s.on('connect_error', (err) => void this.#connectFailed(err));
    s.on('disconnect', (reason) => {
      if (this.state === 'signed-out' || this.state === 'failed') return;
      this.state = 'reconnecting';
      this.problem = 'Connection lost. Reconnecting…';
      if (reason === 'io server disconnect') s.connect();
    });
    s.on('session:ended', () => {
      this.state = 'signed-out';
      this.problem = 'You were signed out. Sign in again to keep the attendance live.';
    });
    s.on('attendance:changed', ({ meetingId }) => {
      if (meetingId === this.#meetingId) this.#changedSoon();
    });
  }

  async #connectFailed(err: Error) {
    // An expired access cookie fails the handshake; a refreshed one lets it through.
    if (err.message === 'unauthenticated' && (await refreshAfter401())) {
      this.#socket.connect();
      return;
    }
    if (err.message === 'unauthenticated' || err.message === 'session_revoked') {
      this.state = 'signed-out';
      this.problem = 'Your session has ended. Sign in again to keep the attendance live.';
      return;
    }
    this.state = this.state === 'live' ? 'reconnecting' : this.state;
    this.problem = 'Cannot reach the server for live updates. Retrying…';
  }

  async #watch() {
    const reply = await new Promise<AckReply<{ watching: true }> | null>((resolve) => {
      this.#socket
        .timeout(ACK_TIMEOUT_MS)
        .emit(
          'attendance:watch',
          { meetingId: this.#meetingId },
          (err: Error | null, r: AckReply<{ watching: true }>) => resolve(err ? null : r),
        );
    });
    if (!reply) {
      // Try again on a fresh connection rather than wait forever.
      this.#socket.disconnect().connect();
      return;
    }
    if (!reply.ok) {
      this.state = 'failed';
      this.problem = reply.error.message;
      this.#socket.disconnect();
      return;
    }
    this.state = 'live';
    this.problem = '';
    this.#changedSoon();
  }
}
