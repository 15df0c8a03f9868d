// The proctor's socket: same origin, websocket only, authenticated by the session
// cookie. On every (re)connect it asks for a fresh snapshot (`hall:watch`), which
// also puts it in the exam's proctor room; in between it applies the stream.
import { io, type Socket } from 'socket.io-client';
import type {
  AckReply,
  ClientToServerEvents,
  HallAction,
  HallRow,
  ProctoringEventDto,
  RiskBreakdown,
  ServerToClientEvents,
} from '@exam-hall/protocol';
import { refreshAfter401 } from '../api.ts';
import type { HallState } from './hall-state.svelte.ts';

type HallSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** live: snapshot loaded and streaming; signed-out and failed need the person to act. */
export type LinkState = 'connecting' | 'live' | 'reconnecting' | 'signed-out' | 'failed';

export class HallCallError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'HallCallError';
    this.code = code;
  }
}

const ACK_TIMEOUT_MS = 15_000;
const FLUSH_MS = 200;

export class HallConnection {
  state = $state<LinkState>('connecting');
  /** Why the hall is not live, in words (failed, signed-out, reconnecting). */
  problem = $state('');
  readonly #examId: string;
  readonly #hall: HallState;
  readonly #socket: HallSocket;
  /** Stream events that arrive while a snapshot is on its way; applied on top of it. */
  #buffer: (() => void)[] | null = null;
  /** Row updates waiting to be drawn, latest per participant: a burst is drawn once. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a queue, not state anything renders
  #rows = new Map<string, HallRow>();
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  /** Told about each alert that is new to this page (for the announcement). */
  onalert: ((event: ProctoringEventDto) => void) | undefined;
  onreviewed: ((event: ProctoringEventDto) => void) | undefined;

  constructor(examId: string, hall: HallState) {
    this.#examId = examId;
    this.#hall = hall;
    this.#socket = io({ transports: ['websocket'], autoConnect: false, withCredentials: true });
    this.#wire();
  }

  /** Connects; the answer disconnects (for $effect cleanup). */
  start(): () => void {
    this.#socket.connect();
    return () => {
      clearTimeout(this.#flushTimer);
      this.#socket.removeAllListeners();
      this.#socket.disconnect();
    };
  }

  #queueRow(row: HallRow) {
    this.#rows.set(row.participantId, row);
    // Five redraws a second at most: 500 students saving answers would otherwise
    // redraw the roster at every frame, for changes nobody can read that fast.
    this.#flushTimer ??= setTimeout(() => this.#flushRows(), FLUSH_MS);
  }

  #flushRows() {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    const rows = [...this.#rows.values()];
    this.#rows.clear();
    this.#hall.applyRows(rows);
  }

  #stream(apply: () => void) {
    if (this.#buffer) this.#buffer.push(apply);
    else apply();
  }

  #wire() {
    const s = this.#socket;
    s.on('connect', () => void this.#watch());
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
      this.problem = 'You were signed out. Sign in again to keep watching the hall.';
    });
    s.on('hall:row', (row) => this.#stream(() => this.#queueRow(row)));
    s.on('hall:rows', (rows) => this.#stream(() => rows.forEach((row) => this.#queueRow(row))));
    s.on('hall:alert', ({ event, risk }) =>
      this.#stream(() => {
        if (this.#hall.addAlert(event, risk)) this.onalert?.(event);
      }),
    );
    s.on('hall:alert-reviewed', ({ event }) =>
      this.#stream(() => {
        this.#hall.reviewed(event);
        this.onreviewed?.(event);
      }),
    );
  }

  async #connectFailed(err: Error) {
    // An expired access cookie fails the handshake; a refreshed one lets it through.
    if (err.message === 'unauthenticated' && (await refreshAfter401())) {
      this.#socket.connect();
      return;
    }
    if (err.message === 'unauthenticated' || err.message === 'session_revoked') {
      this.state = 'signed-out';
      this.problem = 'Your session has ended. Sign in again to watch the hall.';
      return;
    }
    this.state = this.state === 'live' ? 'reconnecting' : this.state;
    this.problem = 'Cannot reach the server. Retrying…';
  }

  async #watch() {
    this.#buffer = [];
    const sentAt = performance.now();
    try {
      const snapshot = await this.#call('hall:watch', { examId: this.#examId });
      // Rows queued before this snapshot was asked for are older than it.
      this.#rows.clear();
      this.#hall.load(snapshot, sentAt);
      for (const apply of this.#buffer) apply();
      this.state = 'live';
      this.problem = '';
    } catch (err) {
      const e = err as HallCallError;
      if (e.code === 'timeout') {
        // Try again on a fresh connection rather than wait forever.
        this.#socket.disconnect().connect();
        return;
      }
      this.state = 'failed';
      this.problem = e.message;
      this.#socket.disconnect();
    } finally {
      this.#buffer = null;
    }
  }

  /** One request with an acknowledgement; rejects with the server's message or a timeout. */
  #call<E extends keyof ClientToServerEvents>(
    event: E,
    payload: Parameters<ClientToServerEvents[E]>[0],
  ): Promise<AckData<E>> {
    // Sent while offline, socket.io would queue it and deliver it late: an extension
    // the proctor already retried would land twice.
    if (!this.#socket.connected) {
      return Promise.reject(
        new HallCallError(
          'offline',
          'Not connected to the server, so nothing was sent. Try again when the hall is live.',
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const timed = this.#socket.timeout(ACK_TIMEOUT_MS) as unknown as {
        emit(event: string, payload: unknown, ack: (err: Error | null, reply: AckReply<AckData<E>>) => void): void;
      };
      timed.emit(event, payload, (err, reply) => {
        if (err) {
          reject(
            new HallCallError(
              'timeout',
              'The server did not answer in time. Check the hall before trying again: it may have been done.',
            ),
          );
        } else if (reply.ok) resolve(reply.data);
        else reject(new HallCallError(reply.error.code, reply.error.message));
      });
    });
  }

  act(action: HallAction): Promise<HallRow> {
    return this.#call('hall:action', action).then((d) => {
      this.#queueRow(d.row);
      this.#flushRows();
      return d.row;
    });
  }

  review(eventId: string, status: 'acknowledged' | 'dismissed' | 'flagged'): Promise<ProctoringEventDto> {
    return this.#call('alert:review', { eventId, status }).then((d) => {
      this.#hall.reviewed(d.event);
      return d.event;
    });
  }

  risk(attemptId: string): Promise<RiskBreakdown> {
    return this.#call('hall:risk', { attemptId }).then((r) => {
      this.#hall.setRisk(attemptId, r);
      return r;
    });
  }
}

/** What an event's acknowledgement carries when it succeeds. */
type AckData<E extends keyof ClientToServerEvents> = ClientToServerEvents[E] extends (...args: infer A) => void
  ? A extends [...unknown[], (reply: AckReply<infer T>) => void]
    ? T
    : never
  : never;
